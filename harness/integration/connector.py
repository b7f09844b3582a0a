"""The V2 integration interface and its declarative flow table.

UCS declares a connector with `create_all_prerequisites!` and `macro_connector_implementation!`
and writes `TryFrom` transforms by hand. Here a connector is a class holding the same table as
plain data (`flows`: one `FlowSpec` per flow) and pure transform functions. The generic
`ConnectorV2` methods (`get_url`, `get_headers`, `get_request_body`, `handle_response`,
`get_error_response`) read the table; the executor calls them. A connector never does I/O.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from harness.domain.amounts import AmountConverter
from harness.domain.auth import ConnectorAuthType, NoKey
from harness.domain.currency import Currency
from harness.domain.errors import (
    ConnectorError,
    HarnessError,
    InvalidDataError,
    MissingRequiredFieldError,
    NotSupportedError,
    ResponseDeserializationError,
    TransformTypeError,
)
from harness.domain.flows import FLOW_ORDER, Flow
from harness.domain.money import MinorUnit
from harness.domain.router_data import RESPONSE_TYPES, ErrorResponse, FlowOutcome, RouterDataV2
from harness.domain.secret import Maskable
from harness.domain.sensitive import declare_key_prefixes
from harness.integration.failures import DEFAULT_FAILURE_POLICY, HttpFailurePolicy, transport_failure
from harness.integration.http import ContentType, HttpRequest, HttpResponse, Method, RequestBody
from harness.integration.idempotency import STATE_CHANGING_FLOWS, idempotency_key
from harness.integration.preconditions import (
    MOVED_AMOUNT,
    check_amount_bound,
    check_credentials,
    check_reference,
)
from harness.integration.webhooks import WebhookSpec

Headers = list[tuple[str, Maskable]]
AnyRouterData = RouterDataV2[Any, Any, Any]


class ConnectorDeclarationError(HarnessError):
    """A connector class whose declaration is incomplete or inconsistent."""


@dataclass(frozen=True)
class RequestContext:
    """What a request transform may use besides the router data."""

    connector: str
    flow: Flow
    converter: AmountConverter[Any]
    auth: ConnectorAuthType

    def amount(self, amount: MinorUnit, currency: Currency, *, field: str = "amount") -> Any:
        """The amount in the provider's representation, through the declared converter."""
        try:
            if isinstance(amount, MinorUnit) and not amount:
                # some providers read a zero (or absent) capture or refund amount as "the full amount"
                raise InvalidDataError(
                    f"{field}: a zero amount is never sent to the provider",
                    field=field,
                    hint="an authorization, capture or refund moves a positive amount",
                )
            return self.converter.convert(amount, currency, field=field)
        except ConnectorError as error:
            raise error.with_context(connector=self.connector, flow=self.flow.value) from None


@dataclass(frozen=True)
class ResponseContext:
    """What a response transform may use besides the parsed response and the router data."""

    connector: str
    flow: Flow
    converter: AmountConverter[Any]
    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)

    def amount_back(self, value: Any, currency: Currency, *, field: str = "amount") -> MinorUnit:
        try:
            return self.converter.convert_back(value, currency, field=field)
        except ConnectorError as error:
            raise error.with_context(connector=self.connector, flow=self.flow.value) from None

    def currency(self, code: Any, *, field: str = "currency") -> Currency:
        """The currency a response names (any case), or a typed error naming the field."""
        try:
            return Currency.parse(code, field=field)
        except ConnectorError as error:
            raise error.with_context(connector=self.connector, flow=self.flow.value) from None


BuildRequest = Callable[[Any, RequestContext], BaseModel]
HandleResponse = Callable[[Any, Any, ResponseContext], FlowOutcome]
ParseError = Callable[[HttpResponse, ResponseContext], ErrorResponse]
PathParams = Callable[[Any], Mapping[str, str]]
FlowHeaders = Callable[[Any, RequestContext], Headers]


