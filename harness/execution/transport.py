"""Transports: one method, `handle_request(request) -> response`, as in httpx.

The live transport talks HTTP through `requests`; replay and record (in `harness.certify`)
implement the same method, so the code that runs a flow never knows which one it holds.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, runtime_checkable

import requests

from harness.domain.errors import HarnessError
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse


class TransportError(HarnessError):
    """The provider could not be reached or did not answer in time."""


class TransportTimeout(TransportError):
    """No answer in time: the provider may have processed the call."""


class ConnectionLost(TransportError):
    """The connection failed or was reset: the provider may have processed the call."""


@runtime_checkable
class Transport(Protocol):
    """Sends one request, answers one response; `with` closes whatever it holds open."""

    def handle_request(self, request: HttpRequest) -> HttpResponse: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


def root_cause(error: BaseException) -> str:
    """The name of the innermost exception (ConnectionResetError under urllib3's ProtocolError)."""
    seen: set[int] = set()
    current: BaseException = error
    while id(current) not in seen:
        seen.add(id(current))
        inner = next((a for a in current.args if isinstance(a, BaseException)), None)
        inner = inner or current.__cause__ or current.__context__
        if inner is None:
            break
        current = inner
    return type(current).__name__


class LiveTransport(BaseTransport):
    """Real HTTP through a `requests.Session`, with a timeout on every call."""

    def __init__(self, session: requests.Session | None = None, *, timeout: float = 30.0) -> None:
        self.session = session or requests.Session()
        self.timeout = timeout

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        where = f"{request.method.value} {request.url}"
        try:
            response = self.session.request(
                request.method.value,
                request.url,
                headers=request.wire_headers(),
                data=request.wire_body(),
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise TransportTimeout(f"no answer within {self.timeout:g}s from {where}") from None
        except requests.ConnectionError as error:
            raise ConnectionLost(f"connection failed for {where} ({root_cause(error)})") from None
        except requests.RequestException as error:
            raise TransportError(f"HTTP error for {where} ({type(error).__name__})") from None
        return HttpResponse(
            status_code=response.status_code, body=response.content, headers=dict(response.headers)
        )

    def close(self) -> None:
        self.session.close()
