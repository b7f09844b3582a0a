"""Provider sandboxes simulated from their public documentation.

Each module here answers requests the way the provider's API reference and testing guide say
its sandbox does (test cards, status values, error objects, ids). They serve two purposes:
authoring cassettes (`python -m tests.sandboxes.author NAME`, provenance `authored-from-docs`)
and standing in for the real sandbox on 127.0.0.1 in the recording tests.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from harness.integration.http import HttpRequest, HttpResponse


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


class SandboxTransport:
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


@contextmanager
def serve(sandbox: Sandbox, *, max_requests: int = 200) -> Iterator[str]:
    """Serve a sandbox over HTTP on 127.0.0.1 for at most `max_requests` requests."""
    served = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            served[0] += 1
            if served[0] > max_requests:
                self.send_error(503, "request budget of the test server used up")
                return
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            try:
                answer = sandbox.handle(
                    SandboxRequest(
                        self.command, parts.path, parts.query, dict(self.headers), self.rfile.read(length)
                    )
                )
            except Disconnect:
                self._reset()
                return
            body, headers = answer.encoded()
            try:
                self.send_response(answer.status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                self.close_connection = True

        def _reset(self) -> None:
            """Close with SO_LINGER 0, so the client sees a connection reset, not an answer."""
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.wfile.close()
            self.connection.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
