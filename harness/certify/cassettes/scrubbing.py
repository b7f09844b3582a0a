"""What a cassette never stores: card data, credentials and tokens, by key at any depth of a body
(JSON, form, XML), by header name, by query parameter.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from harness.domain.secret import MASK, masked_with_scheme
from harness.integration import encoding
from harness.integration.encoding import dumps_exact
from harness.integration.http import ContentType, HttpRequest, RequestBody

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


@functools.lru_cache(maxsize=4096)  # a run sends the same few header names thousands of times
def is_secret_header(name: str) -> bool:
    lowered = name.lower()
    if lowered in SECRET_HEADERS:
        return True
    return not _PUBLIC_HEADER.search(lowered) and bool(_SECRET_HEADER_WORDS.search(lowered))


# Everything a cassette stores goes through these functions, and replay passes every outgoing
# request through the same ones before matching (`recorded_form`, `recorded_url`), so a masked
# field matches whatever value was sent: the placeholder is the same on both sides.

MIN_SUBSTITUTED_LENGTH = 8  # shorter scrubbed values (an expiry month) are not replaced elsewhere


def _is_secret_key(key: Any, keys: frozenset[str]) -> bool:
    return str(key).lower() in keys


_LEAVES = (str, int, float, bytes, type(None))


def scrub_tree(tree: Any, keys: frozenset[str] = SECRET_KEYS) -> Any:
    """A copy of the tree with every value under a secret-looking key replaced by the mask."""
    if isinstance(tree, _LEAVES):  # most nodes: decided without the Mapping ABC's slower check
        return tree
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


def content_type_of(headers: Mapping[str, Any]) -> str:
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

    The name-based scrub works on the body tree before encoding, so nothing is parsed back; a JSON
    body is scrubbed and resolved for encoding in one walk, a form body scrubbed and flattened in one
    (replay does this for every request).
    """
    headers = scrub_headers(request.recorded_headers())
    body = request.body
    if body is None:
        return None, headers
    if body.content_type is ContentType.JSON:
        return encoding.dumps_json(
            encoding.resolve(body.data, expose_secrets=False, masked=_masked_entry)
        ), headers
    if body.content_type is ContentType.FORM:
        return encoding.encode_form_pairs(
            encoding.flatten_form(body.data, masked=_masked_entry), expose_secrets=False
        ), headers
    return RequestBody(body.content_type, scrub_tree(body.data), body.xml_root).encode(
        expose_secrets=False
    ), headers


def _masked_entry(key: Any, value: Any) -> bool:
    """`scrub_tree`'s rule as the encoders' masking rule: a JSON or form body is scrubbed and encoded
    in one walk (the same bytes: tuples left unscrubbed, as `scrub_tree` leaves them)."""
    return _is_secret_key(key, SECRET_KEYS) and value not in ("", MASK)
