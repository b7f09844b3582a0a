"""A malformed cassette is an `error` of its own connector, naming the cassette and the field."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.replay import MAX_CASSETTE_BYTES, load_cassette
from harness.certify.checks.plan import certify_workspace
from harness.certify.workspace import Workspace
from tests.certify.test_run_cli import ROOT, certify, copy_root

CASSETTE = "void_authorized.yaml"

SOURCES_5 = ("    sources:\n    - ", "    sources: 5\n    unused:\n    - ")
# (what the issue reports, the edit of the cassette's text, the field the error must name)
MALFORMED = [
    ("sources: 5", SOURCES_5, "metadata.provenance.sources"),
    ("uri: 7", ("uri: https://api.stripe.com/v1/payment_intents\n", "uri: 7\n"),
     "interactions[0].request.uri"),
    ("body.string: 5", ("    body:\n      string: '{", "    body:\n      string: 5\n      x: '{"),
     "interactions[0].response.body.string"),
    ("headers as a string", ("    headers:\n      Content-Type:\n      - application/json\n      Request-Id:",
     "    headers: 'Content-Type: application/json'\n    unused:\n      Request-Id:"),
     "interactions[0].response.headers"),
    ("request headers as a string", ("    headers:\n      Authorization:\n      - Bearer ***\n",
     "    headers: 'Authorization: x'\n    unused:\n      Authorization:\n      - Bearer ***\n"),
     "interactions[0].request.headers"),
]  # fmt: skip


def malformed_copy(tmp_path: Path, edit: tuple[str, str]) -> Path:
    root = copy_root(tmp_path)
    path = root / "cassettes" / "stripe" / CASSETTE
    text = path.read_text()
    assert edit[0] in text, edit[0]
    path.write_text(text.replace(edit[0], edit[1], 1))
    return root


@pytest.mark.parametrize(("form", "edit", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_each_malformed_form_is_a_cassette_error_naming_the_file_and_field(tmp_path, form, edit, field):
    root = malformed_copy(tmp_path, edit)
    with pytest.raises(CassetteError) as raised:
        load_cassette(root / "cassettes" / "stripe" / CASSETTE)
    line = raised.value.one_line()
    assert f"cassettes/stripe/{CASSETTE}: {field}" in line, line


def test_a_wrong_type_inside_an_interaction_is_not_blamed_on_the_connector(tmp_path):
    from connectors.stripe.connector import Stripe

    root = malformed_copy(tmp_path, MALFORMED[2][1])
    result = certify_workspace("stripe", lambda: Workspace(name="stripe", connector_cls=Stripe, root=root))
    assert result.verdict == "error"
    check = next(c for c in result.checks if c.id == "scenario:void_authorized")
    assert check.status == "error"
    assert "interactions[0].response.body.string" in check.message and CASSETTE in check.message
    assert "connector raised" not in result.model_dump_json()


def test_a_malformed_provenance_is_an_error_of_its_connector_only(certify_exe, tmp_path):
    extra = {"stripe_copy": "connectors.stripe.connector:Stripe"}
    root = copy_root(tmp_path, extra=extra)
    path = root / "cassettes" / "stripe" / CASSETTE
    path.write_text(path.read_text().replace(*SOURCES_5, 1))
    done = certify(
        certify_exe, root, "stripe", "stripe_copy", "--report-dir", str(root / "reports"), extra=extra
    )
    assert done.returncode == 2, done.stdout + done.stderr
    results = json.loads((root / "reports" / "results.json").read_text())
    assert {c["name"]: c["verdict"] for c in results["connectors"]} == {
        "stripe": "error",
        "stripe_copy": "certified",
    }
    assert f"cassettes/stripe/{CASSETTE}: metadata.provenance.sources must be a list of URLs" in done.stderr


BOMB = """version: 1
metadata: {provenance: {kind: authored-from-docs, authored_at: 2025-01-01, sources: [x], note: *i}}
interactions: []
"""


def alias_bomb() -> str:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        previous = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        levels.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    return "anchors:\n" + "\n".join("  " + line for line in levels) + "\n" + BOMB.replace("*i", "*j")


def test_an_alias_bomb_is_refused_quickly(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    started = time.monotonic()
    with pytest.raises(CassetteError, match="once its YAML aliases are expanded"):
        load_cassette(path)
    assert time.monotonic() - started < 2


def test_a_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("loop: &l [*l]\n" + BOMB.replace("note: *i", "note: x"))
    with pytest.raises(CassetteError, match="aliases"):
        load_cassette(path)


def test_an_oversized_cassette_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * MAX_CASSETTE_BYTES + "\n" + BOMB.replace("note: *i", "note: x"))
    started = time.monotonic()
    with pytest.raises(CassetteError, match=f"over the {MAX_CASSETTE_BYTES} a cassette may have"):
        load_cassette(path)
    assert time.monotonic() - started < 1


def test_the_shipped_cassettes_stay_far_below_the_bounds():
    for path in sorted((ROOT / "cassettes").glob("*/*.yaml")):
        assert path.stat().st_size < MAX_CASSETTE_BYTES / 10, path
        load_cassette(path)
