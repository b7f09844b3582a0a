"""The rules every request meets before a connector's transform runs, checked once by the base.

Each rule reads the connector's declaration (its auth variant, a flow's reference limit, its amount
converter) or the router data alone (a capture or refund never moves more than it draws from), so
that no connector restates it under its own name. `ConnectorV2.build_request` applies them; a
transform may assume them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from harness.domain.auth import ConnectorAuthType, NoKey
from harness.domain.errors import InvalidDataError
from harness.domain.flows import Flow
from harness.domain.money import MinorUnit

A = TypeVar("A", bound=ConnectorAuthType)

# flow -> the request field holding the amount the flow moves
MOVED_AMOUNT: Mapping[Flow, str] = {
    Flow.AUTHORIZE: "amount",
    Flow.CAPTURE: "amount_to_capture",
    Flow.REFUND: "refund_amount",
}
# flow -> (the amount the flow moves, the amount it draws from, what that one is called)
AMOUNT_BOUNDS: Mapping[Flow, tuple[str, str, str]] = {
    Flow.CAPTURE: ("amount_to_capture", "payment_amount", "authorized amount"),
    Flow.REFUND: ("refund_amount", "payment_amount", "captured amount"),
}


def check_credentials(
    auth: ConnectorAuthType,
    declared: type[ConnectorAuthType],
    *,
    provider: str,
    env: Mapping[str, str] | None = None,
) -> None:
    """Refuse credentials of another variant than the declared one (a NoKey connector takes any)."""
    if declared is NoKey or isinstance(auth, declared):
        return
    given = type(auth).auth_type or type(auth).__name__
    what = ", ".join(declared.field_names())
    hint = f"set {', '.join(env.values())}" if env else None
    raise InvalidDataError(
        f"{provider} needs {declared.auth_type} credentials ({what}), not {given}", field="auth", hint=hint
    )


def credentials(auth: ConnectorAuthType, kind: type[A]) -> A:
    """The credentials as the variant the connector declared (the base has refused any other)."""
    if not isinstance(auth, kind):
        # only reachable when a connector asks for another variant than its AuthSpec declares
        raise InvalidDataError(
            f"expected {kind.auth_type} credentials, got {type(auth).auth_type}", field="auth"
        )
    return auth


def check_reference(reference: str, limit: int, *, field: str, provider: str) -> None:
    """Refuse a reference above the flow's documented length: a router picks a shorter one, never cut."""
    if len(reference) > limit:
        raise InvalidDataError(
            f"{field} is {len(reference)} characters; {provider} takes at most {limit}",
            field=field,
            hint="the router must choose a shorter reference: it is never truncated",
        )


def check_amount_bound(flow: Flow, request: Any) -> None:
    """Refuse a capture above the authorization, or a refund above the captured amount."""
    bound = AMOUNT_BOUNDS.get(flow)
    if bound is None:
        return
    field, limit_field, limit_name = bound
    amount, limit = getattr(request, field, None), getattr(request, limit_field, None)
    if isinstance(amount, MinorUnit) and isinstance(limit, MinorUnit) and amount > limit:
        raise InvalidDataError(
            f"{field} ({amount.value}) is above {limit_name} ({limit.value})",
            field=field,
            hint="a capture never exceeds the authorization and a refund never exceeds the capture",
        )
