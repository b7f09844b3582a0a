"""Mutation strength in the certificate: staleness by content hash, the threshold, --strict, the reports.

Report tests use hand-written mutate results (real mutation runs take minutes); the CLI tests at the
end certify a copy of Stripe's data for real.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.certify.certification import CertificationError
from harness.certify.results import MutationStrength, SurvivingMutant
from harness.certify.strength import (
    PARTS,
    Measurement,
    MutateResultError,
    apply_strength,
    assess,
    attach,
    content_hashes,
    read_measurements,
    threshold,
)
from harness.defaults import MUTATION_STRENGTH_FLOOR
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from tests.report.factory import INJECTED_SCRIPT, sample_results
from tests.report.html_tools import parse

ROOT = Path(__file__).resolve().parents[2]
STRIPE_TOML = ROOT / "connectors" / "stripe" / "certification.toml"
# a survivor's diff carries connector source: it must reach the page as text, never as markup
HOSTILE_DIFF = (
    "--- a/connectors/x/transformers.py\n+++ b/connectors/x/transformers.py\n"
    f'-    "ok"\n+    "{INJECTED_SCRIPT}"\n'
)


def material(tmp_path: Path) -> SimpleNamespace:
    """A connector's files laid out as a workspace describes them."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "connector.py").write_text("class Acme: ...\n")
    (tmp_path / "src" / "transformers.py").write_text('STATUS = {"ok": "Charged"}\n')
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "cassettes" / "authorize.yaml").write_text("interactions: []\n")
    (tmp_path / "cassettes" / "webhooks").mkdir()
    (tmp_path / "cassettes" / "webhooks" / "refund_failed.yaml").write_text("x: 1\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "sandbox.toml").write_text('[connectors]\nacme.base_url = "https://x"\n')
    (tmp_path / "certification.toml").write_text('connector = "acme"\n')
    (tmp_path / "acme.yaml").write_text("openapi: 3.0.0\n")
    (tmp_path / "acme.facts.toml").write_text("[statuses]\n")
    return SimpleNamespace(
        source_dir=tmp_path / "src",
        certification_path=tmp_path / "certification.toml",
        cassette_dir=tmp_path / "cassettes",
        facts_path=tmp_path / "acme.facts.toml",
        spec_path=tmp_path / "acme.yaml",
        configs=tmp_path / "config",
    )


def measurement(strength: float, content: dict[str, str], survivors: int = 1) -> Measurement:
    return Measurement(
        connector="good",
        strength=strength,
        killed=round(strength * 20),
        counted=20,
        measured_at="2026-01-02T03:04:05+00:00",
        content=content,
        survivors=[
            SurvivingMutant(
                family="status-table", file="connectors/x/transformers.py", line=7 + i,
                description='"ok": CHARGED -> FAILURE', diff=HOSTILE_DIFF,
            )
            for i in range(survivors)
        ],
    )  # fmt: skip


# ------------------------------------------------------------------ staleness


def test_a_connector_file_changed_after_measuring_makes_the_strength_stale(tmp_path):
    files = material(tmp_path)
    measured = content_hashes(files)
    assert set(measured) == set(PARTS)
    fresh = assess(measurement(0.95, measured), current=content_hashes(files), threshold=0.9, source="m")
    assert (fresh.stale, fresh.changed, fresh.state) == (False, [], "met")

    (files.source_dir / "transformers.py").write_text('STATUS = {"ok": "Failure"}\n')
    stale = assess(measurement(0.95, measured), current=content_hashes(files), threshold=0.9, source="m")
    assert (stale.stale, stale.changed, stale.state) == (True, ["connector"], "stale")


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("cassettes", lambda f: (f.cassette_dir / "refund.yaml").write_text("interactions: []\n")),
        ("cassettes", lambda f: (f.cassette_dir / "webhooks" / "refund_failed.yaml").write_text("x: 2\n")),
        ("facts", lambda f: f.facts_path.write_text("[statuses]\nok = 1\n")),
        ("spec", lambda f: f.spec_path.write_text("openapi: 3.1.0\n")),
        ("certification", lambda f: f.certification_path.write_text('connector = "acme"\n# x\n')),
        ("config", lambda f: (f.configs / "production.toml").write_text("[connectors]\n")),
    ],
)
def test_each_judged_part_is_hashed(tmp_path, part, change):
    files = material(tmp_path)
    before = content_hashes(files)
    change(files)
    after = content_hashes(files)
    assert [p for p in PARTS if before[p] != after[p]] == [part]


def test_content_that_cannot_be_read_here_is_never_current():
    mutation = assess(measurement(0.95, {"connector": "x"}), current=None, threshold=0.9, source="m")
    assert mutation.stale and mutation.state == "stale"


