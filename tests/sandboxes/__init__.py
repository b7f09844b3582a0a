"""The simulated provider sandboxes, for the tests: the machinery lives in the harness
(harness/integration/sandbox.py, harness/execution/sandbox_server.py) and each simulator with its
connector (connectors/<name>/sandbox.py); tests/sandboxes/faults.py wraps one with faults."""

from harness.execution.sandbox_server import serve
from harness.integration.sandbox import (
    Disconnect,
    Sandbox,
    SandboxRequest,
    SandboxResponse,
    SandboxTransport,
)

__all__ = ["Disconnect", "Sandbox", "SandboxRequest", "SandboxResponse", "SandboxTransport", "serve"]
