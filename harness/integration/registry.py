"""The connector registry (UCS's connectors.rs): every connector the harness can certify.

Three sources, read without importing any connector:
* the installed entry points of the group `certify.connectors` (`acme_pay = "acme_pay.connector:AcmePay"`),
  whose certification data travels inside the package (see `harness/certify/workspace.py`);
* the project's own `connectors/<name>/connector.py` folders (so `certify new X` is listed at once);
* `CERTIFY_EXTRA_CONNECTORS="name=module:Class;..."`, for tests and benchmarks.

Two sources naming one connector with different code is an error naming both, raised when that
connector is loaded, so the others are still certified.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import site
import sys
import sysconfig
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from harness.domain.errors import HarnessError
from harness.domain.sensitive import redact_text

if TYPE_CHECKING:
    from harness.integration.connector import ConnectorV2

ENTRY_POINT_GROUP = "certify.connectors"
EXTRA_VARIABLE = "CERTIFY_EXTRA_CONNECTORS"
PROJECT_FOLDER = "connectors"


class ConnectorLoadError(HarnessError):
    """A registered connector could not be imported, is not a ConnectorV2, or is claimed twice."""


@dataclass(frozen=True)
class ConnectorSource:
    """Where one connector comes from: its code (`module` and, when known, `class_name`) and its data."""

    name: str
    module: str
    class_name: str  # "" for a project folder: the one ConnectorV2 subclass its connector.py defines
    origin: str  # for messages: "entry point of acme-pay-connector", "project folder connectors/acme/"
    packaged: bool  # an entry point: certification.toml, cassettes, spec and config live in its package

    @property
    def target(self) -> str:
        return f"{self.module}:{self.class_name}" if self.class_name else self.module

    @property
    def package(self) -> str:
        """The package that holds the connector's data: the one its module lives in."""
        return self.module.rpartition(".")[0] or self.module

    def package_dir(self) -> Path | None:
        """The package's folder, found without running its code (None when not importable)."""
        top, _, rest = self.package.partition(".")
        spec = importlib.util.find_spec(top) if top else None
        if spec is None or not spec.submodule_search_locations:
            return None
        base = Path(next(iter(spec.submodule_search_locations)))
        return base.joinpath(*rest.split(".")) if rest else base