# ------------------------------------------------------------------ the threshold


def with_min_strength(tmp_path: Path, value: str) -> Path:
    path = tmp_path / "certification.toml"
    path.write_text(f"min_strength = {value}\n" + STRIPE_TOML.read_text(encoding="utf-8"))
    return path


def test_the_threshold_is_the_floor_unless_the_connector_raises_it(tmp_path):
    assert threshold(STRIPE_TOML) == MUTATION_STRENGTH_FLOOR == 0.9
    assert threshold(with_min_strength(tmp_path, "0.95")) == 0.95
    assert threshold(with_min_strength(tmp_path, "1")) == 1.0


@pytest.mark.parametrize("value", ["0.8", "0", "1.5", '"high"', "true"])
def test_a_min_strength_below_the_floor_or_not_a_share_is_a_config_error(tmp_path, value):
    path = with_min_strength(tmp_path, value)
    with pytest.raises(CertificationError) as caught:
        threshold(path)
    line = caught.value.one_line()
    assert line.startswith(f"{path}: min_strength: ") and "\n" not in line
    if value == "0.8":
        assert "below the harness floor 0.9" in line and "never lower it" in line


# ------------------------------------------------------------------ --strict


def certified():
    return sample_results().connector("good")


@pytest.mark.parametrize(
    ("strength", "stale", "reason"),
    [
        (None, False, "no mutation strength measured for good"),
        (0.85, False, "mutation strength 85.0% is below the threshold 90%"),
        (0.97, True, "is stale: connector changed since it was measured"),
    ],
)
def test_strict_refuses_a_missing_low_or_stale_strength(strength, stale, reason):
    connector = certified()
    mutation = (
        MutationStrength(threshold=0.9)
        if strength is None
        else MutationStrength(
            strength=strength, threshold=0.9, stale=stale, changed=["connector"] if stale else []
        )
    )
    apply_strength(connector, mutation, strict=True)
    assert connector.verdict == "not_certified"
    assert connector.mutation is not None and reason in connector.mutation.refusal
    assert connector.mutation.refusal.startswith("--strict: ")


def test_strict_passes_a_current_strength_at_or_above_the_threshold():
    for strength in (0.9, 0.97):
        connector = certified()
        apply_strength(connector, MutationStrength(strength=strength, threshold=0.9), strict=True)
        assert connector.verdict == "certified" and connector.mutation.refusal == ""


def test_a_raised_threshold_refuses_what_the_floor_accepts():
    connector = certified()
    apply_strength(connector, MutationStrength(strength=0.93, threshold=0.95), strict=True)
    assert connector.verdict == "not_certified" and "below the threshold 95%" in connector.mutation.refusal


def test_without_strict_a_shortfall_is_shown_but_the_verdict_stands():
    connector = certified()
    apply_strength(connector, MutationStrength(strength=0.5, threshold=0.9), strict=False)
    assert connector.verdict == "certified" and connector.mutation.state == "below"


def test_strict_never_certifies_a_connector_with_a_failing_check_and_judges_again_when_re_rendered():
    results = sample_results()
    content = {p: "h" for p in PARTS}
    current = {"good": content, "bad": content}
    attach(results, {}, source="", current=current, thresholds={}, strict=True)
    assert results.connector("good").verdict == "not_certified" and results.run.strict
    assert results.connector("bad").verdict == "not_certified" and results.connector("bad").failing
    # a later measurement (certify report re-renders with it) lifts a refusal made for the strength only
    strong = {"good": measurement(0.97, content), "bad": measurement(0.97, content)}
    attach(results, strong, source="m.json", current=current, thresholds={}, strict=True)
    assert results.connector("good").verdict == "certified"
    assert results.connector("bad").verdict == "not_certified"  # its failing checks still block


# ------------------------------------------------------------------ mutate.json


def test_an_unreadable_mutate_result_is_one_error_naming_the_file(tmp_path):
    path = tmp_path / "mutate.json"
    cases = [
        ("{nope", "not a mutate result"),
        ('{"connectors": [{"connector": "x"}]}', "connectors[0] is malformed"),
    ]
    for text, message in cases:
        path.write_text(text)
        with pytest.raises(MutateResultError) as caught:
            read_measurements(path)
        assert caught.value.one_line().startswith(f"{path}: {message}")
    with pytest.raises(MutateResultError, match="mutate result not found"):
        read_measurements(tmp_path / "missing.json")


