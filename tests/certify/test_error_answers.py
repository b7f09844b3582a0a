"""facts:error_answer:* replays recorded error answers no catalog scenario reaches (PayPal's refused
token exchange) and compares the error the connector makes of each with what the facts locate in the
recorded body ([errors], or the flow's own [[errors.by_flow]] shape)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from connectors.paypal import transformers as t
from connectors.paypal.connector import Paypal
from harness.certify.checks.error_answers import error_answer_check, flow_of, specs
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.facts import load_facts
from harness.certify.leaks import LeakScanner
from harness.certify.recording import audit_cassettes
from harness.certify.workspace import Workspace
from harness.domain import Flow
from harness.domain.router_data import ErrorResponse
from harness.integration.http import HttpResponse

ROOT = Path(__file__).resolve().parents[2]
REFUSED_TOKEN = ROOT / "cassettes" / "paypal" / "errors" / "create_access_token_invalid_client.yaml"


class OAuthErrorFieldsSwapped(Paypal):
    """Reads the OAuth error's description as its code and the code as the message."""

    id = "broken_oauth_error_fields_swapped"
    base_url_key = "paypal"

    def parse_error(self, response: HttpResponse, ctx: Any) -> ErrorResponse:
        error = t.error_response(response, ctx)
        if ctx.flow is not Flow.CREATE_ACCESS_TOKEN:
            return error
        # the broken rule: error and error_description read from each other's field
        return error.model_copy(update={"code": error.message, "message": error.code})


def session(cls: type = Paypal) -> ConnectorSession:
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="paypal")
    return ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs))


def test_paypal_plans_one_check_per_recorded_error_answer_and_reads_the_refused_token_as_the_facts_do():
    planned = specs(session())
    assert [s.id for s in planned] == ["facts:error_answer:create_access_token_invalid_client"]
    assert planned[0].flow == "CreateAccessToken" and planned[0].family == "facts"
    [result] = planned[0].run(session())
    assert result.status == "passed", result.message
    assert "(code, message)" in result.message


def test_an_oauth_error_with_code_and_message_swapped_is_refused_naming_the_recorded_values():
    [result] = error_answer_check(REFUSED_TOKEN)(session(OAuthErrorFieldsSwapped))
    assert result.status == "failed", result.message
    assert (
        "error code 'Client Authentication failed', the recorded answer says 'invalid_client'"
        in result.message
    )
    assert (
        "cassettes/paypal/errors/create_access_token_invalid_client.yaml (CreateAccessToken)"
        in result.message
    )


def test_without_the_flow_s_error_shape_the_facts_locate_nothing_and_the_check_fails(tmp_path):
    text = (ROOT / "specs" / "paypal.facts.toml").read_text()
    start = text.index("[[errors.by_flow]]")
    end = text.index("[[errors.meanings]]")
    without = tmp_path / "paypal.facts.toml"
    without.write_text(text[:start] + text[end:])
    checked = session()
    checked.__dict__["facts"] = load_facts(without)  # the facts the session reads, minus the token's shape
    [result] = error_answer_check(REFUSED_TOKEN)(checked)
    assert result.status == "failed", result.message
    assert "the facts locate no error field" in result.message and "[[errors.by_flow]]" in result.message


def test_a_cassette_whose_name_starts_with_no_flow_is_a_harness_error_naming_the_flows(tmp_path):
    stray = tmp_path / "token_refused.yaml"
    shutil.copy(REFUSED_TOKEN, stray)
    assert flow_of(stray) is None
    assert (
        flow_of(tmp_path / "psync_gone.yaml") is Flow.PSYNC
        and flow_of(REFUSED_TOKEN) is Flow.CREATE_ACCESS_TOKEN
    )
    [result] = error_answer_check(stray)(session())
    assert result.status == "error"
    assert "the file name starts with no flow" in result.message and "create_access_token" in result.message


def test_the_error_answers_folder_is_no_orphan():
    workspace = Workspace(name="paypal", connector_cls=Paypal, root=ROOT, data_name="paypal")
    orphans = [p.path for p in audit_cassettes(workspace, LeakScanner([])) if p.kind == "orphan"]
    assert orphans == []
