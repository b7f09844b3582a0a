"""The executor: one flow end to end over an in-memory transport, and the live transport on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from pydantic import BaseModel

from connectors.stripe.connector import Stripe
from harness.domain import (
    AccessTokenResponseData,
    AttemptStatus,
    CaptureMethod,
    Currency,
    Flow,
    HeaderKey,
    IntegrityCheckError,
    MinorUnit,
    Secret,
)
from harness.execution.executor import execute
from harness.execution.factory import authorize_data, payment_flow_data
from harness.execution.tokens import AccessTokenCache
from harness.execution.transport import LiveTransport, TransportError
from harness.integration import FlowSpec
from harness.integration.http import HttpRequest, HttpResponse, Method
from tests.connectors import stripe_bodies as bodies


class ScriptedTransport:
    def __init__(self, *responses: HttpResponse) -> None:
        self.responses = list(responses)
        self.requests: list[HttpRequest] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.responses.pop(0)


def json_response(status: int, body: dict) -> HttpResponse:
    return HttpResponse(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def authorize_rd():
    return authorize_data(
        payment_flow_data("order_ref_1"),
        auth=HeaderKey(api_key=Secret("sk_test_CANARY_executor_key")),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        capture_method=CaptureMethod.MANUAL,
    )


def test_execute_fills_the_response_and_moves_the_status():
    transport = ScriptedTransport(json_response(200, bodies.payment_intent("requires_capture")))
    execution = execute(Stripe(), authorize_rd(), transport, "https://api.stripe.com/")
    assert execution.ok
    assert execution.result.status is AttemptStatus.AUTHORIZED
    assert execution.router_data.resource_common_data.status is AttemptStatus.AUTHORIZED
    assert transport.requests[0].url == "https://api.stripe.com/v1/payment_intents"


def test_execute_records_an_integrity_failure_as_a_typed_error():
    transport = ScriptedTransport(json_response(200, bodies.payment_intent("requires_capture", amount=999)))
    execution = execute(Stripe(), authorize_rd(), transport, "https://api.stripe.com/")
    assert isinstance(execution.error, IntegrityCheckError)
    assert "999" in str(execution.error)


def test_execute_captures_a_connector_crash_with_its_location():
    class Broken(Stripe):
        id = "broken_stripe"

        def parse_error(self, response, ctx):
            return {}["code"]  # a KeyError, the kind of bug the suite must catch

    transport = ScriptedTransport(json_response(402, bodies.card_error("card_declined", "no")))
    execution = execute(Broken(), authorize_rd(), transport, "https://api.stripe.com/")
    assert execution.crash is not None
    assert execution.crash.exception_type == "KeyError"
    assert "test_executor.py" in execution.crash.location


class TokenModel(BaseModel):
    access_token: str
    expires_in: int


def token_response(model: TokenModel, rd, ctx) -> AccessTokenResponseData:
    return AccessTokenResponseData(access_token=Secret(model.access_token), expires_in=model.expires_in)


class TokenConnector(Stripe):
    """Stripe's shapes plus a token endpoint, to exercise the access-token cache."""

    id = "token_stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.AUTHORIZE: replace(Stripe.flows[Flow.AUTHORIZE], needs_access_token=True),
        Flow.CREATE_ACCESS_TOKEN: FlowSpec(
            Flow.CREATE_ACCESS_TOKEN, Method.POST, "oauth/token", TokenModel, token_response
        ),
    }
    unsupported: ClassVar = {}


def test_access_tokens_are_reused_until_they_expire_then_refreshed():
    now = [1000.0]
    cache = AccessTokenCache(clock=lambda: now[0])
    token = json_response(200, {"access_token": "tok_CANARY_1", "expires_in": 600})
    ok = json_response(200, bodies.payment_intent("requires_capture"))
    transport = ScriptedTransport(
        token, ok, ok, json_response(200, {"access_token": "tok_2", "expires_in": 600}), ok
    )
    for _ in range(2):
        execution = execute(TokenConnector(), authorize_rd(), transport, "https://api.example/", tokens=cache)
        assert execution.ok, execution.error
        assert execution.router_data.resource_common_data.access_token.access_token.expose() == "tok_CANARY_1"
    assert cache.fetches == 1
    now[0] += 600  # past expiry (minus the safety margin)
    execution = execute(TokenConnector(), authorize_rd(), transport, "https://api.example/", tokens=cache)
    assert cache.fetches == 2
    assert execution.router_data.resource_common_data.access_token.access_token.expose() == "tok_2"
    assert [r.url.rsplit("/", 1)[-1] for r in transport.requests] == [
        "token",
        "payment_intents",
        "payment_intents",
        "token",
        "payment_intents",
    ]


# ------------------------------------------------------------------ live transport on 127.0.0.1


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.path == "/slow":
            time.sleep(1.0)
        payload = json.dumps({"echo": body.decode(), "auth": self.headers.get("Authorization")}).encode()
        try:
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the timeout test's client has already gone

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_live_transport_sends_exposed_values_on_the_wire_only(local_server):
    from harness.domain import Maskable
    from harness.integration.http import ContentType, RequestBody

    request = HttpRequest(
        Method.POST,
        f"{local_server}/echo",
        (("Authorization", Maskable.masked("Bearer sk_test_wire")),),
        RequestBody(ContentType.FORM, {"card": {"number": Secret("4242424242424242")}}),
    )
    response = LiveTransport(timeout=5).handle_request(request)
    assert response.status_code == 201
    assert response.json() == {"echo": "card[number]=4242424242424242", "auth": "Bearer sk_test_wire"}
    assert "4242424242424242" not in json.dumps(request.masked())


def test_live_transport_timeout_and_refused_connection_are_one_line_errors(local_server):
    with pytest.raises(TransportError, match=r"no answer within 0\.2s"):
        LiveTransport(timeout=0.2).handle_request(HttpRequest(Method.POST, f"{local_server}/slow"))
    with pytest.raises(TransportError, match="connection failed"):
        LiveTransport(timeout=1).handle_request(HttpRequest(Method.POST, "http://127.0.0.1:9/x"))