@dataclass(frozen=True)
class FlowSpec:
    """One row of the flow table: everything the harness needs to run and check one flow."""

    flow: Flow
    method: Method
    # Relative to the configured base URL ("" for the base URL itself), a template whose
    # `{placeholders}` the harness fills, each value percent-escaped as one path segment; an empty
    # value, "." or ".." is refused with a typed error. Values come from `path_params`, else from
    # the field of the same name of the flow's request data (`connector_transaction_id`, ...).
    path: str
    response_model: type[BaseModel]
    handle_response: HandleResponse
    request_model: type[BaseModel] | None = None
    build_request: BuildRequest | None = None
    content_type: ContentType | None = None  # of the request body; None when there is no body
    headers: FlowHeaders | None = None  # headers this flow adds to the connector's common ones
    parse_error: ParseError | None = None  # overrides the connector's error parser for this flow
    xml_root: str | None = None
    needs_access_token: bool = False
    # Where the harness finds things in the wire request and response (dotted paths into the
    # decoded body). The property checks read them; they are declared, not guessed.
    amount_fields: tuple[str, ...] = ()
    currency_field: str | None = None
    reference_field: str | None = None
    # The provider's documented maximum length for reference_field (Authorize.net's refId: 20).
    # A longer reference must be refused with a typed error, never truncated; the scenario runner
    # gives such a flow a reference that fits, as a router would.
    reference_max_length: int | None = None
    status_field: str | None = None  # in the success response body
    path_params: PathParams | None = None  # values for placeholders that are no request field
    # this flow's exceptions to the connector's HTTP failure policy (each with the provider's reason)
    failure_policy: HttpFailurePolicy | None = None
    description: str = ""

    @property
    def path_placeholders(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.path) if name)

    def url_path(self, router_data: AnyRouterData) -> str:
        names = self.path_placeholders
        if not names:
            return self.path
        given = dict(self.path_params(router_data)) if self.path_params is not None else {}
        values = {}
        for name in names:
            value = given[name] if name in given else getattr(router_data.request, name, None)
            values[name] = path_segment(value, name)
        return self.path.format_map(values)

    def describe(self) -> dict[str, Any]:
        return {
            "flow": self.flow.value,
            "method": self.method.value,
            "path": self.path,
            "content_type": self.content_type.value if self.content_type else None,
            "request_model": self.request_model.__name__ if self.request_model else None,
            "response_model": self.response_model.__name__,
            "amount_fields": list(self.amount_fields),
            "currency_field": self.currency_field,
            "reference_field": self.reference_field,
            "reference_max_length": self.reference_max_length,
            "status_field": self.status_field,
            "needs_access_token": self.needs_access_token,
        }


def flow_table(*specs: FlowSpec) -> dict[Flow, FlowSpec]:
    table: dict[Flow, FlowSpec] = {}
    for spec in specs:
        if spec.flow in table:
            raise ConnectorDeclarationError(f"flow {spec.flow.value} is declared twice")
        table[spec.flow] = spec
    return table


@dataclass(frozen=True)
class AuthSpec:
    """The connector's auth variant, where `certify record` reads each credential, and the prefixes
    the provider documents for its secret keys (live and sandbox): the redactor and the leak scanner
    find keys with these prefixes whether or not the credential is set."""

    type: type[ConnectorAuthType] = NoKey
    env: Mapping[str, str] = field(default_factory=dict)  # auth field -> environment variable
    description: str = ""
    key_prefixes: tuple[str, ...] = ()  # e.g. ("sk_test_", "sk_live_"), as the provider's docs give them

    def __post_init__(self) -> None:
        for prefix in self.key_prefixes:
            # a short prefix ("sk") would mask ordinary words and flag clean reports
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*_(?:[A-Za-z0-9]+_)*", prefix):
                raise ConnectorDeclarationError(
                    f"AuthSpec.key_prefixes: {prefix!r} is not a key prefix such as 'sk_test_' "
                    "(letters or digits ending in '_')"
                )
        declare_key_prefixes(self.key_prefixes)


