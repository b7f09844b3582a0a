"""Semantic matching of a sent request against a recorded one: method, URL, the decoded body (key
order ignored, money and currency compared strictly, volatile fields ignored) and the headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from harness.certify.cassettes.format import shown
from harness.certify.cassettes.scrubbing import content_type_of
from harness.integration import encoding

MONEY_KEYS = frozenset(
    k.lower() for k in ("amount", "amount_to_capture", "value", "currency", "currency_code", "currencyCode")
)


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _volatile(path: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        regex = "^" + re.escape(pattern).replace(r"\*", "[^.]+") + "$"
        if re.match(regex, path):
            return True
    return False


def diff_trees(recorded: Any, sent: Any, *, volatile: Iterable[str] = (), path: str = "") -> list[str]:
    """Human-readable differences; money and currency fields compare type and value strictly."""
    volatile = tuple(volatile)
    if path and _volatile(path, volatile):
        return []
    here = path or "<body>"
    if isinstance(recorded, Mapping) and isinstance(sent, Mapping):
        out: list[str] = []
        for key in sorted(set(recorded) | set(sent), key=str):
            child = f"{path}.{key}" if path else str(key)
            if _volatile(child, volatile):
                continue
            if key not in sent:
                out.append(f"{child}: recorded {shown(recorded[key])}, sent nothing")
            elif key not in recorded:
                out.append(f"{child}: not recorded, sent {shown(sent[key])}")
            else:
                out.extend(diff_trees(recorded[key], sent[key], volatile=volatile, path=child))
        return out
    if isinstance(recorded, list) and isinstance(sent, list):
        if len(recorded) != len(sent):
            return [f"{here}: recorded {len(recorded)} items, sent {len(sent)}"]
        out = []
        for index, (a, b) in enumerate(zip(recorded, sent, strict=True)):
            out.extend(diff_trees(a, b, volatile=volatile, path=f"{path}.{index}" if path else str(index)))
        return out
    if isinstance(recorded, Mapping | list) or isinstance(sent, Mapping | list):
        return [f"{here}: recorded {shown(recorded)}, sent {shown(sent)}"]
    last = path.rsplit(".", 1)[-1].lower()
    if last in MONEY_KEYS:
        if type(recorded) is not type(sent) or recorded != sent:
            return [f"{here} (money, compared strictly): recorded {shown(recorded)}, sent {shown(sent)}"]
        return []
    if _norm(recorded) != _norm(sent):
        return [f"{here}: recorded {shown(recorded)}, sent {shown(sent)}"]
    return []


class RecordedRequest:
    """A request in recorded form (as a cassette stores it, or a sent one masked the same way), with
    what matching compares worked out once: the URL split, the headers by lower-case name (a
    header repeated keeps its first spelling and its last value; a list value its first item, as
    vcrpy reads them), the decoded body on first use."""

    __slots__ = (
        "_compared",
        "_pairs",
        "_tree",
        "body",
        "headers",
        "method",
        "netloc",
        "path",
        "query",
        "scheme",
        "uri",
    )

    def __init__(self, method: str, uri: str, body: bytes | str | None, headers: Mapping[str, Any]) -> None:
        self.method = method
        self.uri = uri
        self.body = body.encode() if isinstance(body, str) else body
        by_name: dict[str, tuple[str, Any]] = {}
        for name, value in headers.items():
            value = value[0] if isinstance(value, list | tuple) else value
            lowered = str(name).lower()
            by_name[lowered] = (by_name[lowered][0] if lowered in by_name else str(name), value)
        self.headers = by_name
        parts = urlsplit(uri)
        self.scheme, self.netloc, self.path, self.query = parts.scheme, parts.netloc, parts.path, parts.query
        self._pairs: list[tuple[str, str]] | None = None
        self._tree: Any = _UNDECODED
        self._compared: dict[str, str] | None = None

    def header(self, name: str) -> Any:
        """A header's value by its name in any case (None when absent)."""
        found = self.headers.get(name.lower())
        return found[1] if found is not None else None

    def header_items(self) -> dict[str, Any]:
        return dict(self.headers.values())

    @property
    def compared_headers(self) -> dict[str, str]:
        """The headers replay compares, by lower-case name, as text (the transport's left out)."""
        if self._compared is None:
            self._compared = {
                name: _norm(value)
                for name, (_, value) in self.headers.items()
                if name not in TRANSPORT_HEADERS
            }
        return self._compared

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = sorted(parse_qsl(self.query, keep_blank_values=True))
        return self._pairs

    @property
    def decoded(self) -> Any:
        """The decoded body, once per request (matching may compare it many times)."""
        if self._tree is _UNDECODED:
            body = self.body
            tree = None
            if body:
                tree = encoding.decode_body(content_type_of(self.header_items()), body)
            self._tree = tree
        return self._tree


