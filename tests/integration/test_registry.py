"""The registry: installed `certify.connectors` entry points plus the project's connectors/ folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.integration import registry
from harness.integration.registry import ConnectorLoadError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {"stripe", "adyen", "checkout", "paypal", "authorizedotnet"}


def install_distribution(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    """A distribution's metadata as pip leaves it in site-packages (what importlib.metadata reads)."""
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
    lines = [f"{name} = {target}" for name, target in entry_points.items()]
    text = "[certify.connectors]\n" + "\n".join(lines) + "\n"
    (info / "entry_points.txt").write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(registry.EXTRA_VARIABLE, raising=False)
    return folder


def test_the_shipped_connectors_are_registered_from_the_project_folder(monkeypatch):
    monkeypatch.delenv(registry.EXTRA_VARIABLE, raising=False)
    found = registry.read_registry(ROOT)
    assert set(found.names()) == SHIPPED and not found.conflicts
    # the editable install's entry point and the folder name the same module: one source, the folder's
    assert found.sources["stripe"].origin == "project folder connectors/stripe/"
    assert found.sources["stripe"].class_name == "Stripe"
    assert registry.load("stripe", ROOT).__name__ == "Stripe"


def test_a_folder_in_connectors_is_listed_without_importing_it(tmp_path, monkeypatch):
    monkeypatch.delenv(registry.EXTRA_VARIABLE, raising=False)
    (tmp_path / "connectors" / "acme").mkdir(parents=True)
    (tmp_path / "connectors" / "__init__.py").write_text("")
    (tmp_path / "connectors" / "acme" / "connector.py").write_text("raise SystemExit('imported')\n")
    (tmp_path / "connectors" / "notes").mkdir()  # no connector.py: not a connector
    assert "acme" in registry.names(tmp_path) and "notes" not in registry.names(tmp_path)


def test_two_sources_claiming_one_name_is_an_error_naming_both(site):
    install_distribution(site, "acme-dup", {"stripe": "acme_dup.connector:Stripe"})
    found = registry.read_registry(ROOT)
    assert "stripe" in found.names() and "stripe" in found.conflicts
    assert {"adyen", "paypal"} <= set(found.sources)  # the others are unaffected
    with pytest.raises(ConnectorLoadError) as raised:
        registry.load("stripe", ROOT)
    message = raised.value.one_line()
    assert "project folder connectors/stripe/" in message and "entry point of acme-dup" in message
    assert "acme_dup.connector:Stripe" in message and "\n" not in message
    assert registry.load("adyen", ROOT).__name__ == "Adyen"


def test_two_installed_distributions_claiming_one_name_conflict(site):
    install_distribution(site, "acme-one", {"acme": "acme_one.connector:Acme"})
    install_distribution(site, "acme-two", {"acme": "acme_two.connector:Acme"})
    with pytest.raises(ConnectorLoadError, match=r"entry point of acme-(one|two).*entry point of acme-"):
        registry.source("acme", ROOT)


def test_an_entry_point_to_a_missing_module_is_a_load_error_of_that_connector_only(site):
    install_distribution(site, "ghost-pay", {"ghost": "ghost_pay_missing.connector:Ghost"})
    assert "ghost" in registry.names(ROOT)
    with pytest.raises(ConnectorLoadError, match="connector 'ghost' failed to load: ModuleNotFoundError"):
        registry.load("ghost", ROOT)


def test_extra_connectors_variable_still_adds_and_replaces_entries(site, monkeypatch):
    monkeypatch.setenv(registry.EXTRA_VARIABLE, "double=tests.certify.broken:SameProductionUrl")
    assert "double" in registry.names(ROOT)
    assert registry.load("double", ROOT).__name__ == "SameProductionUrl"


def test_an_unknown_name_says_where_connectors_come_from(site):
    with pytest.raises(ConnectorLoadError, match=r"unknown connector 'nope'.*certify\.connectors entry"):
        registry.load("nope", ROOT)


def test_a_connector_py_with_two_connector_classes_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(registry.EXTRA_VARIABLE, raising=False)
    package = tmp_path / "twopkg"
    (package / "twin").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "twin" / "__init__.py").write_text("")
    (package / "twin" / "connector.py").write_text(
        "from connectors.stripe.connector import Stripe\n\n"
        "class A(Stripe):\n    pass\n\n\nclass B(Stripe):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    source = registry.ConnectorSource("twin", "twopkg.twin.connector", "", "project folder", packaged=False)
    module = __import__("twopkg.twin.connector", fromlist=["A"])
    with pytest.raises(ConnectorLoadError, match="defines 2 ConnectorV2 subclasses"):
        registry._connector_class(module, source)
    sys.modules.pop("twopkg.twin.connector", None)


def _keyed() -> type:
    from dataclasses import replace

    from connectors.stripe.connector import Stripe

    class Keyed(Stripe):
        id = "keyed"
        auth = replace(Stripe.auth, key_prefixes=("kyd_live_",))

    return Keyed


Keyed = _keyed()  # registered by name in the test below


def test_key_prefixes_read_the_registry_once_and_follow_what_is_registered(site, monkeypatch):
    """Every connector session asks for the key prefixes: with N connectors registered, a call
    that read the registry again for each connector cost O(N) reads (2 s at 1,000)."""
    reads = []
    real = registry.read_registry

    def counting(root=None):
        reads.append(root)
        return real(root)

    monkeypatch.setattr(registry, "read_registry", counting)
    shipped = registry.key_prefixes(ROOT)
    assert "sk_test_" in shipped and len(reads) == 1
    # a connector registered with a prefix of its own: another set of sources, its prefix is in
    monkeypatch.setenv(registry.EXTRA_VARIABLE, "keyed=tests.integration.test_registry:Keyed")
    assert registry.key_prefixes(ROOT) == shipped | {"kyd_live_"}
    monkeypatch.delenv(registry.EXTRA_VARIABLE)
    assert registry.key_prefixes(ROOT) == shipped and len(reads) == 3
