"""Cassettes: vcrpy's format, safe YAML, semantic matching, provenance, atomic writes.

Replay does not patch any HTTP library: `ReplayTransport` implements the transport interface
over a vcrpy `Cassette` loaded with record mode `none`, so no socket is ever opened. A request
is matched on method, URL, a semantic body comparison (JSON, form with bracket keys and XML
decoded; key order ignored; money and currency fields compared strictly; the connector's
volatile fields ignored) and its headers (non-secret ones exactly, secret ones by auth scheme;
transport headers such as User-Agent ignored; the connector's volatile headers by presence).
Recorded requests are stored in their masked form, so replay masks the outgoing request the same
way before matching.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import yaml
from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest
from vcr.serialize import serialize as vcr_serialize

from harness.domain.errors import HarnessError
from harness.domain.secret import MASK, masked_with_scheme
from harness.integration import encoding
from harness.integration.encoding import dumps_exact
from harness.integration.http import HttpRequest, HttpResponse

PROVENANCE_KINDS = ("recorded-sandbox", "authored-from-docs")

# Keys whose values are secrets wherever they appear in a body, at any depth, in any format
# (JSON, form with bracket keys, XML elements): card data, credentials, tokens. A key in the
# list masks everything under it (`merchantAuthentication` hides its name and transactionKey).
SECRET_KEYS = frozenset(
    k.lower()
    for k in (
        # card data
        "number", "card_number", "cardNumber", "pan", "cvc", "cvv", "cvv2", "cvc2", "cvn", "csc", "cardCode",
        "card_cvc", "card_cvv", "security_code", "securityCode", "exp_month", "exp_year", "expiry_month",
        "expiry_year", "expiryMonth", "expiryYear", "expirationMonth", "expirationYear", "expirationDate",
        "expiration_date", "expiryDate", "expiry_date", "exp_date", "expiry", "expiration", "card_exp_month",
        "card_exp_year", "holderName", "holder_name", "cardholder_name", "cardholderName", "card_holder_name",
        "name_on_card", "nameOnCard", "track1", "track2", "iban", "account_number",
        # credentials
        "password", "passwd", "pwd", "secret", "api_key", "apiKey", "api_secret", "apiSecret", "secret_key",
        "private_key", "client_secret", "clientSecret", "transactionKey", "transaction_key",
        "merchantAuthentication", "authorization", "key1", "key2",
        # tokens
        "access_token", "accessToken", "refresh_token", "refreshToken", "id_token", "token", "session_token",
        "sessionToken",
    )
)  # fmt: skip
# Headers whose values are masked in cassettes and reports: exact names, then anything whose name
# says it carries a credential, a token, a signature or a session (`X-Merchant-Key`, `Api-Token`...).
SECRET_HEADERS = frozenset(
    h.lower()
    for h in ("Authorization", "X-API-Key", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Auth-Token")
)
_SECRET_HEADER_WORDS = re.compile(r"auth|key|secret|token|passw|cookie|signature|session|credential|private")
# An idempotency key (`Idempotency-Key`, `Cko-Idempotency-Key`) names an operation, it grants nothing:
# it is kept so that replay can compare it.
_PUBLIC_HEADER = re.compile(r"(^|-)idempotency-key$")


def is_secret_header(name: str) -> bool:
    lowered = name.lower()
    if lowered in SECRET_HEADERS:
        return True
    return not _PUBLIC_HEADER.search(lowered) and bool(_SECRET_HEADER_WORDS.search(lowered))


MONEY_KEYS = frozenset(
    k.lower() for k in ("amount", "amount_to_capture", "value", "currency", "currency_code", "currencyCode")
)


class CassetteError(HarnessError):
    """A cassette that cannot be read: bad YAML, bad structure, unsafe tags, bad provenance."""


class ReplayMismatch(HarnessError):
    """The connector sent a request that no unplayed recorded interaction matches."""


# ------------------------------------------------------------------ safe serializer


class _SafeSerializer:
    """YAML with the safe loader only: no Python tags of any kind."""

    @staticmethod
    def deserialize(text: str) -> Any:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    @staticmethod
    def serialize(data: Any) -> str:
        return yaml.dump(
            data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, width=120
        )


SAFE_SERIALIZER = _SafeSerializer()


# ------------------------------------------------------------------ provenance


@dataclass(frozen=True)
class Provenance:
    kind: str  # recorded-sandbox | authored-from-docs
    date: dt.datetime  # recorded_at or authored_at, UTC
    api_version: str | None
    sources: tuple[str, ...]
    note: str

    def age_days(self, now: dt.datetime | None = None) -> int:
        now = now or dt.datetime.now(dt.UTC)
        return max((now - self.date).days, 0)

    def as_dict(self) -> dict[str, Any]:
        key = "recorded_at" if self.kind == "recorded-sandbox" else "authored_at"
        out: dict[str, Any] = {"kind": self.kind, key: self.date.isoformat().replace("+00:00", "Z")}
        if self.api_version:
            out["api_version"] = self.api_version
        if self.sources:
            out["sources"] = list(self.sources)
        if self.note:
            out["note"] = self.note
        return out


def _parse_date(value: Any, *, path: Path, key: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise CassetteError(f"metadata.provenance.{key} is not an ISO date", path=str(path))


def parse_provenance(metadata: Any, *, path: Path) -> Provenance:
    hint = "add metadata.provenance (kind: recorded-sandbox with recorded_at and api_version, "
    hint += "or kind: authored-from-docs with authored_at and sources)"
    provenance = metadata.get("provenance") if isinstance(metadata, Mapping) else None
    if not isinstance(provenance, Mapping):
        raise CassetteError("cassette has no provenance", path=str(path), hint=hint)
    kind = provenance.get("kind")
    if kind not in PROVENANCE_KINDS:
        raise CassetteError(
            f"provenance kind must be one of {', '.join(PROVENANCE_KINDS)}", path=str(path), hint=hint
        )
    key = "recorded_at" if kind == "recorded-sandbox" else "authored_at"
    if key not in provenance:
        raise CassetteError(f"provenance needs {key}", path=str(path), hint=hint)
    sources = provenance.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise CassetteError(
            f"metadata.provenance.sources must be a list of URLs, not {_type_name(sources)}",
            path=str(path),
            hint=hint,
        )
    if kind == "authored-from-docs" and not sources:
        raise CassetteError("an authored cassette must list its sources", path=str(path), hint=hint)
    for name in ("api_version", "note"):
        if not isinstance(provenance.get(name), str | int | type(None)):
            raise CassetteError(
                f"metadata.provenance.{name} must be text, not {_type_name(provenance[name])}", path=str(path)
            )
    api_version = provenance.get("api_version")
    return Provenance(
        kind=str(kind),
        date=_parse_date(provenance[key], path=path, key=key),
        api_version=str(api_version) if api_version is not None else None,
        sources=tuple(str(s) for s in sources),
        note=str(provenance.get("note") or ""),
    )


# ------------------------------------------------------------------ scrubbing
#
# Everything a cassette stores goes through these functions, and replay passes every outgoing
# request through the same ones before matching (`recorded_form`, `recorded_url`), so a masked
# field matches whatever value was sent: the placeholder is the same on both sides.

MIN_SUBSTITUTED_LENGTH = 8  # shorter scrubbed values (an expiry month) are not replaced elsewhere


def _is_secret_key(key: Any, keys: frozenset[str]) -> bool:
    return str(key).lower() in keys


def scrub_tree(tree: Any, keys: frozenset[str] = SECRET_KEYS) -> Any:
    """A copy of the tree with every value under a secret-looking key replaced by the mask."""
    if isinstance(tree, Mapping):
        out = {}
        for key, value in tree.items():
            if _is_secret_key(key, keys) and value not in (None, "", MASK):
                out[key] = MASK
            else:
                out[key] = scrub_tree(value, keys)
        return out
    if isinstance(tree, list):
        return [scrub_tree(v, keys) for v in tree]
    return tree


def secret_values_in(
    tree: Any, keys: frozenset[str] = SECRET_KEYS, *, under_secret: bool = False
) -> set[str]:
    """The string values `scrub_tree` would mask (long enough to be replaced wherever they recur)."""
    found: set[str] = set()
    if isinstance(tree, Mapping):
        for key, value in tree.items():
            found |= secret_values_in(value, keys, under_secret=under_secret or _is_secret_key(key, keys))
    elif isinstance(tree, list):
        for value in tree:
            found |= secret_values_in(value, keys, under_secret=under_secret)
    elif under_secret and isinstance(tree, str | int) and not isinstance(tree, bool):
        text = str(tree)
        if len(text) >= MIN_SUBSTITUTED_LENGTH and text != MASK:
            found.add(text)
    return found


def _content_type(headers: Mapping[str, Any]) -> str:
    for key, value in headers.items():
        if key.lower() == "content-type":
            text = value[0] if isinstance(value, list) else value
            return str(text).split(";")[0].strip().lower()
    return ""


def _reencode(content_type: str, tree: Any, original: bytes) -> bytes:
    if content_type.endswith("json") or content_type == "":
        return dumps_exact(tree).encode()
    if content_type == "application/x-www-form-urlencoded":
        return encoding.encode_form(tree, expose_secrets=False)
    return original


def _scrub_xml(body: bytes, keys: frozenset[str]) -> bytes:
    """Mask secret elements and attributes in place, keeping the document's structure."""
    from xml.etree import ElementTree

    from defusedxml import ElementTree as SafeElementTree

    try:
        root = SafeElementTree.fromstring(body.decode("utf-8-sig").encode())
    except (ValueError, ElementTree.ParseError, SafeElementTree.ParseError):
        return body
    changed = False
    for element in root.iter():
        for name in list(element.attrib):
            if _is_secret_key(name.split("}", 1)[-1], keys) and element.attrib[name] not in ("", MASK):
                element.attrib[name] = MASK
                changed = True
        tag = element.tag.split("}", 1)[-1] if isinstance(element.tag, str) else ""
        if _is_secret_key(tag, keys) and (len(element) or (element.text or "").strip() not in ("", MASK)):
            for child in list(element):
                element.remove(child)
            element.text = MASK
            changed = True
    if not changed:
        return body
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=body.lstrip().startswith(b"<?xml"))


