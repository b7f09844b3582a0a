"""A fault-injecting wrapper around a sandbox, for the recording tests.

`FaultySandbox(StripeSandbox(), "server_error", on_request=1)` answers the first request with the
fault and passes every other one to the wrapped sandbox. Faults: an HTTP 500, an answer later
than the client's timeout, a connection reset, a malformed body, and a success body that echoes
the API key the request authenticated with.
"""

from __future__ import annotations

import time

from tests.sandboxes import Disconnect, Sandbox, SandboxRequest, SandboxResponse

FAULTS = ("server_error", "timeout", "reset", "malformed", "echo_key")


class FaultySandbox(Sandbox):
    name = "faulty"

    def __init__(self, inner: Sandbox, fault: str, *, on_request: int = 1, delay: float = 1.5) -> None:
        super().__init__()
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        self.inner = inner
        self.fault = fault
        self.on_request = on_request
        self.delay = delay
        self.seen = 0

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        self.seen += 1
        if self.seen != self.on_request:
            return self.inner.handle(request)
        if self.fault == "server_error":
            body = {"error": {"type": "api_error", "message": "An unknown error occurred."}}
            return SandboxResponse(500, body)
        if self.fault == "timeout":
            time.sleep(self.delay)
            return self.inner.handle(request)
        if self.fault == "reset":
            raise Disconnect()
        if self.fault == "malformed":
            return SandboxResponse(
                200, b'{"id": "pi_3Truncated", "object": "payment_', {"Content-Type": "application/json"}
            )
        answer = self.inner.handle(request)  # echo_key
        key = (request.header("Authorization") or "").removeprefix("Bearer ")
        if isinstance(answer.body, dict):
            answer.body["description"] = f"authenticated with {key}"
        return answer