_UNDECODED = object()
Matcher = Callable[[RecordedRequest, RecordedRequest], None]


def method_matcher(r1: RecordedRequest, r2: RecordedRequest) -> None:
    assert r1.method == r2.method, f"method: sent {r1.method}, recorded {r2.method}"


def url_matcher(r1: RecordedRequest, r2: RecordedRequest) -> None:
    assert r1.scheme == r2.scheme and r1.netloc.lower() == r2.netloc.lower(), (
        f"host: sent {r1.netloc}, recorded {r2.netloc}"
    )
    assert r1.path.rstrip("/") == r2.path.rstrip("/"), f"path: sent {r1.path}, recorded {r2.path}"
    assert r1.query == r2.query or r1.query_pairs == r2.query_pairs, (
        f"query: sent {r1.query or '(none)'}, recorded {r2.query or '(none)'}"
    )


def body_matcher(volatile: Iterable[str]) -> Matcher:
    patterns = tuple(volatile)

    def match_body(r1: RecordedRequest, r2: RecordedRequest) -> None:
        if r1.body == r2.body:  # the common case: the same bytes, nothing to decode
            return
        # bodies of another endpoint are not worth decoding (the method or URL matcher fails there)
        assert r1.method == r2.method and r1.path == r2.path, "body: not compared (another endpoint)"
        differences = diff_trees(r2.decoded, r1.decoded, volatile=patterns)
        assert not differences, "body: " + "; ".join(differences[:4])

    match_body.__name__ = "body"
    return match_body


# Request headers the transport, not the connector, sets: they say nothing about the payment and
# differ between HTTP clients, so replay does not compare them.
TRANSPORT_HEADERS = frozenset(
    {"user-agent", "content-length", "accept-encoding", "connection", "host", "transfer-encoding"}
)


def header_differences(
    recorded: Mapping[str, Any], sent: Mapping[str, Any], *, volatile: Iterable[str] = ()
) -> list[str]:
    """Request headers that differ, one line each. Both sides are in recorded form: non-secret
    values compare exactly, secret ones by auth scheme (`Bearer ***` is not `Basic ***`). A
    `volatile` header (random by the connector's design) must be present on both sides."""
    return _header_lines(
        {str(k).lower(): (str(k), v) for k, v in recorded.items()},
        {str(k).lower(): (str(k), v) for k, v in sent.items()},
        frozenset(name.lower() for name in volatile),
    )


def _header_lines(
    recorded: Mapping[str, tuple[str, Any]],
    sent: Mapping[str, tuple[str, Any]],
    presence_only: frozenset[str],
) -> list[str]:
    out: list[str] = []
    for name in sorted(set(recorded) | set(sent)):
        if name in TRANSPORT_HEADERS:
            continue
        if name not in sent:
            label, value = recorded[name]
            out.append(f"header {label}: recorded {shown(_norm(value))}, sent nothing")
        elif name not in recorded:
            label, value = sent[name]
            out.append(f"header {label}: not recorded, sent {shown(_norm(value))}")
        elif name not in presence_only and _norm(recorded[name][1]) != _norm(sent[name][1]):
            out.append(
                f"header {recorded[name][0]}: recorded {shown(_norm(recorded[name][1]))}, "
                f"sent {shown(_norm(sent[name][1]))}"
            )
    return out


def headers_matcher(volatile: Iterable[str]) -> Matcher:
    presence_only = frozenset(name.lower() for name in volatile)

    def match_headers(r1: RecordedRequest, r2: RecordedRequest) -> None:
        assert r1.method == r2.method and r1.path == r2.path, "headers: not compared (another endpoint)"
        sent, recorded = r1.compared_headers, r2.compared_headers
        if sent == recorded:  # the common case: nothing differs, not even a volatile header's value
            return
        if (
            presence_only
            and sent.keys() == recorded.keys()
            and all(sent[name] == value for name, value in recorded.items() if name not in presence_only)
        ):
            return  # only presence-only (volatile) headers differ, by value
        differences = _header_lines(r2.headers, r1.headers, presence_only)
        assert not differences, "; ".join(differences[:4])

    match_headers.__name__ = "headers"
    return match_headers
