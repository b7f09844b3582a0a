"""results.json has a versioned JSON Schema, shipped in the package and kept equal to the model."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from harness.certify.results import SCHEMA_VERSION
from harness.report.schema import (
    generated_schema,
    schema_path,
    schema_text,
    shipped_schema,
    validation_errors,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_is_the_one_the_model_generates():
    assert schema_path().name == f"results-{SCHEMA_VERSION}.json"
    assert schema_path().read_text(encoding="utf-8") == schema_text(generated_schema()), (
        "the results model changed: bump SCHEMA_VERSION if readers must notice, then "
        "regenerate with `python -m harness.report.schema`"
    )
    assert shipped_schema()["x-schema-version"] == SCHEMA_VERSION


def test_a_real_run_validates_against_the_shipped_schema(stripe_run):
    data = json.loads((stripe_run / "results.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    assert validation_errors(data) == []


def test_the_schema_refuses_what_the_model_refuses(stripe_run):
    data = json.loads((stripe_run / "results.json").read_text(encoding="utf-8"))
    data["connectors"][0]["verdict"] = "approved"
    data["connectors"][0]["checks"][0]["surprise"] = 1
    del data["connectors"][0]["score"]
    errors = validation_errors(data)
    assert any("/connectors/0/verdict" in e and "approved" in e for e in errors), errors
    assert any("/connectors/0/checks/0" in e and "surprise" in e for e in errors), errors
    assert any("'score' is a required property" in e for e in errors), errors


def test_the_package_data_ships_the_schema_and_the_templates():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]
    assert "schema/*.json" in patterns["harness.report"]
    assert "templates/*" in patterns["harness.report"]
    assert "scaffold/*.j2" in patterns["harness.cli"]
