"""Recording: `RecordingTransport` keeps every exchange, `cassette_document` scrubs them (and every
masked response value wherever it recurs), and the cassette is written atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from vcr.request import Request as VcrRequest
from vcr.serialize import serialize as vcr_serialize

from harness.certify.cassettes.format import SAFE_SERIALIZER
from harness.certify.cassettes.provenance import Provenance
from harness.certify.cassettes.scrubbing import (
    MIN_SUBSTITUTED_LENGTH,
    body_secret_values,
    content_type_of,
    is_secret_header,
    recorded_form,
    recorded_url,
    scrub_body,
)
from harness.domain.secret import MASK
from harness.execution.transport import Transport
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse


@dataclass
class Exchange:
    request: HttpRequest
    response: HttpResponse


class RecordingTransport(BaseTransport):
    """Wraps another transport and keeps every exchange for `write_cassette`."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        response = self.inner.handle_request(request)
        self.exchanges.append(Exchange(request, response))
        return response

    def close(self) -> None:
        self.inner.close()  # a wrapper owns what it wraps, as httpx's transports do


DROPPED_RESPONSE_HEADERS = frozenset(
    {"set-cookie", "date", "content-length", "connection", "keep-alive", "server", "transfer-encoding"}
)


class _Substitution:
    """Replaces scrubbed response values wherever else they recur in a cassette (a token the
    provider returned and the connector then sent in a URL), with the same mask, so that replay,
    which feeds the masked response to the connector, sends exactly what was recorded."""

    def __init__(self, values: Iterable[str]) -> None:
        variants: dict[str, str] = {}
        for value in values:
            for form in (value, quote(value, safe=""), json.dumps(value)[1:-1]):
                variants.setdefault(form, MASK)
        ordered = sorted(variants, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def text(self, value: str) -> str:
        return self._pattern.sub(MASK, value) if self._pattern is not None else value

    def body(self, value: bytes | None) -> bytes | None:
        if not value or self._pattern is None:
            return value
        text = value.decode("utf-8", errors="surrogateescape")
        replaced = self._pattern.sub(MASK, text)
        return value if replaced == text else replaced.encode("utf-8", errors="surrogateescape")


def cassette_document(exchanges: Iterable[Exchange], provenance: Provenance) -> dict[str, Any]:
    """The cassette as a vcrpy document, scrubbed before anything is written: requests in their
    masked form (secret headers, secret body fields at any depth, secret query parameters),
    responses with secret headers and body fields masked, and every masked response value
    replaced wherever else it recurs."""
    exchanges = list(exchanges)
    scrubbed_values: set[str] = set()
    sent = ""  # what the connector itself sent so far: a value it sent is not the provider's secret
    for exchange in exchanges:
        body, _ = recorded_form(exchange.request)
        sent += "\n" + exchange.request.url + "\n" + (body or b"").decode("utf-8", errors="replace")
        content_type = content_type_of(exchange.response.headers) or "application/json"
        found = body_secret_values(content_type, exchange.response.body)
        found |= {
            str(v)
            for k, v in exchange.response.headers.items()
            if is_secret_header(k) and len(str(v)) >= MIN_SUBSTITUTED_LENGTH
        }
        scrubbed_values |= {value for value in found if value not in sent}
    substitute = _Substitution(scrubbed_values)
    requests, responses = [], []
    for exchange in exchanges:
        body, headers = recorded_form(exchange.request)
        uri = substitute.text(recorded_url(exchange.request.url))
        requests.append(VcrRequest(exchange.request.method.value, uri, substitute.body(body), headers))
        response_headers = {
            k: [MASK if is_secret_header(k) else substitute.text(str(v))]
            for k, v in exchange.response.headers.items()
            if k.lower() not in DROPPED_RESPONSE_HEADERS
        }
        content_type = content_type_of(exchange.response.headers) or "application/json"
        response_body = substitute.body(scrub_body(content_type, exchange.response.body)) or b""
        responses.append(
            {
                "status": {
                    "code": exchange.response.status_code,
                    "message": _reason(exchange.response.status_code),
                },
                "headers": response_headers,
                "body": {"string": response_body},
            }
        )
    return {"requests": requests, "responses": responses, "metadata": {"provenance": provenance.as_dict()}}


def render_cassette(document: Mapping[str, Any]) -> str:
    return vcr_serialize(dict(document), SAFE_SERIALIZER)


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: a failure leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _reason(code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""
