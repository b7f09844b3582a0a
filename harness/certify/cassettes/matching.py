"""Semantic matching of a sent request against a recorded one: method, URL, the decoded body (key
order ignored, money and currency compared strictly, volatile fields ignored) and the headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from vcr.request import Request as VcrRequest

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


_TREE = "_certify_tree"


def _decoded(request: VcrRequest) -> Any:
    """The decoded body, computed once per request object (matching compares it many times)."""
    cached = getattr(request, _TREE, _TREE)
    if cached is not _TREE:
        return cached
    body = request.body
    tree = None
    if body is not None and body not in (b"", ""):
        tree = encoding.decode_body(content_type_of(dict(request.headers)), body)
    setattr(request, _TREE, tree)
    return tree


def method_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    assert r1.method == r2.method, f"method: sent {r1.method}, recorded {r2.method}"


def url_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    a, b = urlsplit(r1.uri), urlsplit(r2.uri)
    assert (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower()), (
        f"host: sent {a.netloc}, recorded {b.netloc}"
    )
    assert a.path.rstrip("/") == b.path.rstrip("/"), f"path: sent {a.path}, recorded {b.path}"
    qa, qb = (
        sorted(parse_qsl(a.query, keep_blank_values=True)),
        sorted(parse_qsl(b.query, keep_blank_values=True)),
    )
    assert qa == qb, f"query: sent {a.query or '(none)'}, recorded {b.query or '(none)'}"


def body_matcher(volatile: Iterable[str]) -> Callable[[VcrRequest, VcrRequest], None]:
    patterns = tuple(volatile)

    def match_body(r1: VcrRequest, r2: VcrRequest) -> None:
        if r1.body == r2.body:  # the common case: the same bytes, nothing to decode
            return
        # vcrpy runs every matcher on every recorded request; bodies of another endpoint are not
        # worth decoding (the method or URL matcher already fails there)
        assert r1.method == r2.method and r1.path == r2.path, "body: not compared (another endpoint)"
        differences = diff_trees(_decoded(r2), _decoded(r1), volatile=patterns)
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
    skipped = TRANSPORT_HEADERS
    presence_only = {name.lower() for name in volatile}
    recorded_by_name = {str(k).lower(): (str(k), _norm(v)) for k, v in recorded.items()}
    sent_by_name = {str(k).lower(): (str(k), _norm(v)) for k, v in sent.items()}
    out: list[str] = []
    for name in sorted(set(recorded_by_name) | set(sent_by_name)):
        if name in skipped:
            continue
        if name not in sent_by_name:
            label, value = recorded_by_name[name]
            out.append(f"header {label}: recorded {shown(value)}, sent nothing")
        elif name not in recorded_by_name:
            label, value = sent_by_name[name]
            out.append(f"header {label}: not recorded, sent {shown(value)}")
        elif name not in presence_only and recorded_by_name[name][1] != sent_by_name[name][1]:
            label = recorded_by_name[name][0]
            out.append(
                f"header {label}: recorded {shown(recorded_by_name[name][1])}, "
                f"sent {shown(sent_by_name[name][1])}"
            )
    return out


def headers_matcher(volatile: Iterable[str]) -> Callable[[VcrRequest, VcrRequest], None]:
    names = tuple(volatile)

    def match_headers(r1: VcrRequest, r2: VcrRequest) -> None:
        assert r1.method == r2.method and r1.path == r2.path, "headers: not compared (another endpoint)"
        differences = header_differences(dict(r2.headers), dict(r1.headers), volatile=names)
        assert not differences, "; ".join(differences[:4])

    match_headers.__name__ = "headers"
    return match_headers