def path_segment(value: Any, name: str) -> str:
    """An id as exactly one URL path segment: escaped, and never empty, "." or ".."."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MissingRequiredFieldError(name)
    text = str(value)
    if text in (".", ".."):
        raise InvalidDataError(f"{name} {text!r} is not an id: it would change the URL path", field=name)
    return quote(text, safe="")


def join_url(base_url: str, path: str) -> str:
    if not path:
        return base_url
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


class ConnectorV2:
    """Base of every connector. Subclasses declare; the methods below interpret the declaration."""

    id: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    auth: ClassVar[AuthSpec] = AuthSpec()
    amount_converter: ClassVar[AmountConverter[Any]]
    flows: ClassVar[Mapping[Flow, FlowSpec]] = {}
    unsupported: ClassVar[Mapping[Flow, str]] = {}  # flows the provider does not offer, and why
    api_version: ClassVar[str | None] = None
    # The response header in which the provider says which API version answered; `certify record`
    # writes it into the cassette's provenance (falling back to `api_version`).
    api_version_header: ClassVar[str | None] = None
    docs_url: ClassVar[str] = ""
    base_url_key: ClassVar[str] = ""  # key in config/<env>.toml; the id when empty
    volatile_fields: ClassVar[frozenset[str]] = frozenset()  # body paths ignored by cassette matching
    # Request headers whose value is random by the connector's design: replay checks only that they
    # are sent. Prefer a value derived from router data, which replay compares exactly.
    volatile_headers: ClassVar[frozenset[str]] = frozenset()
    # The header in which the provider accepts an idempotency key (`Idempotency-Key`), and the flows
    # that send it: the base sets it from a key derived from router data (`harness.integration.
    # idempotency`), so a retry sends the same key and distinct operations never share one.
    idempotency_header: ClassVar[str | None] = None
    idempotency_flows: ClassVar[frozenset[Flow]] = STATE_CHANGING_FLOWS
    metadata_fields: ClassVar[tuple[str, ...]] = ()  # per-merchant settings (URL placeholders...)
    # which non-2xx answers fail the attempt and which leave it unknown (harness/integration/failures.py);
    # a connector overrides a status only with the reason its provider documents
    failure_policy: ClassVar[HttpFailurePolicy] = DEFAULT_FAILURE_POLICY
    # incoming notifications (harness/integration/webhooks.py); None: the connector handles none yet
    webhooks: ClassVar[WebhookSpec[Any] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.id:
            validate_declaration(cls)

    # ------------------------------------------------------------ what a connector writes

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        """Headers that authenticate every request (for body-auth providers: none)."""
        return []

    def common_headers(self, router_data: AnyRouterData, ctx: RequestContext) -> Headers:
        return self.auth_headers(ctx.auth)

    def parse_error(self, response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
        raise NotImplementedError(f"{type(self).__name__} must implement parse_error")

    # ------------------------------------------------------------ the V2 interface

    @classmethod
    def connector_id(cls) -> str:
        return cls.id

    @classmethod
    def config_key(cls) -> str:
        return cls.base_url_key or cls.id

    def flow_spec(self, flow: Flow) -> FlowSpec:
        spec = self.flows.get(flow)
        if spec is None:
            reason = self.unsupported.get(flow) or f"{self.id} does not implement {flow.value}"
            raise NotSupportedError(reason, connector=self.id, flow=flow.value)
        return spec

    def supports(self, flow: Flow) -> bool:
        return flow in self.flows

    def request_context(self, router_data: AnyRouterData) -> RequestContext:
        return RequestContext(
            self.id, router_data.flow, self.amount_converter, router_data.connector_auth_type
        )

    def response_context(self, router_data: AnyRouterData, response: HttpResponse) -> ResponseContext:
        return ResponseContext(
            self.id, router_data.flow, self.amount_converter, response.status_code, dict(response.headers)
        )

    def get_url(self, router_data: AnyRouterData, base_url: str) -> str:
        try:
            path = self.flow_spec(router_data.flow).url_path(router_data)
        except ConnectorError as error:
            raise error.with_context(connector=self.id, flow=router_data.flow.value) from None
        return join_url(base_url, path)

    def idempotency_key(self, router_data: AnyRouterData) -> str | None:
        """The idempotency key this flow's request carries, or None when the flow sends none."""
        if self.idempotency_header is None or router_data.flow not in self.idempotency_flows:
            return None
        return idempotency_key(router_data)

    def get_headers(self, router_data: AnyRouterData, ctx: RequestContext) -> Headers:
        spec = self.flow_spec(router_data.flow)
        headers = list(self.common_headers(router_data, ctx))
        if spec.headers is not None:
            headers.extend(spec.headers(router_data, ctx))
        key = self.idempotency_key(router_data)
        if key is not None and self.idempotency_header is not None:
            wanted = self.idempotency_header.lower()
            if any(name.lower() == wanted for name, _ in headers):
                # two keys, or a hand-made one beside the derived one: the provider keeps either
                raise ConnectorDeclarationError(
                    f"connector {self.id!r}: flow {router_data.flow.value} sets {self.idempotency_header} "
                    "itself and declares it as idempotency_header; remove the hand-made header"
                )
            headers.append((self.idempotency_header, Maskable.normal(key)))
        return headers

    def get_request_body(self, router_data: AnyRouterData, ctx: RequestContext) -> RequestBody | None:
        spec = self.flow_spec(router_data.flow)
        if spec.build_request is None or spec.content_type is None:
            return None
        model = spec.build_request(router_data, ctx)
        if spec.request_model is not None and not isinstance(model, spec.request_model):
            raise TransformTypeError(
                f"build_request returned {type(model).__name__}, not the declared request model "
                f"{spec.request_model.__name__}",
                connector=self.id,
                flow=spec.flow.value,
                hint="return the model the flow table declares as request_model, or declare the one built",
            )
        tree = model.model_dump(
            mode="python", by_alias=True, exclude_none=True, context={"keep_secrets": True}
        )
        return RequestBody(spec.content_type, tree, xml_root=spec.xml_root)

    def check_request(self, router_data: AnyRouterData) -> None:
        """What the declaration promises before any transform runs: credentials of the declared
        variant, a reference within the flow's documented length, a capture or refund within what
        it draws from, and an amount the declared converter accepts. A transform may assume them."""
        spec = self.flow_spec(router_data.flow)
        try:
            check_credentials(
                router_data.connector_auth_type,
                self.auth.type,
                provider=self.display_name or self.id,
                env=self.auth.env,
            )
            if spec.reference_max_length is not None:  # a token request carries no reference
                check_reference(
                    router_data.resource_common_data.connector_request_reference_id,
                    spec.reference_max_length,
                    field=(spec.reference_field or "reference").rsplit(".", 1)[-1],
                    provider=self.display_name or self.id,
                )
            check_amount_bound(router_data.flow, router_data.request)
            moved = MOVED_AMOUNT.get(router_data.flow)
            if moved is not None:
                # refused here even if a transform forgot ctx.amount: unsupported, unrepresentable, zero
                request = router_data.request
                self.request_context(router_data).amount(
                    getattr(request, moved), request.currency, field=moved
                )
        except ConnectorError as error:
            raise error.with_context(connector=self.id, flow=router_data.flow.value) from None

    def build_request(self, router_data: AnyRouterData, base_url: str) -> HttpRequest:
        """The request for this flow. Pure: the same router data always gives the same request."""
        spec = self.flow_spec(router_data.flow)
        self.check_request(router_data)
        ctx = self.request_context(router_data)
        body = self.get_request_body(router_data, ctx)
        return HttpRequest(
            method=spec.method,
            url=self.get_url(router_data, base_url),
            headers=tuple(self.get_headers(router_data, ctx)),
            body=body,
        )

    def handle_response(self, router_data: AnyRouterData, response: HttpResponse) -> FlowOutcome:
        """The response data for this flow, or an `ErrorResponse`."""
        spec = self.flow_spec(router_data.flow)
        ctx = self.response_context(router_data, response)
        if not response.ok:
            return self.get_error_response(router_data, response)
        model = parse_model(spec.response_model, response, connector=self.id, flow=spec.flow)
        outcome = spec.handle_response(model, router_data, ctx)
        expected = RESPONSE_TYPES[spec.flow]
        if not isinstance(outcome, expected | ErrorResponse):
            raise TransformTypeError(
                f"handle_response returned {type(outcome).__name__}, not {expected.__name__} "
                "or ErrorResponse",
                connector=self.id,
                flow=spec.flow.value,
                hint=f"a {spec.flow.value} response transform returns {expected.__name__}",
            )
        return outcome

    def get_error_response(self, router_data: AnyRouterData, response: HttpResponse) -> ErrorResponse:
        """The parser's ErrorResponse, its status as the HTTP failure policy allows."""
        spec = self.flows.get(router_data.flow)
        ctx = self.response_context(router_data, response)
        parser = spec.parse_error if spec and spec.parse_error else self.parse_error
        return self.http_failure_policy(router_data.flow).apply(router_data.flow, parser(response, ctx))

    def http_failure_policy(self, flow: Flow) -> HttpFailurePolicy:
        spec = self.flows.get(flow)
        policy = self.failure_policy.merged_over(DEFAULT_FAILURE_POLICY)
        if spec is not None and spec.failure_policy is not None:
            policy = spec.failure_policy.merged_over(policy)
        return policy

    def transport_failure_response(self, router_data: AnyRouterData, cause: str) -> ErrorResponse:
        """The outcome of a call that got no answer (timeout, reset): unknown, never terminal."""
        return transport_failure(cause)

    # ------------------------------------------------------------ the declaration as a value

    @classmethod
    def declaration(cls) -> dict[str, Any]:
        converter = cls.amount_converter
        return {
            "id": cls.id,
            "display_name": cls.display_name or cls.id,
            "auth_type": cls.auth.type.auth_type,
            "auth_env": dict(cls.auth.env),
            "amount_converter": converter.kind,
            "currency_rules": converter.table.rows(),
            "currency_source": converter.table.source,
            "supported_currencies": None
            if converter.table.supported is None
            else sorted(c.value for c in converter.table.supported),
            "api_version": cls.api_version,
            "flows": [cls.flows[f].describe() for f in FLOW_ORDER if f in cls.flows],
            "unsupported": {f.value: reason for f, reason in cls.unsupported.items()},
            "volatile_fields": sorted(cls.volatile_fields),
            "volatile_headers": sorted(cls.volatile_headers),
            "idempotency_header": cls.idempotency_header,
            "idempotency_flows": [f.value for f in FLOW_ORDER if f in cls.idempotency_flows]
            if cls.idempotency_header
            else [],
            "webhooks": cls.webhooks.describe() if cls.webhooks is not None else None,
        }


