"""Access tokens (CreateAccessToken): fetched once, reused until they expire, then refreshed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from harness.domain.router_data import AccessTokenResponseData

if TYPE_CHECKING:
    from harness.integration.connector import AnyRouterData, ConnectorV2

TokenCall = TypeVar("TokenCall")  # what fetching a token leaves behind (the executor's Execution)

DEFAULT_LIFETIME_S = 300  # when the provider states no expiry
EXPIRY_MARGIN_S = 30  # refresh a little before the provider's deadline


@dataclass
class _Entry:
    token: AccessTokenResponseData
    expires_at: float


class AccessTokenCache:
    """One token per connector and credentials; `clock` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[tuple[str, int], _Entry] = {}
        self.fetches = 0

    def _key(self, connector: ConnectorV2, router_data: AnyRouterData) -> tuple[str, int]:
        return (connector.id, hash(router_data.connector_auth_type))

    def get_or_fetch(
        self,
        connector: ConnectorV2,
        router_data: AnyRouterData,
        fetch: Callable[[], tuple[AccessTokenResponseData | None, TokenCall]],
    ) -> tuple[AccessTokenResponseData | None, TokenCall | None]:
        """The cached token, or `fetch()`'s (the executor passes the CreateAccessToken call: no cycle)."""
        key = self._key(connector, router_data)
        entry = self._entries.get(key)
        now = self.clock()
        if entry is not None and now < entry.expires_at:
            return entry.token, None
        token, token_execution = fetch()
        self.fetches += 1
        if token is not None:
            lifetime = token.expires_in if token.expires_in is not None else DEFAULT_LIFETIME_S
            self._entries[key] = _Entry(token, now + max(lifetime - EXPIRY_MARGIN_S, 0))
        return token, token_execution

    def clear(self) -> None:
        self._entries.clear()

    def __repr__(self) -> str:
        return f"AccessTokenCache(entries={len(self._entries)})"
