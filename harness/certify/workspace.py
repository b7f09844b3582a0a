"""Where a connector's certification material lives, and loading it once."""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import connectors as registry
from harness.certify.certification import Certification, load_certification
from harness.domain.auth import ConnectorAuthType
from harness.domain.secret import Secret
from harness.execution.config import EnvConfig, load_env, resolve_placeholders
from harness.integration.connector import ConnectorV2


def replay_credentials(auth_type: type[ConnectorAuthType], env: dict[str, str]) -> ConnectorAuthType:
    """Credentials for replay: the connector's environment variables when set, placeholders otherwise.

    Replay never sends anything, so placeholders work; the environment lets a canary run prove
    that real-looking credentials never reach an artifact.
    """
    values = {}
    for name in auth_type.field_names():
        variable = env.get(name)
        values[name] = (
            Secret(os.environ[variable])
            if variable and os.environ.get(variable)
            else Secret(f"replay_{name}_placeholder")
        )
    return auth_type.from_values(values, source="replay credentials")


@dataclass
class Workspace:
    """One connector's class and files: certification.toml, cassettes, spec, config."""

    name: str
    connector_cls: type[ConnectorV2]
    root: Path
    data_name: str = ""  # whose certification data to use (a test double reuses Stripe's)
    config_dir: Path | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_registered(
        cls, name: str, *, root: Path | None = None, config_dir: Path | None = None
    ) -> Workspace:
        return cls(
            name=name, connector_cls=registry.load(name), root=root or Path.cwd(), config_dir=config_dir
        )

    @property
    def data(self) -> str:
        return self.data_name or self.name

    @property
    def certification_path(self) -> Path:
        return self.root / "connectors" / self.data / "certification.toml"

    @property
    def cassette_dir(self) -> Path:
        return self.root / "cassettes" / self.data

    @property
    def spec_path(self) -> Path:
        return self.root / "specs" / f"{self.data}.yaml"

    @property
    def facts_path(self) -> Path:
        return self.root / "specs" / f"{self.data}.facts.toml"

    @property
    def configs(self) -> Path:
        return self.config_dir or self.root / "config"

    @property
    def source_dir(self) -> Path:
        return Path(inspect.getfile(self.connector_cls)).parent

    def cassette_path(self, scenario_id: str) -> Path:
        return self.cassette_dir / f"{scenario_id}.yaml"

    @cached_property
    def connector(self) -> ConnectorV2:
        return self.connector_cls()

    @cached_property
    def certification(self) -> Certification:
        return load_certification(self.certification_path)

    def env(self, name: str) -> EnvConfig:
        key = f"env:{name}"
        if key not in self.cache:
            self.cache[key] = load_env(self.configs, name)
        config: EnvConfig = self.cache[key]
        return config

    def base_url(self, env: str = "sandbox") -> str:
        url = self.env(env).base_url(self.connector_cls.config_key())
        return resolve_placeholders(url, self.certification.metadata, connector=self.name)

    @cached_property
    def auth(self) -> ConnectorAuthType:
        return replay_credentials(self.connector_cls.auth.type, dict(self.connector_cls.auth.env))
