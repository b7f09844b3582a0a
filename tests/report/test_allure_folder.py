"""allure-results/ swapped in whole; the folder it replaces is removed while the run goes on, and
the process ends only once it is gone; the leak scan skips it (no artifact of this run)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from harness.certify.leaks import artifact_files
from harness.certify.results import CheckResult
from harness.cli import allure_stream
from harness.cli import run as run_module
from harness.cli.allure_stream import AllureStream
from harness.report.folder import ALLURE_RESULTS, ALLURE_STAGING_PREFIX, staged_allure_dir, swap_in_allure
from tests.report.factory import sample_results


def _staged_with(report_dir: Path, name: str) -> Path:
    staged = staged_allure_dir(report_dir)
    for index in range(50):
        (staged / f"{name}-{index}-result.json").write_text("{}")
    return staged


def test_the_previous_allure_results_are_replaced_whole_and_removed_by_a_process_of_its_own(tmp_path):
    swap_in_allure(_staged_with(tmp_path, "first"), tmp_path)
    final, removal = swap_in_allure(_staged_with(tmp_path, "second"), tmp_path)
    assert sorted(p.name for p in final.iterdir())[0].startswith("second")
    assert removal is not None and removal.wait(timeout=30) == 0  # it outlives the run; waited for here
    assert [p.name for p in tmp_path.iterdir()] == [ALLURE_RESULTS]


def test_leftovers_of_an_earlier_run_are_removed_in_the_background(tmp_path):
    leftover = tmp_path / f"{ALLURE_STAGING_PREFIX}old.x" / ALLURE_RESULTS
    leftover.mkdir(parents=True)
    (leftover / "old-result.json").write_text("{}")
    staged = staged_allure_dir(tmp_path)
    deadline = time.monotonic() + 30
    while leftover.parent.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [p.name for p in tmp_path.iterdir()] == [staged.name]


def test_the_leak_scan_skips_the_folders_being_removed(tmp_path):
    retired = tmp_path / f"{ALLURE_STAGING_PREFIX}old.x" / ALLURE_RESULTS
    retired.mkdir(parents=True)
    (retired / "old-result.json").write_text("{}")
    (tmp_path / "results.json").write_text("{}")
    assert [p.name for p in artifact_files(tmp_path, ALLURE_STAGING_PREFIX)] == ["results.json"]
    assert len(artifact_files(tmp_path)) == 2


def test_the_leak_scan_never_lists_a_folder_being_removed(tmp_path, monkeypatch):
    """Its removal runs beside the scan: a folder that vanishes mid-walk must not end the run."""
    import os

    retired = tmp_path / f"{ALLURE_STAGING_PREFIX}old.x" / ALLURE_RESULTS
    retired.mkdir(parents=True)
    (retired / "old-result.json").write_text("{}")
    (tmp_path / ALLURE_RESULTS).mkdir()
    (tmp_path / ALLURE_RESULTS / "new-result.json").write_text("{}")
    real = os.scandir

    def scandir(path="."):
        if ALLURE_STAGING_PREFIX in str(path):
            raise FileNotFoundError(2, "removed meanwhile", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = artifact_files(tmp_path, ALLURE_STAGING_PREFIX)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [f"{ALLURE_RESULTS}/new-result.json"]


def test_an_allure_uuid_that_reads_as_a_card_number_is_drawn_again(monkeypatch, tmp_path):
    import uuid

    from harness.certify.leaks import LeakScanner
    from harness.domain import sensitive

    card_shaped = "aebe3044-5359-4897-9726-b7bf0382050d"  # one the leak scan withheld in a benchmark
    assert list(LeakScanner().findings(card_shaped)), "the shape this test is about"
    drawn = iter([uuid.UUID(card_shaped), uuid.UUID("0f1e2d3c-4b5a-4978-8877-66554433aabb")])
    monkeypatch.setattr(sensitive.uuid, "uuid4", lambda: next(drawn))
    assert sensitive.plain_uuid4() == "0f1e2d3c-4b5a-4978-8877-66554433aabb"


def test_certify_run_writes_allure_results_beside_its_reports_as_the_results_were_when_it_began(tmp_path):
    results = sample_results()
    checks = sum(len(c.checks) for c in results.connectors)
    finish = run_module.start_allure(results, tmp_path, AllureStream(staged_allure_dir(tmp_path), 0))
    results.connectors[0].checks.append(CheckResult(id="added:later", family="facts", status="passed"))
    finish()
    written = [json.loads(p.read_text()) for p in (tmp_path / ALLURE_RESULTS).iterdir()]
    assert len(written) == checks and "added:later" not in {r["name"] for r in written}
    assert not [t for t in threading.enumerate() if t.name == "certify-allure"]


def test_what_the_allure_thread_raised_is_raised_by_the_run(monkeypatch, tmp_path):
    def broken(results, folder, **_):
        raise OSError(28, "No space left on device", str(folder))

    monkeypatch.setattr(allure_stream, "write_allure_results", broken)
    stream = AllureStream(staged_allure_dir(tmp_path), 0)
    stream.abandon()  # the writer gone: the stream writes the folder itself, and the disk is full
    finish = run_module.start_allure(sample_results(), tmp_path, stream)
    with pytest.raises(OSError, match="No space left"):
        finish()
