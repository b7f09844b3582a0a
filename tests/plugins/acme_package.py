"""A connector package laid out as a `certify.connectors` plugin, made from Stripe's files.

    acme_pay_connector/__init__.py, connector.py, transformers.py, webhooks.py
    acme_pay_connector/certification.toml, spec.yaml, facts.toml
    acme_pay_connector/cassettes/<scenario>.yaml, cassettes/webhooks/<event>.yaml
    acme_pay_connector/config/{development,sandbox,production}.toml
    pyproject.toml: [project.entry-points."certify.connectors"]
                    acme_pay = "acme_pay_connector.connector:AcmePay"

Made from Stripe's (renamed) so that the test certifies real code against real cassettes without a
second copy of them in the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "acme_pay_connector"
NAME = "acme_pay"

PYPROJECT = f"""[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "acme-pay-connector"
version = "1.0.0"
requires-python = ">=3.11"

[project.entry-points."certify.connectors"]
{NAME} = "{PACKAGE}.connector:AcmePay"

[tool.setuptools]
packages = ["{PACKAGE}"]

[tool.setuptools.package-data]
{PACKAGE} = ["*.toml", "*.yaml", "cassettes/*.yaml", "cassettes/webhooks/*.yaml", "config/*.toml"]
"""


def _renamed(text: str) -> str:
    return (
        text.replace("connectors.stripe", PACKAGE)
        .replace("class Stripe(", "class AcmePay(")
        .replace('id = "stripe"', f'id = "{NAME}"')
        .replace('connector = "stripe"', f'connector = "{NAME}"')
        .replace("STRIPE_API_KEY", "ACME_PAY_API_KEY")
    )


def write_acme_package(folder: Path) -> Path:
    """The package's source tree in `folder` (returned), ready for `pip wheel`."""
    package = folder / PACKAGE
    package.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (package / "__init__.py").write_text('"""Acme Pay, a certify.connectors plugin."""\n', encoding="utf-8")
    for module in ("connector.py", "transformers.py", "webhooks.py", "certification.toml"):
        text = (ROOT / "connectors" / "stripe" / module).read_text(encoding="utf-8")
        (package / module).write_text(_renamed(text), encoding="utf-8")
    shutil.copyfile(ROOT / "specs" / "stripe.yaml", package / "spec.yaml")
    shutil.copyfile(ROOT / "specs" / "stripe.facts.toml", package / "facts.toml")
    shutil.copytree(ROOT / "cassettes" / "stripe", package / "cassettes")
    (package / "config").mkdir()
    for env in ("development", "sandbox", "production"):
        lines = (ROOT / "config" / f"{env}.toml").read_text(encoding="utf-8").splitlines()
        entries = [f"{NAME}.{line.removeprefix('stripe.')}" for line in lines if line.startswith("stripe.")]
        text = "\n".join(["[connectors]", *entries]) + "\n"
        (package / "config" / f"{env}.toml").write_text(text, encoding="utf-8")
    return folder