def xml_secret_values(body: bytes, keys: frozenset[str] = SECRET_KEYS) -> set[str]:
    tree = encoding.decode_body("application/xml", body)
    return secret_values_in(tree, keys) if isinstance(tree, Mapping) else set()


def scrub_body(content_type: str, body: bytes | None) -> bytes | None:
    """The body with every secret-looking field masked, re-encoded in its own format."""
    if not body:
        return body
    if content_type.endswith("xml"):
        return _scrub_xml(body, SECRET_KEYS)
    tree = encoding.decode_body(content_type, body)
    if isinstance(tree, str) or tree is None:
        return body
    scrubbed = scrub_tree(tree)
    return body if scrubbed == tree else _reencode(content_type, scrubbed, body)


def body_secret_values(content_type: str, body: bytes | None) -> set[str]:
    """The values `scrub_body` masks in this body."""
    if not body:
        return set()
    if content_type.endswith("xml"):
        return xml_secret_values(body)
    tree = encoding.decode_body(content_type, body)
    return set() if isinstance(tree, str) or tree is None else secret_values_in(tree)


def scrub_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Secret headers masked, keeping a well-known auth scheme word (`Authorization: Bearer ***`)."""
    return {k: (masked_with_scheme(str(v)) if is_secret_header(k) else v) for k, v in headers.items()}


def recorded_url(url: str) -> str:
    """The URL with the values of secret-looking query parameters masked (`?api_key=***`)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(_is_secret_key(key, SECRET_KEYS) and value not in ("", MASK) for key, value in pairs):
        return url
    query = urlencode(
        [(k, MASK if _is_secret_key(k, SECRET_KEYS) and v else v) for k, v in pairs], safe="*[]"
    )
    return urlunsplit(parts._replace(query=query))


