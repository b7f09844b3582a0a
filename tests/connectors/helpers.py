"""The helpers every connector test file shares, with one signature for all five connectors.

A test file declares its connector once (`ConnectorUnderTest(Stripe, BASE, defaults)`) and binds
`rd, sent, handle = STRIPE.rd, STRIPE.sent, STRIPE.handle`:

* `rd(flow, **overrides)`: router data for the flow from the file's defaults;
* `sent(flow, **overrides)`: the request the connector builds, and its body decoded (a JSON
  document, a form as a dict, other text as str, None without a body);
* `handle(flow, status, body, **overrides)`: the connector's reading of a provider answer (a dict
  or list is sent as JSON, bytes and str as they are, None as an empty body), integrity-checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.domain import Flow
from harness.execution.executor import build_http_request, handle_http_response
from harness.execution.factory import make_router_data
from harness.integration import ConnectorV2
from harness.integration.encoding import decode_form
from harness.integration.http import ContentType, HttpRequest, HttpResponse

JSON = {"Content-Type": "application/json"}


def decoded_body(request: HttpRequest) -> Any:
    """The request body as the provider reads it: JSON, a form (as a dict) or text; None without one."""
    wire = request.wire_body()
    if request.body is None or wire is None:
        return None
    if request.body.content_type is ContentType.JSON:
        return json.loads(wire)
    if request.body.content_type is ContentType.FORM:
        return decode_form(wire)
    return wire.decode()


def response_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


@dataclass(frozen=True)
class ConnectorUnderTest:
    """One connector with the router-data defaults and the answer framing its tests use."""

    connector: type[ConnectorV2]
    base_url: str
    defaults: Mapping[str, Any]
    response_headers: Mapping[str, str] = field(default_factory=lambda: dict(JSON))
    # bytes the provider puts before every answer (Authorize.net: a UTF-8 byte order mark)
    response_prefix: bytes = b""

    def rd(self, flow: Flow, **overrides: Any) -> Any:
        values = dict(self.defaults)
        if flow is Flow.CREATE_ACCESS_TOKEN:
            values.pop("access_token", None)  # the token request is what fetches one
        values.update(overrides)
        return make_router_data(flow, **values)

    def sent(self, flow: Flow, *, base_url: str | None = None, **overrides: Any) -> tuple[HttpRequest, Any]:
        request = build_http_request(self.connector(), self.rd(flow, **overrides), base_url or self.base_url)
        return request, decoded_body(request)

    def handle(
        self, flow: Flow, status: int, body: Any, *, prefix: bytes | None = None, **overrides: Any
    ) -> Any:
        raw = response_bytes(body)
        if raw:
            raw = (self.response_prefix if prefix is None else prefix) + raw
        response = HttpResponse(status, raw, dict(self.response_headers) if raw else {})
        return handle_http_response(self.connector(), self.rd(flow, **overrides), response)
