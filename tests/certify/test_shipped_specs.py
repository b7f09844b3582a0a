"""The shipped specs: imported ones carry provenance and a license notice, every status enum they
document is in the provider facts, and every shipped cassette validates (known gaps exempted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.certify.contracts import load_spec
from harness.certify.specdrift import recorded_exchanges
from harness.certify.specfacts import check_facts_against_spec
from harness.execution.redact import Redactor

ROOT = Path(__file__).resolve().parents[2]
IMPORTED = ["adyen", "paypal", "stripe"]
HAND_WRITTEN = ["checkout", "authorizedotnet"]


@pytest.mark.parametrize("name", IMPORTED)
def test_an_imported_spec_names_its_source_and_ships_its_license(name):
    provenance = load_spec(ROOT / "specs" / f"{name}.yaml").document["x-provenance"]
    for key in ("repository", "version", "license", "imported"):
        assert str(provenance[key]).strip(), key
    notice = ROOT / provenance["license_notice"]
    assert notice.is_file() and provenance["repository"] in notice.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_a_hand_written_spec_says_why_it_was_not_imported(name):
    provenance = load_spec(ROOT / "specs" / f"{name}.yaml").document["x-provenance"]
    assert provenance["hand_written"] is True and provenance["why_not_imported"].strip()


@pytest.mark.parametrize("name", IMPORTED + HAND_WRITTEN)
def test_the_facts_account_for_every_status_the_spec_documents(name):
    spec = load_spec(ROOT / "specs" / f"{name}.yaml")
    assert check_facts_against_spec(spec, ROOT / "specs" / f"{name}.facts.toml") == []


@pytest.mark.parametrize("name", IMPORTED + HAND_WRITTEN)
def test_every_recorded_response_validates_against_the_shipped_spec(name):
    # recorded requests carry masked card data ("***"); the suite validates the requests the
    # connector builds, the recordings are the responses' evidence
    spec = load_spec(ROOT / "specs" / f"{name}.yaml")
    violations = []
    exchanges = 0
    for cassette, request, response in recorded_exchanges(ROOT / "cassettes" / name):
        exchanges += 1
        found = spec.validate_response(request, response, Redactor([]))
        violations.extend(f"{cassette}: {v}" for v in found)
    assert exchanges > 0
    assert violations == []
    assert not [location for location in spec.exemptions if location.startswith("response ")] or spec.exempted
