"""The CI example: what a pull request gets from .github/workflows/certify.yml."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.cli.record import credentials_table

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "certify.yml"
VERIFY_WORKFLOW = WORKFLOWS / "verify.yml"
SHARDED_WORKFLOW = WORKFLOWS / "certify-sharded.yml"
ALL_WORKFLOWS = [WORKFLOW, VERIFY_WORKFLOW, SHARDED_WORKFLOW]


def steps() -> list[dict]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert "pull_request" in data[True]  # YAML 1.1 reads the `on:` key as True
    return data["jobs"]["certify"]["steps"]


def step(uses: str = "", run: str = "") -> dict:
    found = [
        s
        for s in steps()
        if (uses and s.get("uses", "").startswith(uses)) or (run and run in s.get("run", ""))
    ]
    assert found, uses or run
    return found[0]


def test_the_pull_request_workflow():
    assert step(uses="actions/setup-python")["with"]["python-version"] == "3.11"
    certify = step(run="make certify")
    assert certify["continue-on-error"] is True  # the report must still be uploaded and commented
    upload = step(uses="actions/upload-artifact")
    assert upload["with"]["path"] == "${{ env.REPORT_DIR }}" and upload["if"] == "always()"
    comment = step(run="gh pr comment")
    assert "summary.md" in comment["run"]
    sarif = step(uses="github/codeql-action/upload-sarif")
    assert sarif["with"]["sarif_file"].endswith("/lint.sarif")
    assert "--baseline baseline/results.json" in step(run="certify report")["run"]
    assert steps()[-1]["run"].strip().endswith("exit 1")


ZIZMOR = Path(sys.executable).parent / "zizmor"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def zizmor_findings(workflow: Path) -> list[dict]:
    """zizmor's findings on a workflow, offline (tests have no network), its default persona."""
    result = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-progress", "--format", "json", str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().startswith("["), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("workflow", ALL_WORKFLOWS, ids=lambda p: p.name)
def test_zizmor_finds_nothing_in_the_workflow(workflow):
    findings = zizmor_findings(workflow)
    assert findings == [], [(f["ident"], f["determinations"]["severity"]) for f in findings]


@pytest.mark.parametrize("workflow", ALL_WORKFLOWS, ids=lambda p: p.name)
def test_zizmor_catches_an_unpinned_action_and_persisted_credentials(tmp_path, workflow):
    # the workflow as it was before it was made safe: the check must see what it guards against
    text = workflow.read_text(encoding="utf-8")
    text = re.sub(r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v4", text)
    text = re.sub(r"\n +with:\n +persist-credentials: false[^\n]*", "", text)  # a `with:` left empty
    text = text.replace("          persist-credentials: false", "")
    unsafe = tmp_path / ".github" / "workflows" / workflow.name
    unsafe.parent.mkdir(parents=True)
    unsafe.write_text(text, encoding="utf-8")
    idents = {f["ident"] for f in zizmor_findings(unsafe)}
    assert {"unpinned-uses", "artipacked"} <= idents


@pytest.mark.parametrize("workflow", ALL_WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_hash_with_its_version_and_jobs_ask_for_their_permissions(workflow):
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert data["permissions"] == {}  # nothing at the workflow level
    for job in data["jobs"].values():
        assert job["permissions"].get("contents") == "read"
    lines = [line for line in workflow.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        action, _, comment = line.split("uses:", 1)[1].partition("#")
        assert PINNED.match(action.strip()), line
        assert re.fullmatch(r"v\d+\.\d+\.\d+", comment.strip()), line
    checkouts = [
        s for job in data["jobs"].values() for s in job["steps"] if "actions/checkout" in s.get("uses", "")
    ]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_the_scheduled_verify_workflow():
    data = yaml.safe_load(VERIFY_WORKFLOW.read_text(encoding="utf-8"))
    triggers = data[True]  # YAML 1.1 reads the `on:` key as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", triggers["schedule"][0]["cron"])  # weekly
    (job,) = data["jobs"].values()
    assert job["permissions"] == {"contents": "read"}  # reads the code, writes nothing to GitHub
    (run,) = [s for s in job["steps"] if "certify verify" in s.get("run", "")]
    assert "--output verify/verify.json" in run["run"]
    assert "${{" not in run["run"]  # secrets reach the command through env, never the script text
    # every credential variable the registered connectors read, each from a secret of its own name
    variables = set(re.findall(r"`([A-Z0-9_]+)`", credentials_table()))
    assert variables and run["env"] == {v: "${{ secrets." + v + " }}" for v in variables}
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "verify/"


def test_the_mutate_job_measures_the_changed_connectors_and_uploads_mutate_json():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = data["jobs"]["mutate"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"] == {"contents": "read"}  # least privilege: it only reads the code
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    measure = next(s for s in job["steps"] if "certify mutate" in s.get("run", ""))
    assert '--changed-since "$BASE_SHA"' in measure["run"]
    assert measure["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert "${{" not in measure["run"]  # no expression expanded into the script
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].endswith("/mutate.json") and upload["if"] == "always()"


def test_the_sharded_workflow_certifies_every_shard_and_merges_them():
    data = yaml.safe_load(SHARDED_WORKFLOW.read_text(encoding="utf-8"))
    shard, merge = data["jobs"]["shard"], data["jobs"]["merge"]
    shards = shard["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) > 1
    assert shard["strategy"]["fail-fast"] is False  # every shard reports
    (run,) = [s for s in shard["steps"] if "certify run" in s.get("run", "")]
    assert f'--shard "$SHARD/{len(shards)}"' in run["run"] and "${{" not in run["run"]
    upload = next(s for s in shard["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "shard-${{ matrix.shard }}/results.json"
    assert upload["with"]["if-no-files-found"] == "error"  # a shard that wrote nothing fails loudly
    assert merge["needs"] == "shard" and merge["if"] == "always()"
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact"))
    assert download["with"]["pattern"] == "certification-shard-*"
    (merged,) = [s for s in merge["steps"] if "certify report merge" in s.get("run", "")]
    assert "shards/*/results.json" in merged["run"]