def test_survivors_are_read_with_their_diffs(tmp_path):
    path = tmp_path / "mutate.json"
    path.write_text(json.dumps({"generated_at": "2026-01-02T00:00:00+00:00", "connectors": [{
        "connector": "acme", "strength": 0.5, "killed": 1, "total": 3, "errors": 1, "content": {"spec": "s"},
        "results": [
            {"status": "killed", "family": "header", "file": "f.py", "line": 1, "description": "d"},
            {"status": "survived", "family": "header", "file": "f.py", "line": 2, "description": "d2",
             "diff": HOSTILE_DIFF},
        ],
    }]}))  # fmt: skip
    found = read_measurements(path)["acme"]
    assert (found.strength, found.killed, found.counted, found.content) == (0.5, 1, 2, {"spec": "s"})
    assert [(s.line, s.diff) for s in found.survivors] == [(2, HOSTILE_DIFF)]
    assert found.measured_at == "2026-01-02T00:00:00+00:00"


# ------------------------------------------------------------------ the reports


def with_strength(strength: float, *, stale: bool = False, strict: bool = False):
    results = sample_results(planted=False)
    content = {p: "h" for p in PARTS}
    current = {"good": {**content, "cassettes": "changed"} if stale else content, "bad": content}
    attach(results, {"good": measurement(strength, content, survivors=2)}, source="reports/mutate.json",
           current=current, thresholds={"good": 0.9}, strict=strict)  # fmt: skip
    return results


def test_the_html_report_shows_the_strength_badge_and_the_survivors_escaped():
    page = render_html(with_strength(0.95))
    badge = re.search(r'<span class="strength s-met"[^>]*>([^<]*)</span>', page)
    assert badge and badge.group(1) == "strength 95.0%"
    assert page.index("score 100") < badge.start() < page.index("</h2>", badge.start())
    assert "Surviving mutants: 2 of 20" in page and "connectors/x/transformers.py:7" in page
    assert INJECTED_SCRIPT not in page and "<img" not in page
    # the page's own script, two payload blobs and the certified connector's packed passed rows
    assert len(re.findall(r"<script\b", page)) == 4
    assert "+    &#34;&lt;script&gt;window.__pwned = 1; alert(&#39;xss&#39;)&lt;/script&gt;&#34;" in page
    assert HOSTILE_DIFF.strip() in "".join(parse(page).text)  # the diff reaches the reader as text


def test_a_stale_strength_is_never_shown_as_current():
    results = with_strength(0.95, stale=True)
    page = render_html(results)
    badge = re.search(r'<span class="strength (s-[a-z]+)"[^>]*>([^<]*)</span>', page)
    assert badge and badge.groups() == ("s-stale", "strength 95.0% stale")
    assert "before cassettes changed" in page
    summary = render_markdown(results)
    assert "| 95.0% (stale) |" in summary and "Stale: cassettes changed since" in summary
    assert results.model_dump()["connectors"][0]["mutation"]["stale"] is True


def test_a_strict_refusal_is_in_the_results_the_summary_and_the_page():
    results = with_strength(0.85, strict=True)
    good = results.connector("good")
    assert good.verdict == "not_certified" and results.exit_code() == 1
    assert "below the threshold 90%" in good.mutation.refusal
    page = render_html(results)
    assert "Not certified --strict: mutation strength 85.0% is below the threshold 90%" in page
    assert 'class="strength s-below"' in page
    summary = render_markdown(results)
    assert "| ❌ | <code>good</code> | not_certified | 100 | 85.0% (below 90%) |" in summary
    assert "**Not certified** --strict: mutation strength 85.0% is below the threshold 90%" in summary
    assert INJECTED_SCRIPT not in summary and "&lt;script&gt;window.__pwned" in summary


def test_without_a_mutate_result_the_summary_table_keeps_its_shape():
    summary = render_markdown(sample_results(planted=False))
    assert "strength" not in summary


# ------------------------------------------------------------------ the command


