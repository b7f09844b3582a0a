"""The CI example: what a pull request gets from .github/workflows/certify.yml."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "certify.yml"


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
