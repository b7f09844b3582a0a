"""The UCS-format environment configs: `config/{development,sandbox,production}.toml`.

Each has a `[connectors]` table with `<name>.base_url = "https://..."`; a base URL may hold
placeholders such as `{{merchant_endpoint_prefix}}`, filled from per-merchant metadata.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from harness.domain.errors import ConfigError

ENVIRONMENTS: tuple[str, ...] = ("development", "sandbox", "production")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class EnvConfig:
    env: str
    path: Path
    connectors: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    def names(self) -> list[str]:
        return sorted(self.connectors)

    def url(self, connector: str, key: str = "base_url") -> str:
        where = f"connectors.{connector}.{key}"
        entry = self.connectors.get(connector)
        if entry is None:
            raise ConfigError(
                f"no entry for connector {connector!r}",
                path=str(self.path),
                hint=f'add {connector}.base_url = "https://..." under [connectors]',
            )
        value = entry.get(key)
        if value is None:
            raise ConfigError(f"{where} is missing", path=str(self.path), hint="add it under [connectors]")
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string", path=str(self.path))
        check_url(value, path=self.path, key=where)
        return value

    def base_url(self, connector: str) -> str:
        return self.url(connector, "base_url")


def check_url(value: str, *, path: Path | str, key: str) -> None:
    """A base URL must be absolute http(s) with a host; placeholders count as host labels."""
    filled = PLACEHOLDER.sub("placeholder", value)
    parts = urlsplit(filled)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in filled:
        raise ConfigError(
            f"{key} is not an absolute http(s) URL: {value[:80]!r}",
            path=str(path),
            hint="write it as https://host/path",
        )


def load_env(config_dir: Path | str, env: str) -> EnvConfig:
    if env not in ENVIRONMENTS:
        raise ConfigError(f"unknown environment {env!r}; use one of {', '.join(ENVIRONMENTS)}")
    path = Path(config_dir) / f"{env}.toml"
    if not path.is_file():
        raise ConfigError(
            "config file not found", path=str(path), hint=f"create {env}.toml with a [connectors] table"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"malformed TOML: {error}", path=str(path), hint="fix the syntax") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"unreadable: {error.__class__.__name__}", path=str(path)) from None
    connectors = data.get("connectors")
    if not isinstance(connectors, dict):
        raise ConfigError(
            "no [connectors] table", path=str(path), hint='add [connectors] with <name>.base_url = "..."'
        )
    entries: dict[str, Mapping[str, object]] = {}
    for name, entry in connectors.items():
        if isinstance(entry, dict):
            entries[name] = entry
        # scalar keys directly under [connectors] (UCS has a few lists there) are not connectors
    return EnvConfig(env=env, path=path, connectors=entries)


def resolve_placeholders(url: str, metadata: Mapping[str, str], *, connector: str) -> str:
    """Fill `{{name}}` placeholders from per-merchant metadata, or say which one is missing."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = metadata.get(name)
        if not value:
            raise ConfigError(
                f"the base URL of {connector} needs {{{{{name}}}}}",
                hint=f"set {name} under [metadata] in certification.toml, or pass --meta {name}=...",
            )
        return value

    return PLACEHOLDER.sub(fill, url)