def recorded_form(request: HttpRequest) -> tuple[bytes | None, dict[str, str]]:
    """The request as a cassette stores it: secret-looking fields scrubbed, `Secret`s masked.

    The name-based scrub works on the body tree before encoding, so nothing is parsed back.
    """
    headers = scrub_headers(request.recorded_headers())
    if request.body is None:
        return None, headers
    return replace(request.body, data=scrub_tree(request.body.data)).encode(expose_secrets=False), headers


# ------------------------------------------------------------------ semantic matching


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
                out.append(f"{child}: recorded {_show(recorded[key])}, sent nothing")
            elif key not in recorded:
                out.append(f"{child}: not recorded, sent {_show(sent[key])}")
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
        return [f"{here}: recorded {_show(recorded)}, sent {_show(sent)}"]
    last = path.rsplit(".", 1)[-1].lower()
    if last in MONEY_KEYS:
        if type(recorded) is not type(sent) or recorded != sent:
            return [f"{here} (money, compared strictly): recorded {_show(recorded)}, sent {_show(sent)}"]
        return []
    if _norm(recorded) != _norm(sent):
        return [f"{here}: recorded {_show(recorded)}, sent {_show(sent)}"]
    return []


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, Decimal) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


_TREE = "_certify_tree"


def _decoded(request: VcrRequest) -> Any:
    """The decoded body, computed once per request object (matching compares it many times)."""
    cached = getattr(request, _TREE, _TREE)
    if cached is not _TREE:
        return cached
    body = request.body
    tree = None
    if body is not None and body not in (b"", ""):
        tree = encoding.decode_body(_content_type(dict(request.headers)), body)
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
            out.append(f"header {label}: recorded {_show(value)}, sent nothing")
        elif name not in recorded_by_name:
            label, value = sent_by_name[name]
            out.append(f"header {label}: not recorded, sent {_show(value)}")
        elif name not in presence_only and recorded_by_name[name][1] != sent_by_name[name][1]:
            label = recorded_by_name[name][0]
            out.append(
                f"header {label}: recorded {_show(recorded_by_name[name][1])}, "
                f"sent {_show(sent_by_name[name][1])}"
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


# ------------------------------------------------------------------ loading and replay


@dataclass
class LoadedCassette:
    path: Path
    provenance: Provenance
    cassette: Cassette

    @property
    def interactions(self) -> int:
        return len(self.cassette.data)

    def unplayed(self) -> list[str]:
        return [
            f"#{index + 1} {request.method} {urlsplit(request.uri).path}"
            for index, (request, _) in enumerate(self.cassette.data)
            if not self.cassette.play_counts[index]
        ]

    def recorded_exchanges(self) -> list[tuple[VcrRequest, dict[str, Any]]]:
        return list(self.cassette.data)


_PARSED: OrderedDict[tuple[str, int, int], Any] = OrderedDict()
PARSE_CACHE_SIZE = 1024
MAX_CASSETTE_BYTES = 4 * 1024 * 1024  # the shipped cassettes are a few kB; a recorded body is rarely 100 kB
MAX_CASSETTE_NODES = 100_000  # values after alias expansion: a YAML alias bomb expands to billions


def _parse(path: Path) -> Any:
    """The parsed YAML of a cassette, cached per process by path, size and modification time
    (a run reads each cassette twice: for the report's provenance list and for its scenario).
    Documents over `MAX_CASSETTE_BYTES`, or over `MAX_CASSETTE_NODES` once aliases are expanded,
    are refused before anything walks them."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return _PARSED[key]
    if stat.st_size > MAX_CASSETTE_BYTES:
        raise CassetteError(
            f"{stat.st_size} bytes, over the {MAX_CASSETTE_BYTES} a cassette may have",
            path=str(path),
            hint="trim the recorded bodies, or split the scenario",
        )
    data = SAFE_SERIALIZER.deserialize(path.read_text(encoding="utf-8"))
    if expanded_size(data, MAX_CASSETTE_NODES) > MAX_CASSETTE_NODES:
        raise CassetteError(
            f"over {MAX_CASSETTE_NODES} values once its YAML aliases are expanded (an alias bomb?)",
            path=str(path),
            hint="cassettes need no anchors or aliases: re-record it with `certify record`",
        )
    _PARSED[key] = data
    if len(_PARSED) > PARSE_CACHE_SIZE:
        _PARSED.popitem(last=False)
    return data


def expanded_size(tree: Any, limit: int) -> int:
    """How many values `tree` holds with every shared (aliased) node counted each time it is used;
    stops counting past `limit`. Linear in the distinct nodes; a cycle counts as over the limit."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        ident = id(node)
        if ident in sizes:
            return sizes[ident]
        if ident in active:
            return limit + 1  # a recursive alias never ends
        active.add(ident)
        total = 1
        for child in node.items() if isinstance(node, dict) else node:
            total += size(child[1]) + 1 if isinstance(node, dict) else size(child)
            if total > limit:
                break
        active.discard(ident)
        sizes[ident] = total
        return total

    return size(tree)


def clear_parse_cache() -> None:
    _PARSED.clear()


def _type_name(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {_show(value)}"


HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def _header_problem(headers: Any) -> str | None:
    if not isinstance(headers, Mapping):
        return f"must be a mapping of header names to values, not {_type_name(headers)}"
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        if not isinstance(name, str) or not all(isinstance(v, str | int) for v in values):
            return f"{name}: must be text or a list of text, not {_type_name(value)}"
    return None


def interaction_problem(interaction: Any) -> str | None:
    """The first field of a recorded interaction with the wrong shape or type, as `field: problem`."""
    if not isinstance(interaction, Mapping):
        return f"must be a mapping with request and response, not {_type_name(interaction)}"
    request, response = interaction.get("request"), interaction.get("response")
    if not isinstance(request, Mapping):
        return f"request: must be a mapping, not {_type_name(request)}"
    if not isinstance(response, Mapping):
        return f"response: must be a mapping, not {_type_name(response)}"
    method, uri = request.get("method"), request.get("uri")
    if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
        return f"request.method: must be an HTTP method, not {_type_name(method)}"
    if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
        return f"request.uri: must be an http(s) URL, not {_type_name(uri)}"
    if not isinstance(request.get("body"), str | bytes | type(None)):
        return f"request.body: must be text, not {_type_name(request.get('body'))}"
    problem = _header_problem(request.get("headers", {}))
    if problem:
        return f"request.headers: {problem}"
    status = response.get("status")
    code = status.get("code") if isinstance(status, Mapping) else None
    if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 599:
        return f"response.status.code: must be an HTTP status code, not {_type_name(code)}"
    problem = _header_problem(response.get("headers", {}))
    if problem:
        return f"response.headers: {problem}"
    body = response.get("body")
    if not isinstance(body, Mapping):
        return f"response.body: must be a mapping with a string, not {_type_name(body)}"
    if not isinstance(body.get("string"), str | bytes | type(None)):
        return f"response.body.string: must be text, not {_type_name(body.get('string'))}"
    return None


def load_cassette(
    path: Path,
    *,
    volatile: Iterable[str] = (),
    volatile_headers: Iterable[str] = (),
    compare_headers: bool = True,
) -> LoadedCassette:
    """Load with the safe loader and check structure, types and provenance; errors name the file and field.

    Replay matches method, URL, body (`volatile`: body paths ignored) and request headers
    (`volatile_headers`: compared by presence only; `compare_headers=False` for a check that
    judges the headers itself and needs every step of the chain sent)."""
    if not path.is_file():
        raise FileNotFoundError(str(path))
    try:
        return _load(path, tuple(volatile), tuple(volatile_headers) if compare_headers else None)
    except (CassetteError, FileNotFoundError):
        raise
    except Exception as error:  # any other surprise in a hand-edited file is still the cassette's
        raise CassetteError(
            f"malformed ({type(error).__name__}: {str(error)[:120]})", path=str(path), hint="re-record it"
        ) from None


def _load(path: Path, volatile: Iterable[str], volatile_headers: Iterable[str] | None) -> LoadedCassette:
    try:
        data = _parse(path)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CassetteError(
            f"not valid safe YAML{where} ({type(error).__name__})",
            path=str(path),
            hint="re-record it with `certify record`, or fix it by hand",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CassetteError(f"unreadable ({type(error).__name__})", path=str(path)) from None
    except RecursionError:
        raise CassetteError(
            "nested too deeply to be a cassette", path=str(path), hint="re-record it"
        ) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("interactions"), list):
        raise CassetteError(
            "not a vcrpy cassette (no interactions list)", path=str(path), hint="re-record it"
        )
    if data.get("version") != 1:
        raise CassetteError(
            "unsupported cassette format version", path=str(path), hint="vcrpy format version 1"
        )
    provenance = parse_provenance(data.get("metadata"), path=path)
    cassette = Cassette(
        path=str(path),
        serializer=SAFE_SERIALIZER,
        record_mode=RecordMode.NONE,
        match_on=(method_matcher, url_matcher, body_matcher(volatile))
        + ((headers_matcher(volatile_headers),) if volatile_headers is not None else ()),
        allow_playback_repeats=False,
    )
    for number, interaction in enumerate(data["interactions"], start=1):
        problem = interaction_problem(interaction)
        if problem:
            raise CassetteError(
                f"interactions[{number - 1}].{problem}",
                path=str(path),
                hint="re-record it with `certify record`, or fix the field by hand",
            )
        request = VcrRequest._from_dict(interaction["request"])
        recorded = interaction["response"]
        body = recorded["body"]["string"]
        # a fresh response per load: the parsed document is shared through the parse cache
        response = {**recorded, "body": {"string": body.encode() if isinstance(body, str) else body}}
        cassette.data.append((request, response))
        cassette._old_interactions.append((request, response))
    cassette.rewound = True
    cassette.dirty = False
    return LoadedCassette(path=path, provenance=provenance, cassette=cassette)


def _flat_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) and v else str(v)) for k, v in headers.items()}


