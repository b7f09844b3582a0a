"""The full certification refuses one deliberately broken connector per lint family, naming the check."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.certify.checks.plan import certify_workspace
from harness.certify.workspace import Workspace
from tests.lint.broken.amt.connector import FloatAmount
from tests.lint.broken.cfg.connector import ProductionOnTestHost
from tests.lint.broken.cnv.connector import ConverterBypass
from tests.lint.broken.crd.connector import HardcodedCredential
from tests.lint.broken.cur.connector import RawCurrency
from tests.lint.broken.pii.connector import PlainCvc
from tests.lint.broken.ref.connector import GeneratedReference
from tests.lint.broken.sts.connector import UnknownRefundSucceeds
from tests.lint.broken.unw.connector import SwallowedErrors
from tests.lint.broken.v2i.connector import NetworkImport

ROOT = Path(__file__).resolve().parents[2]


def certify(cls, config_dir: Path | None = None):
    return certify_workspace(
        cls.id,
        lambda: Workspace(
            name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe", config_dir=config_dir
        ),
    )


@pytest.mark.parametrize(
    ("cls", "rule"),
    [
        (NetworkImport, "V2I001"),
        (FloatAmount, "AMT001"),
        (ConverterBypass, "CNV003"),
        (RawCurrency, "CUR001"),
        (GeneratedReference, "REF001"),
        (SwallowedErrors, "UNW002"),
        (PlainCvc, "PII001"),
        (UnknownRefundSucceeds, "STS002"),
        (HardcodedCredential, "CRD001"),
    ],
    ids=lambda v: v.id if isinstance(v, type) else v,
)
@pytest.mark.slow
def test_the_certification_refuses_a_connector_breaking_a_source_rule(cls, rule):
    result = certify(cls)
    assert result.verdict == "not_certified"
    folder = f"tests/lint/broken/{cls.__module__.split('.')[-2]}/connector.py"
    failing = [c for c in result.failing if c.startswith(f"lint:{rule}:")]
    assert failing and all(folder in c for c in failing), result.failing
    check = next(c for c in result.checks if c.id == failing[0])
    assert check.family == "lint" and check.severity == "critical"
    assert check.details["source_line"] and check.details["rule"] == rule
    assert check.details["path"].endswith(folder)
    assert result.score < 100


@pytest.mark.slow
def test_the_certification_refuses_a_production_url_on_a_test_host(tmp_path):
    urls = {"development": "https://api.stripe.com/", "sandbox": "https://api.stripe.com/"}
    urls["production"] = "https://api.sandbox.stripe-mirror.example/"
    for env, url in urls.items():
        (tmp_path / f"{env}.toml").write_text(
            f'[connectors]\nstripe.base_url = "{url}" # certify: ignore[CFG005] we know\n'
        )
    result = certify(ProductionOnTestHost, config_dir=tmp_path)
    assert result.verdict == "not_certified"
    assert [c for c in result.failing if c.startswith("lint:")] == [
        f"lint:CFG005:{tmp_path}/production.toml:2"
    ]
    check = next(c for c in result.checks if c.id.startswith("lint:CFG005"))
    assert "cannot be exempted" in check.message


@pytest.mark.slow
def test_stripe_is_certified_with_its_exemption_shown(root):
    from connectors.stripe.connector import Stripe

    result = certify_workspace(
        "stripe", lambda: Workspace(name="stripe", connector_cls=Stripe, root=root, data_name="stripe")
    )
    assert result.verdict == "certified", result.failing
    lint = [c for c in result.checks if c.family == "lint"]
    assert [(c.id, c.status, c.exempt) for c in lint] == [
        ("lint:CFG003:config/production.toml:5", "skipped", True)
    ]
    assert "(exempt: Stripe serves test and live mode from one host" in lint[0].message
