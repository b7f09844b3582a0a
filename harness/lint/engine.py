"""Running the lint: source packages through every family, config folders through the CFG rules.

Each file is read and parsed once; the families share its node index (one walk per file).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness.integration import registry
from harness.integration.sandbox import SANDBOX_MODULE
from harness.lint import (
    amounts,
    converter,
    credentials,
    currency,
    interface,
    pii,
    references,
    status,
    unwrap,
)
from harness.lint.config_rules import ENVIRONMENTS, connectors_in, lint_config
from harness.lint.findings import Finding, apply_suppressions, quality_score
from harness.lint.rules import RULES, SRC000
from harness.lint.source import (
    CONNECTOR_BASES,
    Package,
    Project,
    SourceFile,
    const_str,
    display_path,
    last_segment,
    load_external,
)

Check = Callable[[Package], Iterator[Finding]]
FAMILY_CHECKS: tuple[Check, ...] = (
    interface.check,
    amounts.check,
    converter.check,
    currency.check,
    references.check,
    unwrap.check,
    pii.check,
    status.check,
    credentials.check,
)
SKIP_DIRS = frozenset(
    {"__pycache__", ".venv", "venv", ".git", "node_modules", "build", "dist", ".tox", ".mypy_cache"}
)
CONFIG_FILES = frozenset(f"{env}.toml" for env in ENVIRONMENTS)
UNREADABLE = frozenset({"SRC000", "CFG000"})
SANDBOX_FILE = f"{SANDBOX_MODULE}.py"


def connector_files(directory: Path) -> list[Path]:
    """The Python files of a connector package (its tests and its simulated sandbox excluded)."""
    files = []
    for path in sorted(directory.rglob("*.py")):
        if SKIP_DIRS & set(path.relative_to(directory).parts):
            continue
        if path.name.startswith("test_") or path.name == "conftest.py":
            continue
        if path.parent == directory and path.name == SANDBOX_FILE:  # a test double of the provider
            continue
        files.append(path)
    return files


def read_sources(paths: Iterable[Path], connector: str | None) -> tuple[list[SourceFile], list[Finding]]:
    sources: list[SourceFile] = []
    problems: list[Finding] = []
    for path in paths:
        display = display_path(path)
        try:
            sources.append(
                SourceFile(path, path.read_text(encoding="utf-8"), display=display, connector=connector)
            )
        except SyntaxError as error:
            problems.append(
                SRC000.finding(
                    display,
                    error.lineno or 1,
                    error.offset or 1,
                    message=f"cannot parse: {error.msg}",
                    connector=connector,
                )
            )
        except (OSError, UnicodeDecodeError, ValueError) as error:
            problems.append(SRC000.finding(display, message=f"cannot read: {error}", connector=connector))
    return sources, problems


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, int, str | None]] = set()
    out = []
    for finding in findings:  # one finding per rule and place (two checks may reach the same node)
        key = (finding.rule, finding.path, finding.line, finding.col, finding.connector)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def lint_sources(
    paths: Iterable[Path],
    *,
    name: str | None,
    is_connector: bool = True,
    checks: tuple[Check, ...] = FAMILY_CHECKS,
) -> list[Finding]:
    """Every source finding for one package (a connector's files, or loose files of one folder)."""
    sources, findings = read_sources(paths, name)
    if not sources:
        return findings
    package = Package(name, sources, Project(sources), is_connector)
    raw: dict[str, list[Finding]] = defaultdict(list)
    for check in checks:
        for finding in check(package):
            raw[finding.path].append(finding)
    for source in sources:
        findings.extend(
            apply_suppressions(
                _dedupe(raw.get(source.display, [])),
                source.suppressions,
                path=source.display,
                connector=name,
                known_rules=RULES,
            )
        )
    return sorted(findings, key=Finding.sort_key)


# ------------------------------------------------------------ the registry, read without importing it


def registry_config_keys(root: Path) -> dict[str, str]:
    """Registered connector name -> config key, read from each connector's source.

    Parsed, not imported: the lint must start fast and must not run connector code.
    """
    keys: dict[str, str] = {}
    for name, source in registry.read_registry(root).sources.items():
        keys[name] = _config_key(_module_base(root, source), source.class_name) or name
    return keys


def _module_base(root: Path, source: registry.ConnectorSource) -> Path:
    """`a.b.connector` -> the path of that module without its suffix (in the project or installed)."""
    if source.packaged:
        folder = source.package_dir()
        if folder is not None:
            return folder / source.module.rpartition(".")[2] if "." in source.module else folder
    return root.joinpath(*source.module.split("."))


def _config_key(base: Path, class_name: str) -> str | None:
    for candidate in (base.parent / f"{base.name}.py", base / "__init__.py"):
        source = load_external(candidate) if candidate.is_file() else None
        if source is None:
            continue
        cls = source.classes.get(class_name) if class_name else _connector_class(source)
        if cls is None:
            return None
        project = Project([source])
        for attribute in ("base_url_key", "id"):
            found = project.class_attr(source, cls, attribute)
            if found and const_str(found[1]):
                return const_str(found[1])
    return None


def _connector_class(source: SourceFile) -> ast.ClassDef | None:
    """The class a project connector.py defines on ConnectorV2 (the registry names no class for it)."""
    for cls in source.classes.values():
        if any(last_segment(ast.unparse(base)) in CONNECTOR_BASES for base in cls.bases):
            return cls
    return None


# ------------------------------------------------------------ a whole run (the CLI)


@dataclass
class LintRun:
    findings: list[Finding] = field(default_factory=list)
    connectors: set[str] = field(default_factory=set)  # every connector linted, with or without findings

    @property
    def unreadable(self) -> list[Finding]:
        return [f for f in self.findings if f.rule in UNREADABLE]

    def blocking(self) -> bool:
        return any(f.blocking for f in self.findings)

    def scores(self) -> dict[str, int]:
        by_connector: dict[str, list[Finding]] = {name: [] for name in self.connectors}
        for finding in self.findings:
            if finding.connector:
                by_connector.setdefault(finding.connector, []).append(finding)
        return {name: quality_score(found) for name, found in sorted(by_connector.items())}


@dataclass
class PackageTarget:
    name: str | None
    is_connector: bool
    files: list[Path]
    checks: tuple[Check, ...] = FAMILY_CHECKS


@dataclass
class Targets:
    packages: dict[Path, PackageTarget] = field(default_factory=dict)
    config_dirs: list[Path] = field(default_factory=list)


def _connector_package(path: Path) -> tuple[Path, str] | None:
    """`.../connectors/<name>/x.py` -> (the package folder, name); `connectors/x.py` -> (folder, "")."""
    parts = path.parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "connectors":
            if i + 2 < len(parts):
                return Path(*parts[: i + 2]), parts[i + 1]
            return Path(*parts[: i + 1]), ""
    return None


def collect(paths: Iterable[Path]) -> Targets:
    """What to lint for the given paths; a missing path raises FileNotFoundError."""
    targets = Targets()
    py_files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(str(path))
        if path.is_dir():
            if any((path / name).is_file() for name in CONFIG_FILES):
                targets.config_dirs.append(path)
            for found in sorted(path.rglob("*")):
                if SKIP_DIRS & set(found.relative_to(path).parts):
                    continue
                if found.suffix == ".py" and found.is_file():
                    py_files.append(found)
                elif found.name == "production.toml" and found.parent != path:
                    targets.config_dirs.append(found.parent)
        elif path.suffix == ".py":
            py_files.append(path)
        elif path.name in CONFIG_FILES:
            targets.config_dirs.append(path.parent)
    for file in py_files:
        located = _connector_package(file)
        if located and located[1]:
            folder, name = located
            if folder not in targets.packages:
                targets.packages[folder] = PackageTarget(name, True, connector_files(folder))
            continue
        folder = file.parent
        target = targets.packages.setdefault(
            folder,
            # files at the registry level (connectors/__init__.py): only "no network import" applies
            PackageTarget(None, False, [], (interface.check_imports,) if located else FAMILY_CHECKS),
        )
        if file not in target.files:
            target.files.append(file)
    unique: dict[Path, Path] = {}
    for directory in targets.config_dirs:
        unique.setdefault(directory.resolve(), directory)
    targets.config_dirs = list(unique.values())
    return targets


def lint_paths(paths: list[Path], *, config_dir: Path | None = None, root: Path | None = None) -> LintRun:
    """The CLI's run: sources and config folders under `paths`, plus `config_dir` (explicit).

    The project's own config folder (`<root>/config`) is checked against the registry as well
    as its own entries; any other folder's registry is the set of connectors its files name.
    """
    root = (root or Path.cwd()).resolve()
    targets = collect(paths)
    run = LintRun()
    for target in targets.packages.values():
        run.findings.extend(
            lint_sources(
                target.files, name=target.name, is_connector=target.is_connector, checks=target.checks
            )
        )
        if target.name:
            run.connectors.add(target.name)
    own_config = (root / "config").resolve()
    config_dirs = [(d, d.resolve() == own_config) for d in targets.config_dirs]
    if config_dir is not None:
        config_dirs = [(d, own) for d, own in config_dirs if d.resolve() != config_dir.resolve()]
        config_dirs.append((config_dir, False))
    for directory, own in config_dirs:
        names = set(connectors_in(directory))
        if own:
            names |= set(registry_config_keys(root).values())
        run.findings.extend(lint_config(directory, sorted(names)))
        run.connectors |= names
    run.findings = sorted(_dedupe(run.findings), key=Finding.sort_key)
    return run
