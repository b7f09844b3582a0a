"""The base of the provider sandboxes simulated from their public documentation.

Each connector may ship `connectors/<name>/sandbox.py`: a test double that answers requests the
way the provider's API reference and testing guide say its sandbox does (test cards, status
values, error objects, ids). It serves two purposes: authoring cassettes (`certify author NAME`,
provenance `authored-from-docs`) and standing in for the real sandbox on 127.0.0.1
(`certify sandbox NAME`, then `certify record NAME --base-url ...`).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.integration.http import BaseTransport, HttpRequest, HttpResponse


@dataclass
class SandboxRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class SandboxResponse:
    status: int
    body: Any = None  # JSON-able, or bytes
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        if isinstance(self.body, bytes):
            return self.body, dict(self.headers)
        headers = {"Content-Type": "application/json", **self.headers}
        return json.dumps(self.body).encode(), headers


class Disconnect(Exception):
    """Raised by a sandbox's `handle` to drop the connection without answering (a reset)."""


class Sandbox:
    """Base of the simulated sandboxes: deterministic ids, one `handle` method."""

    name = ""
    sources: tuple[str, ...] = ()  # the documentation pages the behaviour comes from
    api_version: str | None = None
    credentials: dict[str, str] = {}  # placeholder credentials the sandbox accepts

    def __init__(self) -> None:
        self._counter = 0

    def new_id(self, prefix: str, length: int = 24) -> str:
        self._counter += 1
        digest = hashlib.sha256(f"{self.name}:{prefix}:{self._counter}".encode()).hexdigest()
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        number = int(digest, 16)
        chars = []
        for _ in range(length):
            number, index = divmod(number, len(alphabet))
            chars.append(alphabet[index])
        return prefix + "".join(chars)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        raise NotImplementedError


class SandboxTransport(BaseTransport):
    """An in-process transport that answers from a sandbox (no socket)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        answer = self.sandbox.handle(
            SandboxRequest(
                request.method.value,
                parts.path,
                parts.query,
                request.wire_headers(),
                request.wire_body() or b"",
            )
        )
        body, headers = answer.encoded()
        return HttpResponse(answer.status, body, headers)


SANDBOX_MODULE = "sandbox"  # connectors/<name>/sandbox.py, next to connector.py


def sandbox_module(connector_module: str) -> str:
    """`connectors.stripe.connector` -> `connectors.stripe.sandbox`."""
    package, _, _ = connector_module.rpartition(".")
    return f"{package}.{SANDBOX_MODULE}" if package else SANDBOX_MODULE


def find_sandbox_class(module_name: str) -> type[Sandbox] | None:
    """The Sandbox subclass a module defines (None when it defines none); ImportError when the
    module itself is missing."""
    module = importlib.import_module(module_name)
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, Sandbox)
            and value is not Sandbox
            and value.__module__ == module.__name__
        ):
            return value
    return None
