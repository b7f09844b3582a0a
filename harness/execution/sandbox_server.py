"""Serve a simulated provider sandbox over HTTP on 127.0.0.1 (the tests, `certify sandbox`)."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from harness.integration.sandbox import Disconnect, Sandbox, SandboxRequest


@contextmanager
def serve(sandbox: Sandbox, *, max_requests: int | None = 200, port: int = 0) -> Iterator[str]:
    """Serve a sandbox over HTTP on 127.0.0.1 (port 0: a free one) for at most `max_requests`
    requests (None: no budget, for `certify sandbox`)."""
    served = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            served[0] += 1
            if max_requests is not None and served[0] > max_requests:
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

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
