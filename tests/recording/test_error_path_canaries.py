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

from tests.recording.conftest import CANARY_CARD, CANARY_KEY, ROOT, files_under

LEAKY_TRANSFORM = """
from dataclasses import replace
from typing import ClassVar

from connectors.stripe.connector import Stripe
from harness.domain import Flow


def leaky_request(rd, ctx):
    key = rd.connector_auth_type.api_key.expose()
    card = rd.request.payment_method_data.card_number.expose()
    raise ValueError(f"cannot build the request for key {key} and card {card} ({{CANARY_CARD}})")


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
    """The forms a leaked value could take in a file: plain, URL-encoded, base64, JSON-escaped."""
    return {
        value,
        quote(value, safe=""),
        base64.b64encode(value.encode()).decode().rstrip("="),
        "".join(f"\\u{ord(c):04x}" for c in value),
    }


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
    # the faulty connectors are reported, the good one still certified
    assert "leaky_import" in output and "failed to load" in output, output
    results = (report_dir / "results.json").read_text()
    assert '"leaky_transform"' in results and "ValueError" in results
    artifacts = files_under(report_dir)
    assert artifacts
    canaries = set().union(*(forms(v) for v in (CANARY_KEY, CANARY_CARD)))
    for artifact in artifacts:
        text = artifact.read_text(errors="replace")
        assert not [c for c in canaries if c in text], artifact
    assert not [c for c in canaries if c in output], output
