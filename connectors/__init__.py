"""The registry: one declaration per connector (UCS's connectors.rs).

Each entry maps a connector name to `module:Class`. Loading is lazy, so a connector that
fails to import is reported as `error` on its own while the others are still certified.
`certify new NAME` appends its line here.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from harness.domain.errors import HarnessError
from harness.domain.sensitive import redact_text

if TYPE_CHECKING:
    from harness.integration.connector import ConnectorV2

REGISTRY: dict[str, str] = {
    "stripe": "connectors.stripe.connector:Stripe",
    "adyen": "connectors.adyen.connector:Adyen",
    "checkout": "connectors.checkout.connector:Checkout",
    "paypal": "connectors.paypal.connector:Paypal",
    "authorizedotnet": "connectors.authorizedotnet.connector:Authorizedotnet",
}


# Extra entries for tests and benchmarks: CERTIFY_EXTRA_CONNECTORS="name=module:Class;name2=module:Class"
EXTRA_VARIABLE = "CERTIFY_EXTRA_CONNECTORS"


def registry() -> dict[str, str]:
    entries = dict(REGISTRY)
    for item in os.environ.get(EXTRA_VARIABLE, "").split(";"):
        name, sep, target = item.partition("=")
        if sep and name.strip() and ":" in target:
            entries[name.strip()] = target.strip()
    return entries


class ConnectorLoadError(HarnessError):
    """A registered connector could not be imported or is not a ConnectorV2."""


def names() -> list[str]:
    return sorted(registry())


def load(name: str) -> type[ConnectorV2]:
    from harness.integration.connector import ConnectorV2

    target = registry().get(name)
    if target is None:
        known = ", ".join(names()) or "none"
        raise ConnectorLoadError(
            f"unknown connector {name!r}; registered: {known}", path="connectors/__init__.py"
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except HarnessError:
        raise
    except Exception as error:  # a broken connector must not take the others down
        # the text of an import error is connector code's: it may quote a credential or a card
        text = redact_text(" ".join(str(error).split()))
        raise ConnectorLoadError(
            f"connector {name!r} failed to load: {type(error).__name__}: {text[:200]}",
            path=module_name.replace(".", "/") + ".py",
            hint="fix the import error; run `certify list` to see the others",
        ) from error
    if not (isinstance(cls, type) and issubclass(cls, ConnectorV2)):
        raise ConnectorLoadError(f"{target} is not a ConnectorV2 subclass", path="connectors/__init__.py")
    return cls


def key_prefixes() -> frozenset[str]:
    """The secret-key prefixes every registered connector that loads declares (AuthSpec.key_prefixes)."""
    prefixes: set[str] = set()
    for name in names():
        try:
            prefixes.update(load(name).auth.key_prefixes)
        except HarnessError:
            continue  # a connector that fails to load is reported where it is certified
    return frozenset(prefixes)
