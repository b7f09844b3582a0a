"""The one list of check families: results.json's `family` values, the pytest markers, the order
of checks in results.json and in the reports, and the reports' group titles all read it.

A new family: its module under harness/certify/checks/ (exposing `specs(session)`), its name here,
and its planner in `plan.PLANNERS`. This module imports nothing, so every layer may read it.
"""

from __future__ import annotations

from typing import Literal, get_args

Family = Literal["load", "scenario", "facts", "property", "contract", "lint", "secrets"]

# results.json order (and the pytest markers' order): the literal's order
FAMILIES: tuple[Family, ...] = get_args(Family)

# the reports' reading order: what a connector does before what it declares, the lint last
REPORT_ORDER: tuple[Family, ...] = ("load", "scenario", "facts", "contract", "property", "secrets", "lint")

# group titles of the HTML report (a family without one shows its name: facts does today)
TITLES: dict[str, str] = {
    "load": "Load",
    "scenario": "Scenarios",
    "contract": "Contracts",
    "property": "Properties",
    "lint": "Lint",
    "secrets": "Secrets",
}


def family_of(check_id: str) -> Family:
    """The family of a check known only by its id (a planned check that left no result)."""
    prefix = check_id.split(":", 1)[0]
    for family in FAMILIES:
        if prefix == family:
            return family
    return "scenario" if prefix == "not_supported" else "load"
