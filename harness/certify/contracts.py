"""Contract checks against `specs/<name>.yaml`, an OpenAPI 3.1 subset of the provider's API.

Requests are validated with jsonschema (schemathesis has no public request validator); form
bodies are decoded by the bracket convention and their strings read by the schema's types.
Responses are validated with schemathesis's response validation. Every violation names a JSON
pointer and never prints a request value (a request may carry a card number).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml
from jsonschema import Draft202012Validator, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness.certify.example_tapes import DigestSets, KeptParses
from harness.domain.errors import HarnessError
from harness.execution.redact import Redactor
from harness.integration import encoding
from harness.integration.http import HttpRequest, HttpResponse

SPEC_URI = "urn:certify:spec"
METHODS = ("get", "post", "put", "patch", "delete")


class SpecError(HarnessError):
    """The spec file is missing, not YAML, or not an OpenAPI 3 document."""


@dataclass(frozen=True)
class Violation:
    where: str  # "request" or "response"
    pointer: str  # JSON pointer into the body ("" for the whole body)
    message: str

    def __str__(self) -> str:
        return f"{self.where} {self.pointer or '/'}: {self.message}"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    pointer: str  # JSON pointer of the operation object in the spec
    definition: Mapping[str, Any]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(path: Any) -> str:
    return "".join(f"/{_escape(str(part))}" for part in path)


class Spec:
    def __init__(
        self, path: Path, document: Mapping[str, Any], exemptions: Mapping[str, str] | None = None
    ) -> None:
        self.path = path
        self.document = document
        # known gaps of the published spec ("response /pointer" -> reason) and what they excused
        self.exemptions: Mapping[str, str] = dict(exemptions or {})
        self.exempted: list[tuple[Violation, str]] = []
        self.registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, Resource.from_contents(dict(document), default_specification=DRAFT202012)
        )
        self.operations = self._operations()
        self._validators: dict[str, Draft202012Validator] = {}

    @cached_property
    def content_hash(self) -> str:
        """The document's content, as a key (the same document read from any file gives the same)."""
        text = json.dumps(self.document, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def _operations(self) -> list[Operation]:
        operations = []
        for template, item in (self.document.get("paths") or {}).items():
            if not isinstance(item, Mapping):
                continue
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.rstrip("/"))) + "/?$"
            for method in METHODS:
                if method in item:
                    pointer = f"/paths/{_escape(template)}/{method}"
                    operations.append(
                        Operation(method.upper(), template, re.compile(regex), pointer, item[method])
                    )
        return operations

    @cached_property
    def server_prefixes(self) -> list[str]:
        prefixes = [""]
        for server in self.document.get("servers") or []:
            path = urlsplit(str(server.get("url", ""))).path.rstrip("/")
            if path:
                prefixes.append(path)
        return sorted(prefixes, key=len, reverse=True)

    def find(self, method: str, url: str) -> Operation | None:
        path = urlsplit(url).path
        for prefix in self.server_prefixes:
            if prefix and not path.startswith(prefix):
                continue
            relative = path[len(prefix) :] or "/"
            for operation in self.operations:
                if operation.method == method.upper() and operation.pattern.match(relative):
                    return operation
        return None

    def _no_operation(self, request: HttpRequest) -> str:
        return f"no operation in {self.path.name} for {request.method.value} {urlsplit(request.url).path}"

    def resolve(self, schema: Any) -> Any:
        """Follow `$ref`s into the spec (one level at a time)."""
        while isinstance(schema, Mapping) and "$ref" in schema:
            ref = str(schema["$ref"])
            if not ref.startswith("#"):
                raise SpecError(f"only local $refs are supported, not {ref!r}", path=str(self.path))
            node: Any = self.document
            for token in ref[2:].split("/") if ref != "#" else []:
                node = node[token.replace("~1", "/").replace("~0", "~")]
            schema = node
        return schema

    def validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = self._validator_class(
                {"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry
            )
        return self._validators[pointer]

    @cached_property
    def _validator_class(self) -> Any:
        """Draft 2020-12, remembering which parts of an instance a `$ref`, `oneOf` or `anyOf` found
        valid: a property's examples differ in an amount or a reference, and validating the same
        payment method against every branch of a provider's oneOf again for each was most of a
        request contract check (Adyen: 3 ms an example)."""
        return validators.extend(
            Draft202012Validator,
            {
                keyword: _valid_once(Draft202012Validator.VALIDATORS[keyword])
                for keyword in ("$ref", "oneOf", "anyOf")
            },
        )

    # ------------------------------------------------------------ requests

    def request_schema_pointer(self, operation: Operation, content_type: str) -> str | None:
        body = operation.definition.get("requestBody")
        if not isinstance(body, Mapping):
            return None
        content = self.resolve(body).get("content") or {}
        if content_type in content:
            return f"{operation.pointer}/requestBody/content/{_escape(content_type)}/schema"
        return None

    def validate_request(self, request: HttpRequest) -> list[Violation]:
        return self._counted(self._request_violations(request))

    def _counted(self, violations: list[Violation]) -> list[Violation]:
        kept, exempted = exempt_violations(violations, self.exemptions)
        self.exempted.extend(exempted)
        return kept

    def _request_violations(self, request: HttpRequest) -> list[Violation]:
        operation = self.find(request.method.value, request.url)
        if operation is None:
            return [
                Violation(
                    "request",
                    "",
                    self._no_operation(request),
                )
            ]
        if request.body is None:
            body = operation.definition.get("requestBody")
            if isinstance(body, Mapping) and self.resolve(body).get("required"):
                return [Violation("request", "", "the operation requires a body and none was sent")]
            return []
        content_type = request.body.content_type.value
        pointer = self.request_schema_pointer(operation, content_type)
        if pointer is None:
            return [
                Violation(
                    "request", "", f"{operation.method} {operation.template} documents no {content_type} body"
                )
            ]
        wire = request.wire_body() or b""
        kept = request_digest(pointer, content_type, wire) if _VALID_EXCHANGES.kept else None
        if kept is not None and _VALID_EXCHANGES.known(_valid_set_name(self), kept):
            return []
        tree = encoding.decode_body(content_type, wire)
        if content_type == "application/x-www-form-urlencoded":
            tree = self.coerce(tree, {"$ref": "#" + pointer})
        violations = [
            Violation("request", pointer_of(error.absolute_path), describe_error(error))
            for error in sorted(
                self.validator(pointer).iter_errors(tree), key=lambda e: list(e.absolute_path)
            )
        ]
        if kept is not None and not violations:
            _VALID_EXCHANGES.remember(_valid_set_name(self), kept)
        return violations

    def coerce(self, value: Any, schema: Any) -> Any:
        """Read the strings of a form body as the types the schema documents."""
        schema = self.resolve(schema)
        if not isinstance(schema, Mapping):
            return value
        for combinator in ("oneOf", "anyOf", "allOf"):
            if combinator in schema and isinstance(value, str | dict | list):
                for option in schema[combinator]:
                    coerced = self.coerce(value, option)
                    if coerced is not value:
                        return coerced
        kind = schema.get("type")
        if isinstance(value, str):
            if kind == "integer" and re.fullmatch(r"-?\d+", value):
                return int(value)
            if kind == "boolean" and value in ("true", "false"):
                return value == "true"
            if kind == "number":
                try:
                    return Decimal(value)
                except InvalidOperation:
                    return value
            return value
        if isinstance(value, dict):
            properties = schema.get("properties") or {}
            extra = schema.get("additionalProperties")
            return {
                k: self.coerce(v, properties.get(k, extra if isinstance(extra, Mapping) else {}))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.coerce(v, schema.get("items") or {}) for v in value]
        return value

    # ------------------------------------------------------------ responses

    @cached_property
    def schemathesis_schema(self) -> Any:
        """Schemathesis's view of the spec, made once per spec content and process (it prepares each
        response schema on first use; connectors of the same provider share them)."""
        import schemathesis

        kept = _SCHEMATHESIS_SCHEMAS.get(self.content_hash)
        if kept is None:
            kept = schemathesis.openapi.from_dict(dict(self.document))
            if len(_SCHEMATHESIS_SCHEMAS) >= 8:
                _SCHEMATHESIS_SCHEMAS.pop(next(iter(_SCHEMATHESIS_SCHEMAS)))
            _SCHEMATHESIS_SCHEMAS[self.content_hash] = kept
        return kept

    def response_schema_pointer(
        self, operation: Operation, status_code: int, content_type: str
    ) -> str | None:
        responses = operation.definition.get("responses") or {}
        for key in (str(status_code), f"{str(status_code)[0]}XX", "default"):
            if key in responses:
                content = self.resolve(responses[key]).get("content") or {}
                if content_type in content:
                    return f"{operation.pointer}/responses/{key}/content/{_escape(content_type)}/schema"
        return None

    def validate_response(
        self, request: HttpRequest, response: HttpResponse, redact: Redactor
    ) -> list[Violation]:
        return self._counted(self._response_violations(request, response, redact))

    def _response_violations(
        self, request: HttpRequest, response: HttpResponse, redact: Redactor
    ) -> list[Violation]:
        operation = self.find(request.method.value, request.url)
        if operation is None:
            return [
                Violation(
                    "response",
                    "",
                    self._no_operation(request),
                )
            ]
        responses = operation.definition.get("responses") or {}
        code = str(response.status_code)
        if not any(key in responses for key in (code, f"{code[0]}XX", "default")):
            documented = ", ".join(str(k) for k in responses)
            return [Violation("response", "", f"undocumented status code {code} (documented: {documented})")]
        kept = response_digest(operation, request, response) if _VALID_EXCHANGES.kept else None
        if kept is not None and _VALID_EXCHANGES.known(_valid_set_name(self), kept):
            return []
        from schemathesis.core.transport import Response as StResponse

        prepared = requests.Request(request.method.value, request.url).prepare()
        headers = {k: [v] for k, v in response.headers.items()}
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = ["application/json"]
        st_response = StResponse(
            status_code=response.status_code,
            headers=headers,
            content=response.body.decode("utf-8-sig").encode() if response.body else b"",
            request=prepared,
            elapsed=0.0,
            verify=True,
        )
        st_operation = self.schemathesis_schema[operation.template][operation.method]
        try:
            st_operation.validate_response(st_response)
        except BaseException as group:  # schemathesis raises a FailureGroup (an exception group)
            # several failures come as a group, a single one on its own
            failures = getattr(group, "exceptions", None)
            if failures is None and hasattr(group, "title"):
                failures = [group]
            if failures is None:
                raise
            return [
                Violation(
                    "response",
                    pointer_of(getattr(failure, "instance_path", []) or []),
                    redact(_failure_text(failure)),
                )
                for failure in failures
            ]
        if kept is not None:
            _VALID_EXCHANGES.remember(_valid_set_name(self), kept)
        return []


def exempt_violations(
    violations: list[Violation], exemptions: Mapping[str, str]
) -> tuple[list[Violation], list[tuple[Violation, str]]]:
    """Split violations into those that count and those a known gap of the published spec explains
    (`[contract_exempt]` of certification.toml: "response /pointer" = reason, covering the pointer
    and everything under it)."""
    kept: list[Violation] = []
    exempted: list[tuple[Violation, str]] = []
    for violation in violations:
        pointer = violation.pointer or "/"
        reason = next(
            (why for location, why in exemptions.items() if _covers(location, violation.where, pointer)),
            None,
        )
        if reason is None:
            kept.append(violation)
        else:
            exempted.append((violation, reason))
    return kept, exempted


def _covers(location: str, where: str, pointer: str) -> bool:
    """Whether an exemption ("response /a/b") covers a violation at `where` and `pointer`."""
    side, _, covered = location.partition(" ")
    return side == where and (pointer == covered or pointer.startswith(covered.rstrip("/") + "/"))


def _failure_text(failure: Any) -> str:
    title = str(getattr(failure, "title", type(failure).__name__))
    detail = (
        getattr(failure, "validation_message", None) or str(getattr(failure, "message", "")).split("\n")[0]
    )
    text = f"{title}: {detail}" if detail else title
    return text if len(text) <= 240 else text[:237] + "..."


_VALID_PARTS_LIMIT = 50_000
_SCHEMATHESIS_SCHEMAS: dict[str, Any] = {}  # by spec content, oldest first


def _valid_once(keyword: Any) -> Any:
    """A keyword function that skips (schema, instance) pairs it has found valid before.

    Only validity is kept: an invalid part is validated again each time, so every error is the one
    a plain validator yields. The key is the schema object's identity (the spec document lives as
    long as its validators) and the pickled instance, which tells a 1 from a "1" and a Decimal."""
    valid: set[tuple[int, bytes]] = set()

    def memoized(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        try:
            key = (id(schema), pickle.dumps(instance, protocol=pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            yield from keyword(validator, value, instance, schema)
            return
        if key in valid:
            return
        errors = list(keyword(validator, value, instance, schema))
        if errors:
            yield from errors
            return
        if len(valid) >= _VALID_PARTS_LIMIT:
            valid.clear()
        valid.add(key)

    return memoized


def describe_error(error: Any) -> str:
    """A jsonschema error without the offending value (it may be a secret)."""
    keyword = error.validator
    if keyword in ("required", "additionalProperties", "dependentRequired"):
        return str(error.message)
    if keyword == "type":
        return f"expected type {error.validator_value}"
    if keyword == "enum":
        values = ", ".join(repr(v) for v in list(error.validator_value)[:8])
        return f"not one of the documented values ({values})"
    if keyword == "const":
        return f"must be {error.validator_value!r}"
    if keyword in ("pattern", "format"):
        return f"does not match the documented {keyword} {error.validator_value!r}"
    if keyword in (
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "multipleOf",
    ):
        return f"violates {keyword} {error.validator_value!r}"
    if keyword in ("oneOf", "anyOf"):
        return f"matches none of the documented alternatives ({keyword})"
    return f"violates {keyword}"


def workspace_exemptions(spec_path: Path) -> dict[str, str]:
    """`[contract_exempt]` of the connector whose spec this is (specs/<name>.yaml ->
    connectors/<name>/certification.toml, the workspace layout); none when there is no such file."""
    from harness.certify.certification import CertificationError, load_certification

    certification = spec_path.parent.parent / "connectors" / spec_path.stem / "certification.toml"
    if not certification.is_file():
        return {}
    try:
        return dict(load_certification(certification).contract_exempt)
    except CertificationError:
        return {}  # the suite's load check reports a broken certification.toml, with its path


def load_spec(path: Path, exemptions: Mapping[str, str] | None = None) -> Spec:
    if not path.is_file():
        raise SpecError(
            "spec not found",
            path=str(path),
            hint="write the OpenAPI subset of the endpoints the connector uses",
        )
    try:
        stat = path.stat()
        document = _parsed_document(str(path), stat.st_mtime_ns, stat.st_size)
    except yaml.YAMLError as error:
        raise SpecError(f"not valid YAML ({type(error).__name__})", path=str(path)) from None
    if not isinstance(document, Mapping) or not str(document.get("openapi", "")).startswith("3."):
        raise SpecError("not an OpenAPI 3 document (no openapi: 3.x key)", path=str(path))
    if not document.get("paths"):
        raise SpecError("the spec documents no paths", path=str(path))
    return Spec(path, document, workspace_exemptions(path) if exemptions is None else exemptions)


# specs parsed in earlier runs, by content (see harness/certify/example_tapes.py): parsing a published
# spec's YAML takes 0.1-0.2 s in every process that certifies its connector; unpickling it, ~5 ms
PARSED_SPECS = "parsed-specs"
_SPEC_DATA = frozenset({("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone")})
_SPECS_ACROSS_RUNS = KeptParses(PARSED_SPECS, _SPEC_DATA)


def keep_parsed_specs(cache_dir: Path | None) -> None:
    """Keep parsed specs, and the requests and responses found valid, under `cache_dir` across runs
    (None: parse and validate in every process)."""
    _SPECS_ACROSS_RUNS.keep(cache_dir)
    _VALID_EXCHANGES.keep(cache_dir)


VALID_EXCHANGES = "valid-exchanges"
_VALID_SET_LIMIT = 500_000  # digests kept per spec (16 bytes each); past it the set starts again


def _valid_set_name(spec: Spec) -> str:
    return _valid_set_name_of(spec.content_hash)


@lru_cache(maxsize=64)
def _valid_set_name_of(content_hash: str) -> str:
    """The set of one spec's content as this code and schemathesis's version validate it.

    Every run validates the same bodies again: the cassettes' answers in every run of every connector
    that replays them (and of every mutant), a property's examples in every run. Preparing schemathesis
    (its import, its view of the spec, each response schema) and validating a provider's nested
    request schemas are a large part of a certification. Only validity is kept, as by `_valid_once`:
    an invalid request or response is validated again each time, so every violation is the
    validator's own. What is kept is a 16-byte digest of everything the validation reads (see
    `request_digest`, `response_digest`), never a body."""
    return hashlib.sha256(f"{_validation_code_hash()}\0{content_hash}".encode()).hexdigest()


_VALID_EXCHANGES = DigestSets(VALID_EXCHANGES, _VALID_SET_LIMIT)


def _digest(*parts: str | bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.digest()


def request_digest(pointer: str, content_type: str, body: bytes) -> bytes:
    """What a request's validation reads: the body schema (by pointer; the spec is the set's) and the
    body as sent (its decoding and its coercion to the schema's types are this module's code)."""
    return _digest("request", pointer, content_type, body)


def response_digest(operation: Operation, request: HttpRequest, response: HttpResponse) -> bytes:
    """What schemathesis reads of an exchange: the operation, the request's method and URL, the
    status, the headers and the body."""
    headers = json.dumps(sorted((k.lower(), v) for k, v in response.headers.items()))
    return _digest(
        "response", operation.pointer, request.method.value, request.url, str(response.status_code),
        headers, response.body or b"",
    )  # fmt: skip


@lru_cache(maxsize=1)
def _validation_code_hash() -> str:
    from importlib.metadata import version

    digest = hashlib.sha256(f"schemathesis {version('schemathesis')}\0".encode())
    for module in (__file__, encoding.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=16)
def _parsed_document(path: str, _mtime_ns: int, _size: int) -> Any:
    """A spec file parsed once per process and version of the file (the load check and the session
    both read it; a published spec is 100-200 kB of YAML), and kept by content across runs when a
    cache folder is given. The document is only ever read."""
    raw = Path(path).read_bytes()
    document = _SPECS_ACROSS_RUNS.load(raw)
    if document is None:
        document = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        _SPECS_ACROSS_RUNS.store(raw, document)
    return document