class ReplayTransport:
    """Answers from a cassette; an unmatched request raises `ReplayMismatch` naming the closest one."""

    def __init__(self, loaded: LoadedCassette) -> None:
        self.loaded = loaded
        self.sent: list[HttpRequest] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        body, headers = recorded_form(request)
        vcr_request = VcrRequest(request.method.value, recorded_url(request.url), body, headers)
        try:
            response = self.loaded.cassette.play_response(vcr_request)
        except UnhandledHTTPRequestError:
            raise ReplayMismatch(self._mismatch(vcr_request), path=str(self.loaded.path)) from None
        return HttpResponse(
            status_code=int(response["status"]["code"]),
            body=response["body"]["string"] or b"",
            headers=_flat_headers(response.get("headers") or {}),
        )

    def _mismatch(self, request: VcrRequest) -> str:
        cassette = f"{self.loaded.path.parent.name}/{self.loaded.path.name}"
        where = f"no unplayed recorded request matches {request.method} {request.uri} in {cassette}"
        best = self.loaded.cassette.find_requests_with_most_matches(request)
        if not best:
            return f"{where}; nothing recorded is close"
        stored, _successes, failures = best[0]
        index = next(i for i, (r, _) in enumerate(self.loaded.cassette.data) if r is stored) + 1
        reasons = "; ".join(message for _name, message in failures) or "it was already played"
        closest = f"{stored.method} {urlsplit(stored.uri).path}"
        return f"{where}; closest is interaction #{index} ({closest}): {reasons}"


# ------------------------------------------------------------------ recording and writing


@dataclass
class Exchange:
    request: HttpRequest
    response: HttpResponse


class RecordingTransport:
    """Wraps another transport and keeps every exchange for `write_cassette`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        response = self.inner.handle_request(request)
        self.exchanges.append(Exchange(request, response))
        return response


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
        content_type = _content_type(exchange.response.headers) or "application/json"
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
        content_type = _content_type(exchange.response.headers) or "application/json"
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
