"""A failed or interrupted recording leaves no partial cassette and the previous one intact."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from connectors.stripe.sandbox import StripeSandbox
from harness.certify.cassettes import recording as cassette_recording
from harness.certify.cassettes.provenance import Provenance
from harness.certify.leaks import LeakScanner
from harness.certify.recording import record_scenarios
from harness.certify.workspace import Workspace
from harness.domain import HeaderKey, Secret
from tests.recording.conftest import CANARY_KEY
from tests.sandboxes import SandboxTransport

PROVENANCE = Provenance("recorded-sandbox", dt.datetime.now(dt.UTC), None, (), "test")
SCENARIO = "refund_full"


@pytest.fixture
def workspace(project):
    return Workspace.for_registered("stripe", root=project)


def record(workspace, transport=None, check=None):
    sandbox = StripeSandbox()
    return record_scenarios(
        workspace,
        transport or (lambda: SandboxTransport(sandbox)),
        provenance=PROVENANCE,
        scenario_ids=[SCENARIO],
        auth=HeaderKey(api_key=Secret(CANARY_KEY)),
        check=check,
    )


def folder_state(workspace):
    return {p.name: p.read_bytes() for p in workspace.cassette_dir.iterdir() if p.is_file()}


def test_a_failing_rename_keeps_the_previous_cassette(workspace, monkeypatch):
    before = folder_state(workspace)

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cassette_recording.os, "replace", refuse)
    (outcome,) = record(workspace)
    assert not outcome.written
    assert outcome.reason == "could not write refund_full.yaml (OSError); the previous cassette is intact"
    assert folder_state(workspace) == before  # no temporary file left either


def test_a_write_that_fails_midway_keeps_the_previous_cassette(workspace, monkeypatch):
    before = folder_state(workspace)
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, stream):
            self.stream = stream

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

        def write(self, text):
            self.stream.write(text[: len(text) // 2])
            self.stream.flush()
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(cassette_recording.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    (outcome,) = record(workspace)
    assert not outcome.written and "OSError" in outcome.reason
    assert folder_state(workspace) == before


def test_an_interrupt_while_writing_leaves_no_partial_file(workspace, monkeypatch):
    before = folder_state(workspace)

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(cassette_recording.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        record(workspace)
    assert folder_state(workspace) == before


def test_an_interrupt_during_the_run_writes_nothing(workspace):
    before = folder_state(workspace)
    sandbox = StripeSandbox()

    class InterruptedSecondRequest(SandboxTransport):
        calls = 0

        def handle_request(self, request):
            InterruptedSecondRequest.calls += 1
            if InterruptedSecondRequest.calls == 2:
                raise KeyboardInterrupt
            return super().handle_request(request)

    with pytest.raises(KeyboardInterrupt):
        record(workspace, transport=lambda: InterruptedSecondRequest(sandbox))
    assert folder_state(workspace) == before


def test_a_leak_found_by_the_check_refuses_the_write(workspace):
    before = folder_state(workspace)
    scanner = LeakScanner({"payment_intent": "a planted value"})  # in every recorded intent
    (outcome,) = record(workspace, check=scanner.check)
    assert not outcome.written
    assert outcome.reason.startswith("leak: ") and "exact value in use (a planted value)" in outcome.reason
    assert folder_state(workspace) == before


def test_a_successful_write_replaces_the_cassette_and_leaves_no_temporary_file(workspace):
    before = folder_state(workspace)
    (outcome,) = record(workspace)
    assert outcome.written
    after = folder_state(workspace)
    assert set(after) == set(before)
    assert after[f"{SCENARIO}.yaml"] != before[f"{SCENARIO}.yaml"]
