"""`certify run` and `pytest --certify` through their real entry points, on copies of the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.certify.results import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]


def copy_root(tmp_path: Path, *, extra: dict[str, str] | None = None) -> Path:
    """A project root with Stripe's data under each given name (all served by the Stripe class)."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "config", root / "config")
    for name in ["stripe", *(extra or {})]:
        shutil.copytree(
            ROOT / "connectors" / "stripe",
            root / "connectors" / name,
            ignore=shutil.ignore_patterns("*.py", "__pycache__"),
        )
        shutil.copytree(ROOT / "cassettes" / "stripe", root / "cassettes" / name)
        (root / "specs").mkdir(exist_ok=True)
        shutil.copy(ROOT / "specs" / "stripe.yaml", root / "specs" / f"{name}.yaml")
        shutil.copy(ROOT / "specs" / "stripe.facts.toml", root / "specs" / f"{name}.facts.toml")
    return root


def certify(exe, root: Path, *args: str, extra: dict[str, str] | None = None):
    env = dict(os.environ)
    if extra:
        env["CERTIFY_EXTRA_CONNECTORS"] = ";".join(f"{k}={v}" for k, v in extra.items())
    return subprocess.run(
        [*exe, "run", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_run_stripe_certifies_and_writes_results(certify_exe, tmp_path):
    result = certify(certify_exe, ROOT, "stripe", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    stripe = results["connectors"][0]
    assert (stripe["name"], stripe["verdict"]) == ("stripe", "certified")
    assert stripe["score"] == 100 - 5 * len(stripe["gaps"]) < 100  # its sandbox exemption is a gap
    families = {c["family"] for c in stripe["checks"]}
    assert {"scenario", "property", "contract", "lint", "secrets", "load"} <= families
    scenarios = [c for c in stripe["checks"] if c["family"] == "scenario" and c["status"] == "passed"]
    assert len(scenarios) >= 15
    assert results["schema_version"] == SCHEMA_VERSION and results["run"]["profile"] == "ci"
    # Stripe has no token endpoint: the facts say so, with their source, so the skip costs nothing
    absent = next(c for c in stripe["checks"] if c["id"] == "scenario:access_token")
    assert absent["status"] == "skipped" and not absent["gap"]
    assert "scenario:access_token" not in stripe["gaps"]
    assert "https://docs.stripe.com/api/authentication" in absent["message"]


def test_a_failing_scenario_exits_1_and_names_the_check(certify_exe, tmp_path):
    root = copy_root(tmp_path)
    cassette = root / "cassettes" / "stripe" / "authorize_manual_capture.yaml"
    text = cassette.read_text()
    assert '"status":"requires_capture"' in text
    cassette.write_text(text.replace('"status":"requires_capture"', '"status":"processing"'))
    result = certify(certify_exe, root, "stripe", "--report-dir", str(root / "reports"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "scenario:authorize_manual_capture" in result.stdout
    assert "expected status Authorized with an id, got Authorizing" in result.stdout


def test_a_corrupt_cassette_exits_2_and_the_other_connector_is_still_certified(certify_exe, tmp_path):
    extra = {"stripe_copy": "connectors.stripe.connector:Stripe"}
    root = copy_root(tmp_path, extra=extra)
    (root / "cassettes" / "stripe" / "refund_full.yaml").write_text("interactions: [\n")
    result = certify(
        certify_exe, root, "stripe", "stripe_copy", "--report-dir", str(root / "reports"), extra=extra
    )
    assert result.returncode == 2, result.stdout + result.stderr
    verdicts = {
        c["name"]: c["verdict"]
        for c in json.loads((root / "reports" / "results.json").read_text())["connectors"]
    }
    assert verdicts == {"stripe": "error", "stripe_copy": "certified"}
    # the connector's error is said once, on stderr (the summary line says `error`)
    assert "cassettes/stripe/refund_full.yaml: not valid safe YAML" in result.stderr
    assert (result.stdout + result.stderr).count("not valid safe YAML") == 1


def test_a_connector_that_cannot_load_is_an_error_and_the_others_run(certify_exe, tmp_path):
    extra = {"ghost": "connectors.ghost.connector:Ghost"}
    root = copy_root(tmp_path, extra=extra)
    result = certify(certify_exe, root, "stripe", "ghost", "--report-dir", str(root / "reports"), extra=extra)
    assert result.returncode == 2
    verdicts = {
        c["name"]: c["verdict"]
        for c in json.loads((root / "reports" / "results.json").read_text())["connectors"]
    }
    assert verdicts == {"ghost": "error", "stripe": "certified"}
    assert "connector 'ghost' failed to load: ModuleNotFoundError" in result.stderr
    assert (result.stdout + result.stderr).count("failed to load") == 1  # said once, on stderr


def test_a_malformed_certification_toml_names_the_file_and_key(certify_exe, tmp_path):
    root = copy_root(tmp_path)
    toml = root / "connectors" / "stripe" / "certification.toml"
    toml.write_text(toml.read_text().replace('currency = "USD"', 'currency = "DOLLARS"'))
    result = certify(certify_exe, root, "stripe", "--report-dir", str(root / "reports"))
    assert result.returncode == 2
    assert "connectors/stripe/certification.toml: defaults.currency" in result.stderr
    assert "not an ISO 4217 currency code" in result.stderr


def test_a_registered_connector_without_certification_data_is_named(certify_exe, tmp_path):
    result = certify(certify_exe, copy_root(tmp_path), "--report-dir", str(tmp_path / "reports"))
    assert result.returncode == 2
    assert "no certification.toml collected for: adyen" in result.stderr


def test_unknown_connector_is_refused(certify_exe):
    result = certify(certify_exe, ROOT, "nope")
    assert result.returncode == 2
    assert "unknown connector(s): nope" in result.stderr


def test_pytest_plugin_runs_native_items_with_family_markers(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--certify",
            "--connector",
            "stripe",
            "-m",
            "certify_property",
            "-p",
            "no:cacheprovider",
            "-q",
            "--collect-only",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = [line for line in result.stdout.splitlines() if "certification.toml::" in line]
    assert collected and all("::property:" in line for line in collected)
    assert any("property:money:Authorize" in line for line in collected)


@pytest.mark.parametrize("selection", ["-k", "--connector"])
def test_pytest_plugin_selects_a_connector(selection):
    args = ["-k", "stripe and scenario"] if selection == "-k" else ["--connector", "stripe"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--certify",
            *args,
            "-p",
            "no:cacheprovider",
            "-q",
            "--collect-only",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "connectors/stripe/certification.toml::scenario:capture_full" in result.stdout


def test_pytest_with_alluredir_has_allure_pytest_write_the_labels(tmp_path):
    """`certify run` writes allure-results from its results; plain `pytest --certify --alluredir` keeps
    allure-pytest's listener, fed by the labels the plugin puts on each item."""
    allure_dir = tmp_path / "allure"
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "--certify", "--connector", "stripe",
            "-k", "load or scenario:capture_full", "--alluredir", str(allure_dir),
            "-p", "no:cacheprovider", "-q",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for path in allure_dir.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["name"]] = {label["name"]: label["value"] for label in data["labels"]}
    capture = next(labels for name, labels in found.items() if name.endswith("scenario:capture_full"))
    assert (capture["epic"], capture["feature"], capture["story"], capture["severity"]) == (
        "stripe", "Capture", "capture_full", "critical",
    )  # fmt: skip
    load = next(labels for name, labels in found.items() if name.endswith("load"))
    assert load["severity"] == "blocker"


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_certify_run_logs_only_the_reports_it_reads(tmp_path, workers):
    """--certify-call-only: each check's call phase alone runs and is logged (no logstart, no
    logfinish), its captured output dropped (under xdist each logged report crosses to the
    controller); plain pytest --certify runs and logs all three phases. With --certify-whole as
    well (what certify run gives) a connector is one item: its whole plan in one logged report."""
    counts = {}
    for option in ([], ["--certify-call-only"], ["--certify-call-only", "--certify-whole"]):
        out = tmp_path / f"counts{len(option)}.json"
        # a whole connector is one item: -k has no check to pick
        picked = [] if "--certify-whole" in option else ["-k", "load or scenario:capture_full"]
        result = subprocess.run(
            [
                sys.executable, "-m", "pytest", "--certify", "--connector", "stripe", *picked,
                "-p", "tests.certify.report_counter", "-p", "no:cacheprovider", "-q", *option, *workers,
            ],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
            env={**os.environ, "REPORT_COUNTS": str(out)},
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        counts[len(option)] = json.loads(out.read_text())
    phases = {k: v for k, v in counts[0].items() if ":" in k or k.startswith("log")}
    assert phases == {
        "setup:passed": 2, "call:passed": 2, "teardown:passed": 2, "logstart": 2, "logfinish": 2
    }  # fmt: skip
    # nothing a certify run loads reads logstart and logfinish: under xdist each would cross too
    assert counts[1] == {"call:passed": 2, "captured sections": 0}
    assert counts[2] == {"call:passed": 1, "captured sections": 0}


def test_a_connector_session_is_let_go_after_its_checks_and_prepared_again_if_needed(tmp_path):
    """Under --certify-call-only a connector's session goes once its checks are done in the process;
    a check that comes after that (here: the checks of two connectors interleaved) prepares it again
    and passes as in plan order."""
    out = tmp_path / "interleaved.json"
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "--certify", "--connector", "stripe", "--connector", "adyen",
            "-k", "load or scenario:capture_full or scenario:refund_full", "-p", "tests.certify.interleave",
            "-p", "no:cacheprovider", "-q", "--certify-call-only",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "INTERLEAVE_OUT": str(out)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads(out.read_text())
    assert len(seen["outcomes"]) == 6 and set(seen["outcomes"].values()) == {"passed"}, seen
    order = [nodeid.split("/")[1] for nodeid in seen["outcomes"]]
    assert order[:2] == ["stripe", "adyen"] or order[:2] == ["adyen", "stripe"]  # interleaved
    assert seen["sessions_left"] == []  # each let go after its last check
