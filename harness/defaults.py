"""The harness's defaults, stated once: hypothesis profiles, cassette age, size limits.

Every command, the pytest plugin, the suite and the reports read them from here, so that a value
cannot drift between two copies. This module imports nothing of the harness (the lowest layer).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProfileDefaults:
    max_examples: int  # hypothesis examples per money property
    derandomize: bool  # the same examples on every run (CI) or fresh ones with a recorded seed (dev)
    response_examples: int  # generated provider responses per flow (~10 ms each)
    status_examples: int  # unknown provider statuses per flow
    request_examples: int  # generated requests per flow validated against the spec


PROFILES: dict[str, ProfileDefaults] = {
    # 50 examples a property (100 until 2026-11-30): every one of the 822 mutants of the five shipped
    # connectors has the same fate at 100, 50 and 25 (`certify mutate --no-cache`, all operators; the
    # 88 a property check kills among them included); 50 keeps twice the smallest tested that does
    # Unknown statuses: 10 (50 until 2026-11-30). Every example is the same input but for its text (a
    # status no table holds), so what it can find is found by the first few; the mutants' fates are
    # the same at 10 and 50 (`certify mutate --no-cache`, the five shipped connectors)
    # Generated requests validated against the spec: 20 (50 until 2026-11-30); every mutant keeps its
    # fate and its killing check at 10 (the 9 that contract:requests kills first included): 20 keeps
    # twice the smallest tested, as the other properties do
    "ci": ProfileDefaults(
        max_examples=50, derandomize=True, response_examples=25, status_examples=10, request_examples=20
    ),
    "dev": ProfileDefaults(
        max_examples=50, derandomize=False, response_examples=50, status_examples=50, request_examples=50
    ),
}
PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES)
DEFAULT_PROFILE = "ci"

# A cassette older than this is stale: the report warns, the suite and `certify cassettes check` fail it
CASSETTE_MAX_AGE_DAYS = 180

# Seconds `certify record` waits for each sandbox answer
RECORD_TIMEOUT_S = 30.0

# Generated JSON Schema values stay small: enough to exercise a parser, cheap to shrink
SCHEMA_MAX_MAP_ENTRIES = 3
SCHEMA_MAX_ITEMS = 3
SCHEMA_MAX_TEXT = 24

# GitHub refuses pull request comments over 65,536 characters
SUMMARY_COMMENT_LIMIT = 60_000

# `certify mutate`: the share of realistic bugs a certificate must refuse; certification.toml may raise it
MUTATION_STRENGTH_FLOOR = 0.9

DISTRIBUTION = "payment-connector-certify"


def harness_version() -> str:
    """The installed distribution's version (pyproject.toml's), as results.json and SARIF report it."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