def site_packages() -> list[Path]:
    """Every folder installed distributions live in (the venv's and the user's)."""
    found = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    found.update(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    if site.ENABLE_USER_SITE and site.getusersitepackages():
        found.add(site.getusersitepackages())
    return [Path(p).resolve() for p in found]


def installed_in_site_packages(source: ConnectorSource) -> bool:
    """True for a connector pip installed (not an editable checkout): its files are not to be edited."""
    folder = source.package_dir() if source.packaged else None
    if folder is None:
        return False
    folder = folder.resolve()
    return any(folder.is_relative_to(place) for place in site_packages())


def _entry_point_sources() -> list[ConnectorSource]:
    return list(_entry_points_on(tuple(sys.path)))


@functools.lru_cache(maxsize=8)
def _entry_points_on(path: tuple[str, ...]) -> tuple[ConnectorSource, ...]:
    # reading every distribution's metadata costs ~50 ms and a run asks dozens of times; what is
    # installed changes only with the import path (a process that installs a wheel sees a new one)
    sources = []
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        module, _, class_name = entry.value.partition(":")
        dist = entry.dist.name if entry.dist is not None else "an unknown distribution"
        sources.append(
            ConnectorSource(
                entry.name, module.strip(), class_name.strip(), f"entry point of {dist}", packaged=True
            )
        )
    return tuple(sources)


def _project_sources(root: Path) -> list[ConnectorSource]:
    folder = root / PROJECT_FOLDER
    if not (folder / "__init__.py").is_file():
        return []
    return [
        ConnectorSource(
            child.name,
            f"{PROJECT_FOLDER}.{child.name}.connector",
            "",
            f"project folder {PROJECT_FOLDER}/{child.name}/",
            packaged=False,
        )
        for child in sorted(folder.iterdir())
        if child.name.isidentifier() and not child.name.startswith("_") and (child / "connector.py").is_file()
    ]


def _extra_sources() -> tuple[ConnectorSource, ...]:
    return _extra_sources_of(os.environ.get(EXTRA_VARIABLE, ""))


@functools.lru_cache(maxsize=8)
def _extra_sources_of(value: str) -> tuple[ConnectorSource, ...]:
    sources = []
    for item in value.split(";"):
        name, sep, target = item.partition("=")
        module, colon, class_name = target.strip().partition(":")
        if sep and name.strip() and colon:
            sources.append(ConnectorSource(name.strip(), module, class_name, EXTRA_VARIABLE, packaged=False))
    return tuple(sources)


@dataclass(frozen=True)
class Registry:
    """Each name with its source, and the names two sources claim with different code."""

    sources: dict[str, ConnectorSource]
    conflicts: dict[str, tuple[ConnectorSource, ConnectorSource]]

    def names(self) -> list[str]:
        return sorted({*self.sources, *self.conflicts})


def _same_code(first: ConnectorSource, second: ConnectorSource) -> bool:
    # an editable install's entry point and the checkout's folder name one module: not a conflict
    return first.module == second.module and (
        not first.class_name or not second.class_name or first.class_name == second.class_name
    )


def _merge(kept: ConnectorSource, other: ConnectorSource) -> ConnectorSource:
    """The project's folder wins for the data (it is what its author edits); the class is kept."""
    project, installed = (kept, other) if not kept.packaged else (other, kept)
    return ConnectorSource(
        project.name,
        project.module,
        project.class_name or installed.class_name,
        project.origin,
        packaged=project.packaged,
    )


def read_registry(root: Path | None = None) -> Registry:
    root = root or Path.cwd()
    sources: dict[str, ConnectorSource] = {}
    conflicts: dict[str, tuple[ConnectorSource, ConnectorSource]] = {}
    for source in [*_project_sources(root), *_entry_point_sources(), *_extra_sources()]:
        if source.name in conflicts:
            continue
        known = sources.get(source.name)
        if known is None:
            sources[source.name] = source
        elif source.origin == EXTRA_VARIABLE:
            sources[source.name] = source  # tests and benchmarks replace an entry on purpose
        elif _same_code(known, source):
            sources[source.name] = _merge(known, source)
        else:
            del sources[source.name]
            conflicts[source.name] = (known, source)
    return Registry(sources, conflicts)


def names(root: Path | None = None) -> list[str]:
    return read_registry(root).names()


def source(name: str, root: Path | None = None) -> ConnectorSource:
    """The source of `name`; a ConnectorLoadError when it is unknown or claimed twice."""
    found = read_registry(root)
    if name in found.conflicts:
        first, second = found.conflicts[name]
        raise ConnectorLoadError(
            f"connector {name!r} is claimed by two sources: {first.origin} ({first.target}) and "
            f"{second.origin} ({second.target})",
            path=PROJECT_FOLDER if not first.packaged else first.target,
            hint="uninstall one of them or rename one (a connector name must be unique)",
        )
    if name not in found.sources:
        known = ", ".join(found.names()) or "none"
        raise ConnectorLoadError(
            f"unknown connector {name!r}; registered: {known}",
            path=f"{PROJECT_FOLDER}/",
            hint=f"add connectors/{name}/ (certify new {name}) or install a package with a "
            f"{ENTRY_POINT_GROUP} entry point",
        )
    return found.sources[name]


def _connector_class(module: object, source: ConnectorSource) -> object:
    from harness.integration.connector import ConnectorV2

    if source.class_name:
        return getattr(module, source.class_name)
    own = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ConnectorV2)
        and value is not ConnectorV2
        and value.__module__ == source.module
    ]
    if len(own) != 1:
        raise ConnectorLoadError(
            f"{source.module} defines {len(own)} ConnectorV2 subclasses; exactly one is expected",
            path=source.module.replace(".", "/") + ".py",
            hint="keep one connector class per connector.py",
        )
    return own[0]


def load(name: str, root: Path | None = None) -> type[ConnectorV2]:
    return _load_from(name, source(name, root))


def _load_from(name: str, found: ConnectorSource) -> type[ConnectorV2]:
    from harness.integration.connector import ConnectorV2

    try:
        module = importlib.import_module(found.module)
        cls = _connector_class(module, found)
    except HarnessError:
        raise
    except Exception as error:  # a broken connector must not take the others down
        # the text of an import error is connector code's: it may quote a credential or a card
        text = redact_text(" ".join(str(error).split()))
        raise ConnectorLoadError(
            f"connector {name!r} failed to load: {type(error).__name__}: {text[:200]}",
            path=found.module.replace(".", "/") + ".py",
            hint="fix the import error; run `certify list` to see the others",
        ) from error
    if not (isinstance(cls, type) and issubclass(cls, ConnectorV2)):
        raise ConnectorLoadError(f"{found.target} is not a ConnectorV2 subclass", path=found.origin)
    return cls


def key_prefixes(root: Path | None = None) -> frozenset[str]:
    """The secret-key prefixes every registered connector that loads declares (AuthSpec.key_prefixes).

    Every connector session and leak scanner asks: the registry is read once a call and the prefixes
    are kept per set of sources (a call that loaded every connector through `load`, which reads the
    registry again for each, took 2 s with 1,000 connectors registered, once per connector)."""
    return _prefixes_of(tuple(sorted(read_registry(root).sources.items())))


@functools.lru_cache(maxsize=16)
def _prefixes_of(sources: tuple[tuple[str, ConnectorSource], ...]) -> frozenset[str]:
    prefixes: set[str] = set()
    for name, found in sources:
        try:
            prefixes.update(_load_from(name, found).auth.key_prefixes)
        except HarnessError:
            continue  # a connector that fails to load is reported where it is certified
    return frozenset(prefixes)
