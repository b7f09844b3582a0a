"""Plain HTTP value objects: what a connector asks for and what the provider answered.

A request keeps its body as a tree whose leaves may be `Secret`s and its header values as
`Maskable`s, so one request has two renderings: the wire form (`wire_body`, `wire_headers`,
only for the transport) and the masked form (everything else).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from types import TracebackType
from typing import Any, Self

from harness.domain.secret import Maskable
from harness.integration import encoding


class Method(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class ContentType(StrEnum):
    JSON = "application/json"
    FORM = "application/x-www-form-urlencoded"
    XML = "application/xml"


@dataclass(frozen=True)
class RequestBody:
    content_type: ContentType
    data: Any  # dict/list/str/int/bool/None/Decimal leaves, some of them Secret
    xml_root: str | None = None

    def encode(self, *, expose_secrets: bool) -> bytes:
        if self.content_type is ContentType.JSON:
            return encoding.encode_json(self.data, expose_secrets=expose_secrets)
        if self.content_type is ContentType.FORM:
            return encoding.encode_form(self.data, expose_secrets=expose_secrets)
        return encoding.encode_xml(self.data, root=self.xml_root or "request", expose_secrets=expose_secrets)


@dataclass(frozen=True)
class HttpRequest:
    method: Method
    url: str
    headers: tuple[tuple[str, Maskable], ...] = ()
    body: RequestBody | None = None

    def header(self, name: str) -> Maskable | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def wire_headers(self) -> dict[str, str]:
        """Header values as they go on the wire. Only the transport calls this."""
        out = {key: value.expose() for key, value in self.headers}
        if self.body is not None and not any(k.lower() == "content-type" for k in out):
            out["Content-Type"] = self.body.content_type.value
        return out

    def wire_body(self) -> bytes | None:
        """The body as it goes on the wire, secrets exposed. Only the transport calls this."""
        return None if self.body is None else self.body.encode(expose_secrets=True)

    def masked_headers(self) -> dict[str, str]:
        out = {key: value.shown() for key, value in self.headers}
        if self.body is not None and not any(k.lower() == "content-type" for k in out):
            out["Content-Type"] = self.body.content_type.value
        return out

    def recorded_headers(self) -> dict[str, str]:
        """As `masked_headers`, keeping the auth scheme of masked values (`Bearer ***`): what a
        cassette stores and replay compares, so Basic sent where Bearer was recorded is seen."""
        out = {key: value.shown_with_scheme() for key, value in self.headers}
        if self.body is not None and not any(k.lower() == "content-type" for k in out):
            out["Content-Type"] = self.body.content_type.value
        return out

    @cached_property
    def _masked_body(self) -> bytes | None:
        return None if self.body is None else self.body.encode(expose_secrets=False)

    def masked_body(self) -> bytes | None:
        return self._masked_body

    def masked(self) -> dict[str, Any]:
        """The request as logs, probes and reports show it: secrets masked, body decoded."""
        body: Any = None
        if self.body is not None:
            body = encoding.decode_body(self.body.content_type.value, self.masked_body() or b"")
        return {
            "method": self.method.value,
            "url": self.url,
            "headers": self.masked_headers(),
            "content_type": self.body.content_type.value if self.body else None,
            "body": body,
            "encoded_body": (self.masked_body() or b"").decode() if self.body is not None else None,
        }


@dataclass(frozen=True)
class HttpResponse:
    status_code: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def text(self) -> str:
        # utf-8-sig: some providers (Authorize.net) begin their JSON with a byte-order mark
        return self.body.decode("utf-8-sig", errors="replace")

    def json(self) -> Any:
        return json.loads(self.text())

    def decoded(self) -> Any:
        """The body as a tree, by its content type (JSON when the type is missing)."""
        return encoding.decode_body(self.content_type or ContentType.JSON.value, self.body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def iter_headers(self) -> Iterator[tuple[str, str]]:
        return iter(self.headers.items())


class BaseTransport:
    """`close()` (nothing to release by default) and the context manager, for every transport."""

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
