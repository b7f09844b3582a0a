"""Canaries on the error paths: connector code that puts credentials and card data into exception
text (while building a request, or while being imported) leaks none of it to the console or to any
artifact of `certify run`.
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.recording.conftest import CANARY_CARD, CANARY_CVC, CANARY_KEY, ROOT, files_under, use_canary_card

LEAKY_TRANSFORM = """
from dataclasses import replace
from typing import ClassVar

from connectors.stripe.connector import Stripe
from harness.domain import Flow


import base64
from urllib.parse import quote


def forms(value):
    escaped = "".join(f"\\\\u{ord(c):04x}" for c in value)
    return f"{value} {quote(value, safe='')} {escaped} {base64.b64encode(value.encode()).decode()}"


def leaky_request(rd, ctx):
    key = rd.connector_auth_type.api_key.expose()
    card = rd.request.payment_method_data.card_number.expose()
    cvc = rd.request.payment_method_data.card_cvc.expose()
    groups = [card[i : i + 4] for i in range(0, 16, 4)]
    split = ".".join(groups) + " " + " ".join(groups)
    raise ValueError(
        f"cannot build the request for key {forms(key)} Bearer%20{key} and card {forms(card)} {split} "
        f"pan{card} cvc {cvc} {forms(cvc)} ({{CANARY_CARD}})"
    )


def leaky_refund(rd, ctx):
    raise RuntimeError(f"refund refused for {rd.connector_auth_type.api_key.expose()}")


class LeakyTransform(Stripe):
    id = "leaky_transform"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.AUTHORIZE: replace(Stripe.flows[Flow.AUTHORIZE], build_request=leaky_request),
        Flow.REFUND: replace(Stripe.flows[Flow.REFUND], build_request=leaky_refund),
    }
""".replace("{{CANARY_CARD}}", CANARY_CARD)

LEAKY_IMPORT = f"""
import os

