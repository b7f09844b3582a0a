from pathlib import Path

import pytest

from harness.domain import ConfigError
from harness.execution.config import ENVIRONMENTS, load_env, resolve_placeholders


def write(tmp_path: Path, env: str, text: str) -> Path:
    path = tmp_path / f"{env}.toml"
    path.write_text(text)
    return path


def test_shipped_configs_load_and_name_every_registered_connector(root):
    from harness.integration import registry

    for env in ENVIRONMENTS:
        config = load_env(root / "config", env)
        for name in registry.names():
            assert config.base_url(registry.load(name).config_key()).startswith("https://")


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_env(tmp_path, "sandbox")
    assert str(tmp_path / "sandbox.toml") in caught.value.one_line()


def test_malformed_toml_names_the_file(tmp_path):
    write(tmp_path, "sandbox", "[connectors\nstripe.base_url = 1")
    with pytest.raises(ConfigError, match="malformed TOML") as caught:
        load_env(tmp_path, "sandbox")
    assert "sandbox.toml" in caught.value.one_line()
    assert "\n" not in caught.value.one_line()


def test_missing_connector_and_key_are_named(tmp_path):
    write(tmp_path, "production", '[connectors]\nadyen.dispute_base_url = "https://ca-live.adyen.com/"\n')
    config = load_env(tmp_path, "production")
    with pytest.raises(ConfigError, match="no entry for connector 'stripe'"):
        config.base_url("stripe")
    with pytest.raises(ConfigError, match=r"connectors\.adyen\.base_url is missing"):
        config.base_url("adyen")


@pytest.mark.parametrize("url", ["api.stripe.com", "ftp://x.example", "live", "https://", "https://a b.com"])
def test_malformed_urls_are_refused_with_the_key(tmp_path, url):
    write(tmp_path, "sandbox", f'[connectors]\nacme.base_url = "{url}"\n')
    with pytest.raises(ConfigError, match=r"connectors\.acme\.base_url is not an absolute http\(s\) URL"):
        load_env(tmp_path, "sandbox").base_url("acme")


def test_placeholders_are_allowed_and_resolved(tmp_path):
    url = "https://{{merchant_endpoint_prefix}}-checkout-live.adyenpayments.com/checkout/"
    write(tmp_path, "production", f'[connectors]\nadyen.base_url = "{url}"\n')
    assert load_env(tmp_path, "production").base_url("adyen") == url
    assert resolve_placeholders(url, {"merchant_endpoint_prefix": "abc"}, connector="adyen").startswith(
        "https://abc-"
    )
    with pytest.raises(ConfigError, match="merchant_endpoint_prefix"):
        resolve_placeholders(url, {}, connector="adyen")
