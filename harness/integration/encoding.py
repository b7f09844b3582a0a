"""Body encoders and decoders: JSON, form-urlencoded with bracket keys, XML.

Encoders walk a tree whose leaves may be `Secret`s and either expose them (the wire) or mask
them (everything else). Decoders turn any body back into a tree so that cassette matching,
contract checks and property checks read every format the same way.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, quote
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from harness.domain.secret import MASK, Secret


def _leaf(value: Any, expose_secrets: bool) -> Any:
    if isinstance(value, Secret):
        return _leaf(value.expose(), expose_secrets) if expose_secrets else MASK
    if isinstance(value, Decimal):
        raise TypeError("a Decimal in a request body: convert amounts with the connector's converter")
    return value


def resolve(tree: Any, *, expose_secrets: bool, masked: Callable[[Any, Any], bool] | None = None) -> Any:
    """The tree as an encoder writes it: `None` values dropped, keys as text, tuples as lists,
    `Secret`s exposed or masked. A mapping entry for which `masked(key, value)` holds is written as
    the mask (in mappings and lists, not in tuples), as `flatten_form` does."""
    return _resolve(tree, expose_secrets, masked)


def _resolve(tree: Any, expose_secrets: bool, masked: Callable[[Any, Any], bool] | None = None) -> Any:
    if isinstance(tree, Mapping):
        if masked is None:
            return {str(k): _resolve(v, expose_secrets) for k, v in tree.items() if v is not None}
        return {
            str(k): MASK if masked(k, v) else _resolve(v, expose_secrets, masked)
            for k, v in tree.items()
            if v is not None
        }
    if isinstance(tree, list | tuple):
        inner = masked if isinstance(tree, list) else None
        return [_resolve(v, expose_secrets, inner) for v in tree]
    return _leaf(tree, expose_secrets)


def dumps_json(resolved: Any) -> bytes:
    """A resolved tree (see `resolve`) as the JSON bytes every request body is sent as."""
    return json.dumps(resolved, separators=(",", ":"), ensure_ascii=False).encode()


def encode_json(tree: Any, *, expose_secrets: bool) -> bytes:
    return dumps_json(_resolve(tree, expose_secrets))


def dumps_exact(tree: Any) -> str:
    """JSON text in which every Decimal keeps its exact digits (no float on the way)."""
    raw: list[str] = []

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, Decimal):
            raw.append(str(value))
            return f"\x00RAW{len(raw) - 1}\x00"
        return value

    text = json.dumps(convert(tree), separators=(",", ":"), ensure_ascii=False)
    return re.sub(r'"\\u0000RAW(\d+)\\u0000"', lambda m: raw[int(m.group(1))], text)


def _form_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_FORM_LEAVES = (str, int, float, Decimal)


def flatten_form(
    tree: Any, prefix: str = "", masked: Callable[[Any, Any], bool] | None = None
) -> list[tuple[str, Any]]:
    """`{"card": {"number": x}}` -> `[("card[number]", x)]`; lists use indexes: `a[0]`. A mapping entry
    for which `masked(key, value)` holds is written as the mask (in mappings and lists, not in tuples)."""
    if isinstance(tree, _FORM_LEAVES):  # most nodes: decided without the Mapping ABC's slower check
        return [(prefix, tree)]
    pairs: list[tuple[str, Any]] = []
    if isinstance(tree, Mapping):
        for key, value in tree.items():
            if value is None:
                continue
            name = f"{prefix}[{key}]" if prefix else str(key)
            if masked is not None and masked(key, value):
                pairs.append((name, MASK))
            else:
                pairs.extend(flatten_form(value, name, masked))
    elif isinstance(tree, list | tuple):
        inner = masked if isinstance(tree, list) else None
        for index, value in enumerate(tree):
            pairs.extend(flatten_form(value, f"{prefix}[{index}]", inner))
    else:
        pairs.append((prefix, tree))
    return pairs


@functools.lru_cache(maxsize=4096)
def _form_key(key: str) -> str:
    return quote(key, safe="[]")  # the same field names in every request of a flow


def encode_form(tree: Any, *, expose_secrets: bool) -> bytes:
    return encode_form_pairs(flatten_form(tree), expose_secrets=expose_secrets)


def encode_form_pairs(pairs: list[tuple[str, Any]], *, expose_secrets: bool) -> bytes:
    """Flattened pairs (see `flatten_form`) as a form body."""
    parts = []
    for key, value in pairs:
        text = _form_scalar(_leaf(value, expose_secrets))
        parts.append(f"{_form_key(key)}={quote(text, safe='')}")
    return "&".join(parts).encode()


_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


def _form_path(key: str) -> list[str]:
    head = key.split("[", 1)[0]
    return [head, *_BRACKETS.findall(key[len(head) :])]


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        converted = {k: _listify(v) for k, v in node.items()}
        keys = list(converted)
        if keys and all(k.isdigit() for k in keys) and sorted(int(k) for k in keys) == list(range(len(keys))):
            return [converted[str(i)] for i in range(len(keys))]
        return converted
    return node


def decode_form(body: bytes | str) -> dict[str, Any]:
    """Bracket keys back into a nested tree; every leaf is a string, as on the wire."""
    text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        path = _form_path(key)
        node = root
        for index, part in enumerate(path):
            last = index == len(path) - 1
            if part == "":  # a[] appends
                part = str(sum(1 for k in node if k.isdigit()))
            if last:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    child = node[part] = {"": child}
                node = child
    return _listify(root)


def encode_xml(tree: Any, *, root: str, expose_secrets: bool) -> bytes:
    element = ElementTree.Element(root)
    _fill_xml(element, _resolve(tree, expose_secrets))
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def _fill_xml(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            items = child if isinstance(child, list) else [child]
            for item in items:
                sub = ElementTree.SubElement(element, key)
                _fill_xml(sub, item)
    elif value is not None:
        element.text = _form_scalar(value)


def _xml_tree(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in children:
        tag = child.tag.split("}", 1)[-1]  # drop namespaces
        value = _xml_tree(child)
        if tag in out:
            existing = out[tag]
            out[tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[tag] = value
    return out


def decode_xml(body: bytes | str) -> dict[str, Any]:
    data = body.encode() if isinstance(body, str) else body
    element = SafeElementTree.fromstring(data.decode("utf-8-sig").encode())
    return {element.tag.split("}", 1)[-1]: _xml_tree(element)}


def decode_json(body: bytes | str) -> Any:
    """JSON with non-integers as Decimal, so that no float ever appears while reading money."""
    text = body.decode("utf-8-sig") if isinstance(body, bytes) else body.lstrip("\ufeff")
    return json.loads(text, parse_float=Decimal)


def decode_body(content_type: str, body: bytes | str) -> Any:
    """Any body as a tree; a body that does not parse as its type is returned as text."""
    kind = (content_type or "").split(";")[0].strip().lower()
    raw = body.encode() if isinstance(body, str) else body
    if not raw:
        return None
    try:
        if kind.endswith("json") or kind == "":
            return decode_json(raw)
        if kind == "application/x-www-form-urlencoded":
            return decode_form(raw)
        if kind.endswith("xml"):
            return decode_xml(raw)
    except (ValueError, ElementTree.ParseError, SafeElementTree.ParseError):
        pass
    return raw.decode("utf-8-sig", errors="replace")


def get_path(tree: Any, dotted: str) -> Any:
    """The value at `a.b.0.c` in a tree, or `MISSING`."""
    node = tree
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def set_path(tree: Any, dotted: str, value: Any) -> bool:
    """Set the value at `a.b.0.c` in place; False when the path does not exist."""
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        node[last] = value
        return True
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
        return True
    return False


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
