"""The transport interface: every transport is closeable and a context manager, as httpx's are."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from connectors.stripe.sandbox import StripeSandbox
from harness.certify.cassettes.recording import RecordingTransport
from harness.certify.cassettes.replay import ReplayTransport, load_cassette
from harness.certify.checks.amounts import NoRequestTransport
from harness.certify.checks.faults import FAULTS, FaultTransport
from harness.certify.recording import Rerouted
from harness.execution.transport import LiveTransport, Transport
from harness.integration.http import HttpRequest, HttpResponse, Method
from harness.integration.sandbox import SandboxTransport

ROOT = Path(__file__).resolve().parents[2]


class CountingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


class Inner:
    """A transport that only answers and counts closes (what a wrapper holds)."""

    def __init__(self) -> None:
        self.closed = 0

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, b"{}", {"Content-Type": "application/json"})

    def close(self) -> None:
        self.closed += 1


class AnswerOnly:
    def handle_request(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, b"", {})


def test_the_live_transport_closes_its_session_when_the_with_block_ends():
    session = CountingSession()
    with LiveTransport(session, timeout=1) as transport:
        assert transport.session is session and session.closed == 0
    assert session.closed == 1


def test_the_live_transport_closes_its_session_when_the_with_block_raises():
    session = CountingSession()
    with pytest.raises(RuntimeError, match="provider down"), LiveTransport(session, timeout=1):
        raise RuntimeError("provider down")
    assert session.closed == 1


def test_a_wrapping_transport_closes_what_it_wraps():
    for wrap in (RecordingTransport, lambda inner: Rerouted(inner, "https://a.example", "http://127.0.0.1:1")):
        inner = Inner()
        with wrap(inner) as transport:
            transport.handle_request(HttpRequest(Method.GET, "https://a.example/v1/x"))
        assert inner.closed == 1


def test_every_transport_of_the_harness_has_the_whole_interface():
    loaded = load_cassette(ROOT / "cassettes" / "stripe" / "authorize_manual_capture.yaml")
    transports = [
        LiveTransport(timeout=1),
        ReplayTransport(loaded),
        RecordingTransport(Inner()),
        Rerouted(Inner(), "https://a.example", "http://127.0.0.1:1"),
        SandboxTransport(StripeSandbox()),
        FaultTransport(FAULTS[0]),
        NoRequestTransport(),
    ]
    for transport in transports:
        assert isinstance(transport, Transport), type(transport).__name__
        with transport as entered:
            assert entered is transport
    # one that only answers is not a transport: the protocol is checked, not assumed
    assert not isinstance(AnswerOnly(), Transport)
