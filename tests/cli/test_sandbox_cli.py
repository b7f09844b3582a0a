"""`certify sandbox` and `certify author` through the console script, in a temporary copy of the
project: the served sandbox answers `certify record --base-url` on 127.0.0.1, authored cassettes carry
their provenance, a key the sandbox echoes never reaches a cassette or the output, and bad input is
one line with exit 2 that leaves every cassette as it was."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.recording.conftest import copy_project

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")
CANARY_KEY = "sk_test_CANARYs4ndb0xAuth0r1ng0000"


def certify(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CERTIFY_EXTRA_CONNECTORS", "STRIPE_API_KEY")}
    return subprocess.run(
        [CERTIFY, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env={**base, **(env or {})}
    )


def cassettes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "cassettes").rglob("*.yaml"))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def test_record_against_the_served_sandbox(project: Path):
    server = subprocess.Popen(
        [CERTIFY, "sandbox", "stripe", "--port", "0"], cwd=project, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+/)", first)
        assert first.startswith("serving connectors/stripe/sandbox.py on ") and match, first
        url = match.group(1)
        assert f"STRIPE_API_KEY=... certify record stripe --base-url {url}" in server.stdout.readline()
        for path in (project / "cassettes" / "stripe").glob("*.yaml"):
            path.unlink()
        recorded = certify(
            "record", "stripe", "--base-url", url, "--scenario", "authorize_auto_capture",
            "--scenario", "refund_full", cwd=project, env={"STRIPE_API_KEY": CANARY_KEY},
        )  # fmt: skip
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
        assert sorted(p.name for p in (project / "cassettes" / "stripe").glob("*.yaml")) == [
            "authorize_auto_capture.yaml",
            "refund_full.yaml",
        ]
        text = (project / "cassettes" / "stripe" / "refund_full.yaml").read_text()
        assert CANARY_KEY not in text and CANARY_KEY not in recorded.stdout + recorded.stderr
        provenance = yaml.safe_load(text)["metadata"]["provenance"]
        assert provenance["kind"] == "recorded-sandbox"
        assert url in provenance["note"]  # the requests went to the served sandbox
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_author_writes_cassettes_with_their_provenance(project: Path):
    before = cassettes(project)
    authored = certify(
        "author", "stripe", "--scenario", "capture_full", "--scenario", "void_authorized", cwd=project
    )
    assert authored.returncode == 0, authored.stdout + authored.stderr
    assert re.search(r"^capture_full\s+written cassettes/stripe/capture_full.yaml \(\d interactions\)$",
                     authored.stdout, re.M), authored.stdout  # fmt: skip
    provenance = yaml.safe_load((project / "cassettes/stripe/capture_full.yaml").read_text())["metadata"][
        "provenance"
    ]
    assert provenance["kind"] == "authored-from-docs"
    assert "https://docs.stripe.com/testing" in provenance["sources"]
    assert "connectors/stripe/sandbox.py" in provenance["note"]
    after = cassettes(project)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed <= {"cassettes/stripe/capture_full.yaml", "cassettes/stripe/void_authorized.yaml"}
    run = certify("run", "stripe", "--report-dir", str(project / "reports"), cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_old_author_module_is_an_alias(project: Path):
    alias = subprocess.run(
        [sys.executable, "-m", "tests.sandboxes.author", "stripe", "--scenario", "psync_charged"],
        cwd=project,
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": f"{project}:{ROOT}"},
    )  # fmt: skip
    assert alias.returncode == 0, alias.stdout + alias.stderr
    assert "psync_charged" in alias.stdout and "written cassettes/stripe/psync_charged.yaml" in alias.stdout


def test_a_key_the_sandbox_echoes_is_refused_and_never_shown(project: Path):
    path = project / "connectors" / "stripe" / "sandbox.py"
    text = path.read_text().replace("sk_test_authoring_placeholder", CANARY_KEY)
    echo = "        answer.body['description'] = request.header('Authorization')\n"  # the key, echoed
    echo = "        answer = self.route(request)\n" + echo
    text = text.replace("        answer = self.route(request)\n", echo)
    path.write_text(text)
    before = cassettes(project)
    authored = certify("author", "stripe", "--scenario", "authorize_auto_capture", cwd=project)
    assert authored.returncode == 1, authored.stdout + authored.stderr
    assert (
        "authorize_auto_capture  refused: leak: cassettes/stripe/authorize_auto_capture.yaml"
        in authored.stdout
    )
    assert "CANARYs4ndb0x" not in authored.stdout + authored.stderr
    assert cassettes(project) == before


@pytest.mark.parametrize(
    ("args", "edit", "expected"),
    [
        (("author", "nosuch"), None, "unknown connector 'nosuch'"),
        (
            ("author", "stripe", "--scenario", "no_such_scenario"),
            None,
            "unknown scenario(s): no_such_scenario",
        ),
        (("author", "stripe"), "delete", "connectors/stripe/sandbox.py: stripe has no simulated sandbox"),
        (
            ("author", "stripe"),
            "break",
            "connectors/stripe/sandbox.py: the sandbox does not load: SyntaxError",
        ),
        (("author", "stripe"), "empty", "connectors/stripe/sandbox.py: defines no Sandbox subclass"),
        (("sandbox", "stripe"), "delete", "connectors/stripe/sandbox.py: stripe has no simulated sandbox"),
        (("sandbox", "stripe", "--port", "70000"), None, "--port must be between 0 and 65535"),
        (("sandbox", "nosuch"), None, "unknown connector 'nosuch'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(project: Path, args, edit, expected):
    path = project / "connectors" / "stripe" / "sandbox.py"
    if edit == "delete":
        path.unlink()
    elif edit == "break":
        path.write_text(path.read_text() + "\ndef broken(:\n")
    elif edit == "empty":
        path.write_text('"""Nothing simulated yet."""\n')
    before = cassettes(project)
    result = certify(*args, cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert cassettes(project) == before


def test_a_port_in_use_is_one_line(project: Path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = certify("sandbox", "stripe", "--port", str(port), cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"--port {port}: cannot listen on 127.0.0.1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_scaffolded_sandbox_serves_and_refuses_to_author_until_its_sources_are_filled(project: Path):
    created = certify("new", "acme_pay", cwd=project)
    assert created.returncode == 0, created.stderr
    assert "created  connectors/acme_pay/sandbox.py" in created.stdout
    sandbox_file = project / "connectors" / "acme_pay" / "sandbox.py"
    assert sandbox_file.read_text().count("TODO") >= 8  # the markers the author replaces
    certification = project / "connectors" / "acme_pay" / "certification.toml"
    certification.write_text(
        certification.read_text().replace("supported = []", 'supported = ["authorize_auto_capture"]')
        + '\n[cards.success]\nnumber = "4111111111111111"\nexp_month = "12"\nexp_year = "2034"\ncvc = "123"\n'
    )
    refused = certify("author", "acme_pay", cwd=project)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.startswith(
        "certify: connectors/acme_pay/sandbox.py: AcmePaySandbox.sources must name"
    )
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not list((project / "cassettes" / "acme_pay").glob("*.yaml"))
    # once the sources are filled, the scaffold runs: the flow the connector has not written is named
    sandbox_file.write_text(
        sandbox_file.read_text().replace(
            '"TODO: the URL of each documentation page the behaviour comes from"',
            '"https://docs.acme.example/testing"',
        )
    )
    authored = certify("author", "acme_pay", cwd=project)
    assert authored.returncode == 1, authored.stdout + authored.stderr
    assert "authorize_auto_capture  refused:" in authored.stdout
    assert "write authorize_request in connectors/acme_pay/transformers.py" in authored.stdout
    server = subprocess.Popen(
        [CERTIFY, "sandbox", "acme_pay", "--port", "0"], cwd=project, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        match = re.search(r"on (http://127\.0\.0\.1:(\d+)/)", server.stdout.readline())
        assert match
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(2)), timeout=10)
        body = json.dumps({"amount": 1000, "currency": "USD", "card": {"number": "4111111111111111"}})
        connection.request(
            "POST", "/v1/payments", body, {"Authorization": "Bearer acme_pay_test_placeholder"}
        )
        answer = connection.getresponse()
        assert answer.status == 201 and json.loads(answer.read())["status"] == "captured"
        connection.close()
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_the_lint_and_the_mutants_leave_the_simulated_sandbox_out():
    # a test double holds placeholder keys and hand-made amounts: linted, it would block every connector
    linted = certify("lint", "connectors/stripe", "connectors/paypal", cwd=ROOT)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "sandbox.py" not in linted.stdout
    from harness.mutate.runner import connector_files

    mutated = [path.name for path in connector_files(ROOT / "connectors" / "stripe")]
    assert "sandbox.py" not in mutated and "transformers.py" in mutated