raise RuntimeError("settings broken: key=" + os.environ["STRIPE_API_KEY"] + " card {CANARY_CARD}")
"""


def forms(value: str) -> set[str]:
    """The forms a leaked value could take in a file: plain, URL-encoded, base64, JSON-escaped,
    and for a card, split in groups."""
    found = {
        value,
        quote(value, safe=""),
        base64.b64encode(value.encode()).decode().rstrip("="),
        "".join(f"\\u{ord(c):04x}" for c in value),
    }
    if value.isdigit() and len(value) == 16:
        found |= {sep.join(value[i : i + 4] for i in range(0, 16, 4)) for sep in ". -"}
    return found


def leaky_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "config", root / "config")
    names = ("stripe", "leaky_transform", "leaky_import")
    for name in names:
        shutil.copytree(
            ROOT / "connectors" / "stripe",
            root / "connectors" / name,
            ignore=shutil.ignore_patterns("*.py", "__pycache__"),
        )
        (root / "connectors" / name / "certification.toml").write_text(
            (ROOT / "connectors" / "stripe" / "certification.toml")
            .read_text()
            .replace('connector = "stripe"', f'connector = "{name}"')
        )
        shutil.copytree(ROOT / "cassettes" / "stripe", root / "cassettes" / name)
        (root / "specs").mkdir(exist_ok=True)
        shutil.copy(ROOT / "specs" / "stripe.yaml", root / "specs" / f"{name}.yaml")
        shutil.copy(ROOT / "specs" / "stripe.facts.toml", root / "specs" / f"{name}.facts.toml")
    use_canary_card(root, "leaky_transform")  # its request carries the canary card and CVC
    (root / "canary_modules").mkdir()
    (root / "canary_modules" / "leaky_transform.py").write_text(LEAKY_TRANSFORM)
    (root / "canary_modules" / "leaky_import.py").write_text(LEAKY_IMPORT)
    return root


@pytest.mark.slow
def test_transform_and_import_errors_quoting_canaries_leak_nowhere(certify, tmp_path):
    root = leaky_project(tmp_path)
    env = {
        **os.environ,
        "STRIPE_API_KEY": CANARY_KEY,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(root / "canary_modules"), os.environ.get("PYTHONPATH")) if p
        ),
        "CERTIFY_EXTRA_CONNECTORS": "leaky_transform=leaky_transform:LeakyTransform;"
        "leaky_import=leaky_import:Nothing",
    }
    report_dir = root / "reports"
    result = certify(
        "run", "stripe", "leaky_transform", "leaky_import", "--report-dir", str(report_dir), cwd=root, env=env
    )
    output = result.stdout + result.stderr
    assert result.returncode in (1, 2), output
    assert "certify: leak:" not in output, output  # redaction did it, not the scanner's last resort
    # the faulty connectors are reported, the good one still certified
    assert "leaky_import" in output and "failed to load" in output, output
    results = (report_dir / "results.json").read_text()
    assert '"leaky_transform"' in results and "ValueError" in results
    artifacts = files_under(report_dir)
    assert artifacts
    canaries = set().union(*(forms(v) for v in (CANARY_KEY, CANARY_CARD)))
    cvc_forms = {f"cvc {CANARY_CVC}", *(f" {form} " for form in forms(CANARY_CVC))}
    for artifact in artifacts:
        text = artifact.read_text(errors="replace")
        assert not [c for c in canaries | cvc_forms if c in text], artifact
    assert not [c for c in canaries | cvc_forms if c in output], output


SANDBOX_KEY = "sk_sbox_CANARYq7x2lmp9vr4ty8wz3nb6"
DOTTED_CARD = ".".join(CANARY_CARD[i : i + 4] for i in range(0, 16, 4))


@pytest.mark.slow
def test_a_cassette_holding_a_sandbox_key_and_a_dotted_card_is_refused(certify, tmp_path):
    """No CHECKOUT_SECRET_KEY is set: the key is known by its declared prefix only."""
    from tests.recording.conftest import copy_project

    root = copy_project(tmp_path / "project")
    cassette = root / "cassettes" / "checkout" / "authorize_auto_capture.yaml"
    text = cassette.read_text()
    assert "interactions:" in text
    cassette.write_text(f"# echoed by the sandbox: Bearer {SANDBOX_KEY} for card {DOTTED_CARD}\n" + text)
    env = {k: v for k, v in os.environ.items() if k != "CHECKOUT_SECRET_KEY"}
    report_dir = root / "reports"
    result = certify("run", "checkout", "--report-dir", str(report_dir), cwd=root, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    leak_lines = [line for line in result.stderr.splitlines() if "authorize_auto_capture.yaml" in line]
    assert any("bearer token" in line for line in leak_lines), output
    assert any("card number" in line for line in leak_lines), output
    assert SANDBOX_KEY not in output and DOTTED_CARD not in output
    assert SANDBOX_KEY not in (report_dir / "results.json").read_text()


@pytest.mark.slow
def test_a_leaky_report_file_is_replaced_by_a_stub(certify, tmp_path):
    from tests.recording.conftest import copy_project

    root = copy_project(tmp_path / "project")
    report_dir = root / "reports"
    report_dir.mkdir()
    (report_dir / "debug.log").write_text(f"one\nsent {SANDBOX_KEY} with card {DOTTED_CARD}\n")
    result = certify("run", "stripe", "--report-dir", str(report_dir), cwd=root, env=dict(os.environ))
    assert result.returncode == 2, result.stdout + result.stderr
    stub = (report_dir / "debug.log").read_text()
    assert "withheld" in stub and "line 2: provider secret key" in stub and "line 2: card number" in stub
    assert SANDBOX_KEY not in stub and DOTTED_CARD not in stub
    assert "withheld" in result.stderr and "debug.log" in result.stderr
    assert (report_dir / "results.json").is_file()
