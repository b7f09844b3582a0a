"""Live re-verification (`certify verify`), in process: each connector's chains against its simulated
sandbox (no socket), and each kind of difference shown failing on a cassette edited to be out of date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.stripe.sandbox import StripeSandbox
from harness.certify.cassettes.replay import clear_parse_cache
from harness.certify.contracts import load_spec
from harness.certify.verify import (
    ConnectorVerification,
    body_differences,
    is_volatile,
    prepare,
    verify_connector,
)
from harness.certify.workspace import Workspace
from harness.cli import main
from harness.integration.http import BaseTransport
from harness.integration.sandbox import find_sandbox_class
from tests.recording.conftest import copy_project
from tests.sandboxes import Sandbox, SandboxRequest, SandboxResponse, SandboxTransport

CONNECTORS = ("stripe", "adyen", "checkout", "paypal", "authorizedotnet")


def verify(root: Path, name: str, sandbox: Sandbox | None = None, scenarios=None) -> ConnectorVerification:
    clear_parse_cache()  # an edited cassette may keep its size and modification second
    workspace = Workspace.for_registered(name, root=root)
    cls = find_sandbox_class(f"connectors.{name}.sandbox")
    assert cls is not None
    sandbox = sandbox or cls()
    auth = workspace.connector_cls.auth.type.from_values(cls.credentials)
    spec = load_spec(workspace.spec_path, exemptions=workspace.certification.contract_exempt)
    check = prepare(workspace, scenarios, auth, spec)
    return verify_connector(check, lambda: SandboxTransport(sandbox), base_url=workspace.base_url("sandbox"))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("verify") / "project")


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count))


@pytest.mark.parametrize("name", CONNECTORS)
def test_every_shipped_connector_agrees_with_its_sandbox(root, name):
    result = verify(root, name)
    assert result.agrees, [d.text() for d in result.differences]
    assert len(result.scenarios) >= 13 and all(s.steps >= 1 for s in result.scenarios)


def test_volatile_names_are_ids_timestamps_links_and_secrets():
    for key in (
        "id",
        "pspReference",
        "transId",
        "refTransID",
        "created",
        "create_time",
        "links",
        "client_secret",
    ):
        assert is_volatile(key), key
    for key in (
        "status",
        "code",
        "resultCode",
        "amount",
        "currency",
        "paid",
        "valid",
        "format",
        "description",
    ):
        assert not is_volatile(key), key


def test_body_differences_compare_types_and_enum_values_only():
    recorded = {
        "id": "pi_1", "status": "succeeded", "amount": 1000, "created": 1, "description": None,
        "client_secret": "***", "charges": [{"outcome": {"type": "authorized"}, "paid": True}], "note": "a",
    }  # fmt: skip
    live = {
        "id": 7, "status": "processing", "amount": "1000", "created": "now", "description": "x",
        "client_secret": 5, "charges": [{"outcome": {"type": "manual_review"}, "paid": "yes"}], "note": "b",
    }  # fmt: skip
    found = {(path, what) for path, _, _, what in body_differences(recorded, live)}
    assert found == {
        ("$.status", "value"),
        ("$.amount", "type"),
        ("$.charges[0].outcome.type", "value"),
        ("$.charges[0].paid", "type"),
    }
    assert body_differences({"status": "ok", "extra": 1}, {"status": "ok"}) == []  # absent: not compared


def fields(result: ConnectorVerification) -> set[tuple[str, str, str]]:
    return {(d.scenario, d.step, d.field) for d in result.differences}


def test_an_http_status_recorded_differently_is_a_difference(project):
    path = project / "cassettes" / "stripe" / "decline_generic.yaml"
    edit(path, "code: 402", "code: 400")
    result = verify(project, "stripe", scenarios=["decline_generic", "capture_full"])
    assert ("decline_generic", "authorize", "http_status") in fields(result)
    assert next(d for d in result.differences if d.field == "http_status").text() == (
        "stripe  decline_generic  authorize  http_status: recorded 400, live 402"
    )
    assert [s.agrees for s in result.scenarios] == [False, True]


def test_a_field_recorded_with_another_type_is_a_difference(project):
    path = project / "cassettes" / "stripe" / "psync_charged.yaml"
    text = path.read_text()
    path.write_text(re.sub(r'"amount_received":\s*1000', '"amount_received": "1000"', text))
    assert path.read_text() != text
    result = verify(project, "stripe", scenarios=["psync_charged"])
    differences = [d for d in result.differences if d.field.startswith("body $.amount_received")]
    assert differences and differences[0].recorded == "string" and differences[0].live == "integer"


def test_a_missing_cassette_is_a_difference_naming_the_record_command(project):
    (project / "cassettes" / "stripe" / "rsync.yaml").unlink()
    result = verify(project, "stripe", scenarios=["rsync"])
    (difference,) = result.differences
    assert difference.field == "cassette" and "certify record stripe --scenario rsync" in difference.recorded


class UndocumentedStatusSandbox(StripeSandbox):
    """Answers a capture with a status the spec does not document (and the connector does not know)."""

    def route(self, request: SandboxRequest) -> SandboxResponse:
        answer = super().route(request)
        if (
            request.path.endswith("/capture")
            and isinstance(answer.body, dict)
            and "status" in answer.body
        ):
            answer.body["status"] = "on_hold"
        return answer


def test_a_live_answer_the_spec_refuses_is_a_difference(root):
    result = verify(root, "stripe", UndocumentedStatusSandbox(), scenarios=["capture_full"])
    found = fields(result)
    assert ("capture_full", "capture", "spec /status") in found
    assert ("capture_full", "capture", "body $.status") in found
    assert ("capture_full", "capture", "outcome.status") in found  # unknown: Pending, never a success


def test_an_access_token_exchange_is_compared_too(project):
    path = project / "cassettes" / "paypal" / "psync_charged.yaml"
    edit(path, '"token_type":"Bearer"', '"token_type":1')
    result = verify(project, "paypal", scenarios=["psync_charged"])
    assert any(d.step.endswith("/access_token") and "token_type" in d.field for d in result.differences), [
        d.text() for d in result.differences
    ]


class FakeLive(BaseTransport):
    """Stands in for LiveTransport in the CLI: answers from the Stripe sandbox, in process."""

    sandbox = StripeSandbox()

    def __init__(self, timeout: float = 0) -> None:
        self.inner = SandboxTransport(self.sandbox)

    def handle_request(self, request):
        return self.inner.handle_request(request)


def test_a_connector_that_cannot_be_verified_is_named_and_the_others_are_still_verified(
    project, monkeypatch, capsys
):
    import harness.cli.verify as command

    monkeypatch.setattr(command, "LiveTransport", FakeLive)
    monkeypatch.chdir(project)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_verify_placeholder")
    for variable in ("PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    code = main(["verify", "paypal", "stripe", "--scenario", "capture_full"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("certify: set PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET") and err.count("\n") == 1
    assert out == "stripe: 1 scenario(s) verified live; every answer agrees with its cassette\n"
