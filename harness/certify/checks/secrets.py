"""The secrets family: no card data, credential or token shows unmasked in the logged requests,
outcomes or messages of the replayed scenarios.
"""

from __future__ import annotations

from typing import Any

from harness.certify.cassettes.scrubbing import SECRET_KEYS
from harness.certify.catalog import CATALOG
from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.results import CheckResult
from harness.certify.runner import ScenarioRun
from harness.domain.secret import MASK


def find_leaks(tree: Any, values: list[str], path: str = "") -> list[str]:
    """Paths where a known secret value, or a value under a secret-looking key, shows unmasked."""
    found: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            child = f"{path}.{key}" if path else str(key)
            if str(key).lower() in SECRET_KEYS and isinstance(value, str) and value not in ("", MASK):
                found.append(child)
            else:
                found.extend(find_leaks(value, values, child))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.extend(find_leaks(value, values, f"{path}.{index}" if path else str(index)))
    elif isinstance(tree, str) and any(secret in tree for secret in values if len(secret) >= 6):
        found.append(path or "<text>")
    return found


def secrets_check(session: ConnectorSession) -> list[CheckResult]:
    ws = session.workspace
    values = [*ws.auth.secret_values(), *ws.certification.secret_values()]
    leaks: list[str] = []
    for scenario in CATALOG:
        if scenario.id not in ws.certification.scenarios.supported or not ws.connector.flows:
            continue
        outcome = session.scenario_run(scenario)
        if not isinstance(outcome, ScenarioRun):
            continue
        for step in outcome.steps:
            for where, tree in (("request", step.request), ("outcome", step.outcome)):
                leaks.extend(f"{scenario.id}/{step.step} {where} {p}" for p in find_leaks(tree, values))
            leaks.extend(f"{scenario.id}/{step.step} message" for p in step.problems if find_leaks(p, values))
    title = "No card data, credential or token shows in logged requests, outcomes or messages"
    if leaks:
        return [
            check_result(
                "secrets:masked",
                "secrets",
                "failed",
                f"unmasked secret values in {len(leaks)} place(s): {', '.join(leaks[:5])}; wrap them in "
                "Secret (and headers in Maskable.masked)",
                title=title,
                details={"places": leaks},
            )
        ]
    return [
        check_result(
            "secrets:masked", "secrets", "passed", "every logged request masks its secrets", title=title
        )
    ]


def specs(session: ConnectorSession) -> list[CheckSpec]:
    return [CheckSpec("secrets:masked", "secrets", "Secrets stay masked", secrets_check)]
