"""Credentials for recording (environment, UCS creds.json) and routing to a --base-url override."""

from __future__ import annotations

import json

import pytest

from connectors.stripe.connector import Stripe
from harness.certify.recording import CredentialsError, Rerouted, credentials_from_env, credentials_from_file
from harness.domain import HeaderKey
from harness.execution.transport import TransportError
from harness.integration.http import HttpRequest, HttpResponse, Method
from tests.recording.conftest import CANARY_KEY


def test_credentials_from_the_environment():
    auth = credentials_from_env(Stripe, {"STRIPE_API_KEY": CANARY_KEY})
    assert isinstance(auth, HeaderKey) and auth.api_key.expose() == CANARY_KEY
    with pytest.raises(CredentialsError, match="set STRIPE_API_KEY"):
        credentials_from_env(Stripe, {"STRIPE_API_KEY": ""})


@pytest.mark.parametrize(
    "entry",
    [
        {
            "connector_account_details": {"auth_type": "HeaderKey", "api_key": CANARY_KEY},
            "metadata": {"a": "b"},
        },
        [{"connector_account_details": {"auth_type": "HeaderKey", "api_key": CANARY_KEY}}],
        {"api_key": {"value": CANARY_KEY}, "_comment": "flat UCS form"},
    ],
    ids=["connector_account_details", "list", "flat"],
)
def test_the_ucs_creds_file_forms(tmp_path, entry):
    path = tmp_path / "creds.json"
    path.write_text(json.dumps({"stripe": entry}))
    auth = credentials_from_file(Stripe, path)
    assert isinstance(auth, HeaderKey) and auth.api_key.expose() == CANARY_KEY


def test_a_credentials_error_never_shows_a_value(tmp_path):
    path = tmp_path / "creds.json"
    path.write_text(
        json.dumps({"stripe": {"connector_account_details": {"auth_type": "HeaderKey", "api_key": 5}}})
    )
    with pytest.raises(CredentialsError) as error:
        credentials_from_file(Stripe, path)
    assert "api_key must be a string" in error.value.one_line()


class Echo:
    def __init__(self):
        self.urls = []

    def handle_request(self, request):
        self.urls.append(request.url)
        return HttpResponse(200, b"{}")


@pytest.mark.parametrize(
    ("base", "target", "sent", "routed"),
    [
        (
            "https://api.stripe.com/",
            "http://127.0.0.1:8080/",
            "https://api.stripe.com/v1/refunds/re_1?expand=x",
            "http://127.0.0.1:8080/v1/refunds/re_1?expand=x",
        ),
        (
            "https://api.test/v2/",
            "http://127.0.0.1:8080/stub/",
            "https://api.test/v2/payments",
            "http://127.0.0.1:8080/stub/payments",
        ),
    ],
)
def test_rerouting_keeps_the_configured_url_in_the_request(base, target, sent, routed):
    inner = Echo()
    transport = Rerouted(inner, base, target)
    request = HttpRequest(Method.GET, sent)
    assert transport.handle_request(request).ok
    assert inner.urls == [routed]
    assert request.url == sent  # what the recording keeps


def test_rerouting_refuses_another_host():
    transport = Rerouted(Echo(), "https://api.stripe.com/", "http://127.0.0.1:8080/")
    with pytest.raises(TransportError, match="is not the configured base URL's host"):
        transport.handle_request(HttpRequest(Method.GET, "https://files.stripe.com/v1/files"))