def project(tmp_path: Path) -> Path:
    """A project root with Stripe's data (the Stripe class is the one in this checkout)."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "connectors" / "stripe", root / "connectors" / "stripe",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))  # fmt: skip
    shutil.copytree(ROOT / "cassettes" / "stripe", root / "cassettes" / "stripe")
    (root / "specs").mkdir()
    for name in ("stripe.yaml", "stripe.facts.toml"):
        shutil.copy(ROOT / "specs" / name, root / "specs" / name)
    return root


def certify(exe: list[str], root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*exe, *args], cwd=root, capture_output=True, text=True, timeout=600)


def test_mutate_refuses_a_min_strength_below_the_floor_before_measuring(certify_exe, tmp_path):
    root = project(tmp_path)
    toml = root / "connectors" / "stripe" / "certification.toml"
    toml.write_text("min_strength = 0.8\n" + toml.read_text(encoding="utf-8"))
    result = certify(certify_exe, root, "mutate", "stripe", "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: ") and str(toml) in lines[0], lines
    assert "min_strength: 0.8 is below the harness floor 0.9" in lines[0]


def write_mutate_result(root: Path, path: Path, strength: float) -> None:
    """What `certify mutate stripe` writes, with the content hashes of the project as it is now."""
    from harness.certify.workspace import Workspace

    content = content_hashes(Workspace.for_registered("stripe", root=root))
    entry = {"connector": "stripe", "strength": strength, "killed": round(strength * 40), "total": 40,
             "errors": 0, "measured_at": "2026-01-02T03:04:05+00:00", "content": content,
             "results": []}  # fmt: skip
    path.write_text(json.dumps({"generated_at": entry["measured_at"], "connectors": [entry]}))


@pytest.mark.slow
def test_run_strict_refuses_below_the_raised_threshold_passes_above_and_refuses_stale(certify_exe, tmp_path):
    root = project(tmp_path)
    reports = root / "reports"
    reports.mkdir()
    toml = root / "connectors" / "stripe" / "certification.toml"
    toml.write_text("min_strength = 0.95\n" + toml.read_text(encoding="utf-8"))

    write_mutate_result(root, reports / "mutate.json", 0.925)  # above the floor, below the connector's
    below = certify(certify_exe, root, "run", "stripe", "--strict", "--report-dir", str(reports))
    assert below.returncode == 1, below.stdout + below.stderr
    assert "mutation strength 92.5% (threshold 95%" in below.stdout
    assert "refused --strict: mutation strength 92.5% is below the threshold 95%" in below.stdout
    stripe = json.loads((reports / "results.json").read_text())["connectors"][0]
    assert stripe["verdict"] == "not_certified" and stripe["mutation"]["threshold"] == 0.95
    assert "below the threshold 95%" in (reports / "summary.md").read_text()
    assert "below the threshold 95%" in (reports / "index.html").read_text()

    elsewhere = tmp_path / "strong.json"
    write_mutate_result(root, elsewhere, 0.975)
    above = certify(certify_exe, root, "run", "stripe", "--strict", "--report-dir", str(reports),
                    "--mutate-result", str(elsewhere))  # fmt: skip
    assert above.returncode == 0, above.stdout + above.stderr
    assert "mutation strength 97.5% (threshold 95%, measured 2026-01-02T03:04:05+00:00)" in above.stdout
    stripe = json.loads((reports / "results.json").read_text())["connectors"][0]
    assert (stripe["verdict"], stripe["mutation"]["stale"], stripe["mutation"]["refusal"]) == (
        "certified",
        False,
        "",
    )

    toml.write_text(toml.read_text(encoding="utf-8") + "# edited after the measurement\n")
    stale = certify(certify_exe, root, "run", "stripe", "--strict", "--report-dir", str(reports),
                    "--mutate-result", str(elsewhere))  # fmt: skip
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "STALE: certification changed since" in stale.stdout
    assert "strength 97.5% stale" in (reports / "index.html").read_text()

    # certify report re-renders with a new measurement: the strict run's refusal is judged again
    write_mutate_result(root, reports / "mutate.json", 0.975)
    again = certify(certify_exe, root, "report", "--results", str(reports / "results.json"))
    assert again.returncode == 0, again.stdout + again.stderr
    stripe = json.loads((reports / "results.json").read_text())["connectors"][0]
    assert stripe["verdict"] == "certified" and not stripe["mutation"]["stale"]


def test_run_refuses_an_unreadable_mutate_result_before_running(certify_exe, tmp_path):
    bad = tmp_path / "mutate.json"
    bad.write_text("{nope")
    result = certify(certify_exe, ROOT, "run", "stripe", "--report-dir", str(tmp_path / "r"),
                     "--mutate-result", str(bad))  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--mutate-result: {bad}: not a mutate result" in lines[0], lines
    assert not (tmp_path / "r" / "results.json").exists()


def test_mutate_changed_since_measures_only_what_a_pull_request_changed(certify_exe, tmp_path):
    root = project(tmp_path)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "base")
    result = certify(certify_exe, root, "mutate", "--changed-since", "HEAD", "--report-dir", str(root / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stripe: not selected: nothing of it changed" in result.stdout
    assert json.loads((root / "r" / "mutate.json").read_text())["connectors"] == []
    bad_ref = certify(certify_exe, root, "mutate", "--changed-since", "nope", "--report-dir", str(root / "r"))
    assert bad_ref.returncode == 2 and "git merge-base nope failed" in bad_ref.stderr
    nothing = certify(certify_exe, root, "mutate", "--report-dir", str(root / "r"))
    assert nothing.returncode == 2 and "pass --changed-since REF" in nothing.stderr
