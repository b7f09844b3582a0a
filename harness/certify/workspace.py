"""Where a connector's certification material lives, and loading it once.

Two layouts. A connector of the project folder reads the project's files:
`connectors/<name>/certification.toml`, `cassettes/<name>/`, `specs/<name>.yaml`,
`specs/<name>.facts.toml` and `config/{development,sandbox,production}.toml`. A connector installed
through a `certify.connectors` entry point carries the same files inside its package (found with
`importlib.resources`): `<package>/certification.toml`, `<package>/cassettes/`, `<package>/spec.yaml`,
`<package>/facts.toml` and `<package>/config/{development,sandbox,production}.toml`, unless the
project folder holds its `connectors/<name>/certification.toml` (then the project's files are used).
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from harness.certify.certification import Certification, load_certification
from harness.domain.auth import ConnectorAuthType
from harness.domain.secret import Secret
from harness.execution.config import EnvConfig, load_env, resolve_placeholders
from harness.integration import registry
from harness.integration.connector import ConnectorV2
from harness.integration.registry import ConnectorLoadError, ConnectorSource

ERRORS_DIR = "errors"  # cassettes/<name>/errors/: recorded error answers outside the catalog


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


# what only a package that carries its data has (a checkout's connectors/<name>/ holds none of them)
PACKAGE_DATA = ("spec.yaml", "cassettes", "config")


def data_package_dir(source: ConnectorSource, root: Path) -> Path | None:
    """The folder of an installed connector's package when its data is read from there.

    None for the project's own connectors, and for an installed one whose certification.toml the
    project folder holds (a checkout of it, or a project certifying it with its own data): the
    project's files win, as they are the ones being edited.
    """
    if not source.packaged or (root / "connectors" / source.name / "certification.toml").is_file():
        return None
    try:
        folder = resources.files(source.package)
    except (ImportError, TypeError) as error:
        raise ConnectorLoadError(
            f"connector {source.name!r}: package {source.package} not importable ({type(error).__name__})",
            path=source.origin,
            hint="reinstall the connector's package",
        ) from None
    if not isinstance(folder, Path):  # a zipped package: its files cannot be opened by path
        raise ConnectorLoadError(
            f"connector {source.name!r}: package {source.package} is not installed as a folder",
            path=source.origin,
            hint="install it with pip (not as a zip)",
        )
    if not any((folder / part).exists() for part in PACKAGE_DATA):
        return None  # a checkout's connectors/<name>/ (an editable install): its data is the project's
    return folder


def certification_path(name: str, root: Path) -> Path:
    """Where `name`'s certification.toml is, without loading its code."""
    folder = data_package_dir(registry.source(name, root), root)
    return (folder if folder is not None else root / "connectors" / name) / "certification.toml"


def certification_files(root: Path) -> dict[Path, str]:
    """Every registered connector's certification.toml -> its name (what the suite collects).

    A connector that cannot be located (claimed twice, package gone) keeps its project path, so that
    it is still collected and reported as `error` with the reason instead of vanishing.
    """
    files = {}
    for name in registry.names(root):
        try:
            path = certification_path(name, root)
        except ConnectorLoadError:
            path = root / "connectors" / name / "certification.toml"
        if path.is_file():
            files[path.resolve()] = name
    return files


def config_dir_of(name: str, root: Path) -> Path:
    """The environment configs `name`'s base URLs come from: its package's, or the project's."""
    folder = data_package_dir(registry.source(name, root), root)
    return folder / "config" if folder is not None else root / "config"


@dataclass
class Workspace:
    """One connector's class and files: certification.toml, cassettes, spec, config."""

    name: str
    connector_cls: type[ConnectorV2]
    root: Path
    data_name: str = ""  # whose certification data to use (a test double reuses Stripe's)
    config_dir: Path | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    package_dir: Path | None = None  # an installed connector's package: its data lives there
    installed_from: str = ""  # the entry point's distribution, when pip installed it in site-packages

    @classmethod
    def for_registered(
        cls, name: str, *, root: Path | None = None, config_dir: Path | None = None
    ) -> Workspace:
        root = root or Path.cwd()
        source = registry.source(name, root)
        package_dir = data_package_dir(source, root)
        installed = package_dir is not None and registry.installed_in_site_packages(source)
        return cls(
            name=name,
            connector_cls=registry.load(name, root),
            root=root,
            config_dir=config_dir,
            package_dir=package_dir,
            installed_from=source.origin if installed else "",
        )

    def ensure_editable(self, command: str) -> None:
        """Refuse to write into a pip-installed connector: site-packages is no place for its cassettes."""
        if self.installed_from:
            raise ConnectorLoadError(
                f"connector {self.name!r} is installed in site-packages ({self.installed_from}); "
                f"`{command}` writes only to connectors you develop",
                path=str(self.package_dir),
                hint="run it in a checkout of the connector's package installed with `pip install -e`",
            )

    @property
    def data(self) -> str:
        return self.data_name or self.name

    @property
    def certification_path(self) -> Path:
        if self.package_dir is not None:
            return self.package_dir / "certification.toml"
        return self.root / "connectors" / self.data / "certification.toml"

    @property
    def cassette_dir(self) -> Path:
        if self.package_dir is not None:
            return self.package_dir / "cassettes"
        return self.root / "cassettes" / self.data

    @property
    def spec_path(self) -> Path:
        if self.package_dir is not None:
            return self.package_dir / "spec.yaml"
        return self.root / "specs" / f"{self.data}.yaml"

    @property
    def facts_path(self) -> Path:
        if self.package_dir is not None:
            return self.package_dir / "facts.toml"
        return self.root / "specs" / f"{self.data}.facts.toml"

    @property
    def configs(self) -> Path:
        if self.config_dir is not None:
            return self.config_dir
        if self.package_dir is not None:
            return self.package_dir / "config"
        return self.root / "config"

    @property
    def source_dir(self) -> Path:
        return Path(inspect.getfile(self.connector_cls)).parent

    def cassette_path(self, scenario_id: str) -> Path:
        return self.cassette_dir / f"{scenario_id}.yaml"

    @property
    def error_answers_dir(self) -> Path:
        """Recorded error answers no catalog scenario reaches (facts:error_answer:*)."""
        return self.cassette_dir / ERRORS_DIR

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