def parse_model(model: type[BaseModel], response: HttpResponse, *, connector: str, flow: Flow) -> Any:
    """Decode and validate a response body; failures name the fields, never their values.

    An empty body (204 No Content) is validated as `{}`, so a model whose fields are all
    optional can stand for it.
    """
    tree = response.decoded() if response.body.strip() else {}
    try:
        return model.model_validate(tree)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc']) or '<body>'}: {problem['msg']}"
            for problem in error.errors(include_input=False, include_url=False)[:5]
        )
        raise ResponseDeserializationError(
            f"response does not match {model.__name__}: {problems}", connector=connector, flow=flow.value
        ) from None


def validate_declaration(cls: type[ConnectorV2]) -> None:
    """Refuse an incomplete declaration when the class is defined, naming what is missing."""
    where = f"connector {cls.id!r} ({cls.__module__})"
    converter = getattr(cls, "amount_converter", None)
    if not isinstance(converter, AmountConverter):
        raise ConnectorDeclarationError(
            f"{where}: amount_converter must be an AmountConverter (MinorUnitConverter, "
            "StringMinorUnitConverter or StringMajorUnitConverter), never empty"
        )
    if not cls.flows:
        raise ConnectorDeclarationError(f"{where}: declares no flows")
    for flow, spec in cls.flows.items():
        if spec.flow is not flow:
            raise ConnectorDeclarationError(f"{where}: table key {flow.value} holds a {spec.flow.value} spec")
        if (spec.build_request is None) != (spec.content_type is None) or (
            spec.build_request is not None and spec.request_model is None
        ):
            raise ConnectorDeclarationError(
                f"{where}: flow {flow.value} must declare build_request, request_model and "
                "content_type together (or none of them)"
            )
        if flow in cls.unsupported:
            raise ConnectorDeclarationError(f"{where}: flow {flow.value} is both declared and unsupported")
        if not isinstance(spec.path, str):
            raise ConnectorDeclarationError(
                f"{where}: flow {flow.value} path must be a template string such as "
                "'v1/payments/{connector_transaction_id}', not a function"
            )
        try:
            spec.path_placeholders  # noqa: B018  # a malformed template fails here, not at run time
        except ValueError as error:
            raise ConnectorDeclarationError(f"{where}: flow {flow.value} path: {error}") from None
    if cls.auth.env and set(cls.auth.env) != set(cls.auth.type.field_names()):
        raise ConnectorDeclarationError(
            f"{where}: auth.env must name one environment variable per field of "
            f"{cls.auth.type.auth_type}: {', '.join(cls.auth.type.field_names())}"
        )

