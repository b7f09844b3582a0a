"""`certify mutate`: realistic bugs put into a connector, and how many the certificate refuses."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from harness.certify.strength import PARTS
from harness.mutate.operators import FAMILIES, source_mutants
from harness.mutate.runner import MutantResult, MutationReport, run_forked

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "connectors" / name / file
    for name in ("stripe", "adyen", "checkout", "paypal", "authorizedotnet")
    for file in ("connector.py", "transformers.py")
]


def all_mutants():
    for path in SOURCES:
        yield from source_mutants(path, str(path.relative_to(ROOT)))


@pytest.fixture(scope="module")
def mutants() -> list:
    return list(all_mutants())  # ~6 s: generated once for the tests below


def test_every_source_operator_family_makes_mutants_that_parse_and_change_the_code(mutants):
    assert {m.family for m in mutants} == set(FAMILIES) - {"config"}
    originals: dict[str, str] = {}
    # an independent check (whole-module parse and dump, ~17 ms a mutant) on up to 3 mutants of each
    # family in each file, spread over the list; the generator's own cheaper check covers every one
    by_group: dict[tuple[str, str], list] = {}
    for mutant in mutants:
        by_group.setdefault((mutant.file, mutant.family), []).append(mutant)
    for group in by_group.values():
        for mutant in group[:: max(1, len(group) // 3)][:3]:
            original = originals.setdefault(mutant.file, ast.dump(ast.parse(mutant.original)))
            assert ast.dump(ast.parse(mutant.mutated)) != original, mutant
    assert all(m.diff().startswith("--- a/connectors/") for m in mutants)


def test_mutant_keys_are_content_hashes(mutants):
    path = SOURCES[0]
    again = source_mutants(path, str(path.relative_to(ROOT)))
    assert [m.key for m in again] == [m.key for m in mutants if m.file == again[0].file]
    assert len({m.key for m in mutants}) == len(mutants)


def test_a_status_table_mutant_moves_one_entry_to_another_class():
    path = ROOT / "connectors" / "stripe" / "transformers.py"
    mutants = [m for m in source_mutants(path, "stripe/transformers.py", ("status-table",))]
    moved = next(m for m in mutants if m.description.startswith('"succeeded": AttemptStatus.CHARGED -> '))
    assert '-    "succeeded": AttemptStatus.CHARGED,' in moved.diff()


def test_a_hung_mutant_is_killed_at_the_time_limit():
    def hang() -> MutantResult:
        while True:
            time.sleep(0.1)

    def quick() -> MutantResult:
        return MutantResult("k", "status-table", "f.py", 1, "d", "killed", "facts:currencies", "facts")

    started = time.monotonic()
    outcomes = run_forked([(None, hang), (None, quick)], workers=2, timeout=2)  # type: ignore[list-item]
    assert time.monotonic() - started < 10
    assert outcomes[0]["status"] == "timeout"
    assert outcomes[1]["status"] == "killed" and outcomes[1]["killed_by"] == "facts:currencies"


def test_an_exit_inside_a_mutant_is_an_error_not_a_verdict():
    def exits() -> MutantResult:
        raise SystemExit(3)

    assert run_forked([(None, exits)], workers=1, timeout=5)[0]["status"] == "error"  # type: ignore[list-item]


def test_strength_counts_kills_and_timeouts_and_lists_survivors():
    report = MutationReport("acme", "fp")
    report.results = [
        MutantResult("1", "status-table", "f", 1, "a", "killed", "facts:statuses:Capture", "facts"),
        MutantResult("2", "header", "f", 2, "b", "survived", diff="--- a\n+++ b\n"),
        MutantResult("3", "condition", "f", 3, "c", "timeout", "timeout", "timeout"),
        MutantResult("4", "converter", "f", 4, "d", "error", message="worker died"),
    ]
    assert report.strength == pytest.approx(2 / 3)
    assert [r.key for r in report.survivors] == ["2"]
    assert report.by("family")["header"] == (0, 1)
    assert report.as_dict()["by_killing_check"]["facts"] == {"killed": 1, "total": 1}


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.slow
def test_the_cli_kills_status_mutants_and_writes_nothing_into_the_project(certify_exe, tmp_path):
    before = tree_hash(ROOT / "connectors")
    result = subprocess.run(
        [
            *certify_exe, "mutate", "adyen", "--operators", "status-table", "--max-mutants", "3",
            "-n", "2", "--no-cache", "--report-dir", str(tmp_path),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "CERTIFY_CACHE_DIR": str(tmp_path / "cache")},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    # the connector itself is certified first (its findings kept, by its own files); a mutant is linted
    # once, in a temporary folder: its findings are not kept in the cache
    assert len(list((tmp_path / "cache").glob("lint-findings/**/*.pickle"))) == 1
    assert (tmp_path / "cache" / "example-tapes").is_dir()  # the cache folder was in use
    report = json.loads((tmp_path / "mutate.json").read_text())["connectors"][0]
    assert report["total"] == 3 and report["killed"] == 3, report
    assert report["threshold"] == 0.9 and report["measured_at"]  # what --strict and the reports read
    assert set(report["content"]) == set(PARTS)
    assert {r["killed_by_family"] for r in report["results"]} <= {"facts", "scenario", "property"}
    assert "adyen: strength 100.0%" in result.stdout
    assert tree_hash(ROOT / "connectors") == before
