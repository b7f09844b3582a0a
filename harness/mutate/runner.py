"""Running the suite against mutants: how strong is a connector's certificate?

The parent process certifies the unmutated connector once (which also warms every cache: cassettes,
specs, facts, hypothesis), then forks one child per mutant. The child builds the mutant connector
from a copy of the package in a temporary folder (fresh modules under the package's own names, so
the flow table holds the mutated functions and the lint reads the mutated source), runs the plan in
the order that kills cheapest first, and stops at the first failing check. The parent kills a child
that exceeds the time limit. Nothing is written into the project; results are cached by content hash
of the mutant, the connector's material and the harness.

A survivor is then compared with the original on the equivalence input set (harness/mutate/
equivalence.py): one that answers every input as the original does is *equivalent*, counted apart
(strength = killed / (total - equivalent - errors)) and listed. A mutant killed by the facts family
runs on to learn whether a scenario, contract or property check would have killed it too.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from harness.defaults import MUTATION_STRENGTH_FLOOR
from harness.integration.sandbox import SANDBOX_MODULE
from harness.mutate.hints import UNREACHED, hint_for
from harness.mutate.operators import FAMILIES, Mutant, config_mutants, source_mutants

# cheapest checks first: a mutant stops at its first failing check
# mutants of module-level data (tables, declarations, config): run at import, judged by their inputs
MODULE_LEVEL_FAMILIES = frozenset({"status-table", "currency-row", "declaration", "config"})
KILL_ORDER = ("load", "facts", "scenario", "contract", "secrets", "lint", "property")
DEFAULT_TIMEOUT = 120.0
STRENGTH_FLOOR = MUTATION_STRENGTH_FLOOR  # one floor for the runner, the reports and --strict


@dataclass
class MutantResult:
    key: str
    family: str
    file: str
    line: int
    description: str
    status: str  # killed | survived | equivalent | timeout | error
    killed_by: str | None = None
    killed_by_family: str | None = None
    message: str = ""
    seconds: float = 0.0
    diff: str = ""
    cached: bool = False
    # a facts kill: the first later family (scenario, contract, ...) that kills it too, if any
    also_killed_by_family: str | None = None
    evidence: str = ""  # a survivor: the first input on which it answers otherwise than the original
    hint: str = ""  # a survivor: the scenario or fact that would have caught it

    @property
    def killed(self) -> bool:
        return self.status in ("killed", "timeout")

    @property
    def killing_check(self) -> str | None:
        """The killing check family, with facts kills split by whether any other family kills too."""
        if self.killed_by_family != "facts":
            return self.killed_by_family
        if self.also_killed_by_family:
            return f"facts (also {self.also_killed_by_family})"
        return "facts only"


@dataclass
class MutationReport:
    connector: str
    fingerprint: str
    results: list[MutantResult] = field(default_factory=list)
    seconds: float = 0.0
    floor: float = STRENGTH_FLOOR

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def killed(self) -> int:
        return sum(1 for r in self.results if r.killed)

    @property
    def errors(self) -> list[MutantResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if r.status == "survived"]

    @property
    def equivalents(self) -> list[MutantResult]:
        return [r for r in self.results if r.status == "equivalent"]

    @property
    def strength(self) -> float:
        counted = self.total - len(self.errors) - len(self.equivalents)
        return self.killed / counted if counted else 1.0

    def by(self, attribute: str) -> dict[str, tuple[int, int]]:
        """(killed, total) per family, or per killing check family (equivalents counted apart)."""
        table: dict[str, tuple[int, int]] = {}
        for result in self.results:
            if result.status in ("error", "equivalent"):
                continue
            key = getattr(result, attribute) or "-"
            killed, total = table.get(key, (0, 0))
            table[key] = (killed + int(result.killed), total + 1)
        return table

    def as_dict(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "fingerprint": self.fingerprint,
            "strength": round(self.strength, 4),
            "floor": self.floor,
            "killed": self.killed,
            "total": self.total,
            "errors": len(self.errors),
            "equivalent": len(self.equivalents),
            "seconds": round(self.seconds, 2),
            "by_family": {k: {"killed": v[0], "total": v[1]} for k, v in sorted(self.by("family").items())},
            "by_killing_check": {
                k: {"killed": v[0], "total": v[1]} for k, v in sorted(self.by("killed_by_family").items())
            },
            "by_killing_check_facts_split": {
                k: v[0] for k, v in sorted(self.by("killing_check").items()) if v[0]
            },
            "results": [asdict(r) for r in self.results],
        }


# ------------------------------------------------------------------ what is mutated


def connector_files(source_dir: Path) -> list[Path]:
    """The connector's own modules; its simulated sandbox is a test double, never mutated."""
    sandbox = f"{SANDBOX_MODULE}.py"
    return sorted(p for p in source_dir.glob("*.py") if p.is_file() and p.name != sandbox)


def generate(
    source_dir: Path, root: Path, config_dir: Path, config_key: str, families: Iterable[str] = FAMILIES
) -> list[Mutant]:
    chosen = tuple(f for f in FAMILIES if f in set(families))
    mutants: list[Mutant] = []
    for path in connector_files(source_dir):
        if path.name == "__init__.py":
            continue
        try:
            display = str(path.relative_to(root))
        except ValueError:
            display = str(path)
        mutants.extend(source_mutants(path, display, chosen))
    if "config" in chosen:
        mutants.extend(config_mutants(config_dir, config_key, root))
    return mutants


def fingerprint(paths: Iterable[Path]) -> str:
    """Content hash of what a strength judges: the harness, the connector, its data."""
    digest = hashlib.sha256()
    for path in sorted(set(paths)):
        if path.is_file():
            digest.update(str(path.name).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def material(workspace: Any) -> list[Path]:
    import harness

    harness_dir = Path(harness.__file__).parent
    files = [*harness_dir.rglob("*.py"), *connector_files(workspace.source_dir)]
    files += [workspace.certification_path, workspace.spec_path, workspace.facts_path]
    files += sorted(workspace.cassette_dir.rglob("*.yaml"))  # webhooks/ too
    files += sorted(workspace.configs.glob("*.toml"))
    return files


# ------------------------------------------------------------------ one mutant, in a child


def _load_mutant_class(connector_cls: type, copy_dir: Path) -> type:
    """The connector class rebuilt from the package copy, under the package's own module names."""
    module_name = connector_cls.__module__
    package_name = module_name.rpartition(".")[0]
    package = sys.modules[package_name]
    files = [p for p in connector_files(copy_dir) if p.name != "__init__.py"]
    own = module_name.rpartition(".")[2]
    ordered = sorted(files, key=lambda p: (p.stem == own, p.stem != "transformers", p.stem))
    loaded: dict[str, Any] = {}
    for path in ordered:
        name = f"{package_name}.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        setattr(package, path.stem, module)
        spec.loader.exec_module(module)
        loaded[path.stem] = module
    cls: type = getattr(loaded[own], connector_cls.__name__)
    return cls


def evaluate(
    name: str,
    connector_cls: type,
    root: Path,
    config_dir: Path,
    mutant: Mutant,
    source_dir: Path,
    original: Mapping[str, str] | None = None,
) -> MutantResult:
    """Certify one mutant, stopping at the first failing check (run in a child process); a survivor
    is compared with the `original` observation to tell an equivalent mutant from a missed bug."""
    from harness.certify.checks.load import load_check
    from harness.certify.checks.plan import plan
    from harness.certify.checks.run import run_spec
    from harness.certify.checks.session import ConnectorSession, SuiteOptions
    from harness.certify.example_tapes import cache_root
    from harness.certify.workspace import Workspace

    started = time.perf_counter()
    result = MutantResult(mutant.key, mutant.family, mutant.file, mutant.line, mutant.description, "survived")
    with tempfile.TemporaryDirectory(prefix="certify-mutant-") as tmp:
        copy_dir = Path(tmp) / source_dir.name
        shutil.copytree(source_dir, copy_dir, ignore=shutil.ignore_patterns("__pycache__"))
        configs = config_dir
        target = root / mutant.file
        if mutant.family == "config":
            configs = Path(tmp) / "config"
            shutil.copytree(config_dir, configs)
            (configs / Path(mutant.file).name).write_text(mutant.mutated, encoding="utf-8")
        elif target.parent.resolve() == source_dir.resolve():
            (copy_dir / target.name).write_text(mutant.mutated, encoding="utf-8")
        try:
            cls = _load_mutant_class(connector_cls, copy_dir)
        except Exception as error:  # the mutant does not even load: the harness refuses it
            result.status, result.killed_by, result.killed_by_family = "killed", "load", "load"
            result.message = f"{type(error).__name__}: {str(error)[:200]}"
            result.seconds = time.perf_counter() - started
            return result
        workspace, load = load_check(
            lambda: Workspace(name=name, connector_cls=cls, root=root, data_name=name, config_dir=configs)
        )
        if workspace is None:
            result.status, result.killed_by, result.killed_by_family = "killed", "load", "load"
            result.message = load.message
        else:
            # the mutant's package is linted once, in its temporary folder: its findings are not kept
            options = SuiteOptions(config_dir=configs, cache_dir=cache_root(root), keep_lint_findings=False)
            session = ConnectorSession(workspace, options)
            specs = plan(session)
            order = {family: index for index, family in enumerate(KILL_ORDER)}
            specs.sort(key=lambda s: order.get(s.family, len(order)))
            for spec in specs:
                if result.status == "killed" and spec.family == "facts":
                    continue
                failing = [r for r in run_spec(spec, session) if r.status in ("failed", "error")]
                if failing and result.status == "killed":
                    result.also_killed_by_family = failing[0].family
                    break
                if failing:
                    result.status = "killed"
                    result.killed_by, result.killed_by_family = failing[0].id, failing[0].family
                    result.message = failing[0].message[:300]
                    if failing[0].family != "facts":
                        break
            if result.status == "survived" and original is not None:
                watched = None
                inside = changed_lines(mutant) if mutant.family not in MODULE_LEVEL_FAMILIES else frozenset()
                if inside and target.parent.resolve() == source_dir.resolve():
                    watched = (str(copy_dir / target.name), inside)
                judge_equivalence(result, session, original, watched)
    result.seconds = time.perf_counter() - started
    return result


def changed_lines(mutant: Mutant) -> frozenset[int]:
    """The mutated file's changed line numbers (1-based) that lie inside a function: code that
    runs when called, not at import (a module-level change is judged by its inputs alone)."""
    import ast
    import difflib

    before, after = mutant.original.splitlines(), mutant.mutated.splitlines()
    lines: set[int] = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag != "equal":
            lines.update(range(j1 + 1, max(j2, j1 + 1) + 1))
    try:
        tree = ast.parse(mutant.mutated)
    except SyntaxError:
        return frozenset()
    bodies = [
        (node.body[0].lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body
    ]
    return frozenset(line for line in lines if any(start <= line <= end for start, end in bodies))


def _lines_run(path: str, lines: frozenset[int], ran: set[int]) -> Callable[..., Any]:
    """A trace function noting which of `lines` of the file at `path` run (other files untraced)."""

    def local(frame: Any, event: str, _arg: Any) -> Any:
        if event == "line" and frame.f_lineno in lines:
            ran.add(frame.f_lineno)
        return local

    def calls(frame: Any, _event: str, _arg: Any) -> Any:
        return local if frame.f_code.co_filename == path else None

    return calls


def judge_equivalence(
    result: MutantResult,
    session: Any,
    original: Mapping[str, str],
    watched: tuple[str, frozenset[int]] | None = None,
) -> None:
    """Equivalent when the mutant answers every input as the original and some input runs the
    mutated code (`watched`: the file and lines of a mutant inside a function); else name where it
    differs, or that nothing reached it."""
    from harness.certify.limits import time_limit
    from harness.mutate.equivalence import differences, observe

    ran: set[int] = set()
    try:
        with time_limit(session.options.check_timeout, "observing the mutant"):
            if watched is not None:
                sys.settrace(_lines_run(watched[0], watched[1], ran))
            try:
                differs = differences(original, observe(session))
            finally:
                sys.settrace(None)
    except BaseException as error:  # a mutant that hangs or exits on an input is no equivalent
        differs = [f"observing it stopped ({type(error).__name__})"]
    if not differs and watched is not None and not ran:
        result.evidence = f"{UNREACHED} line {result.line} (no input runs the mutated code)"
        return
    if not differs:
        unreached = _unreached_value(result, session)
        if unreached is None:
            result.status = "equivalent"
            return
        differs = [unreached]
    more = f" (+{len(differs) - 1} more input(s))" if len(differs) > 1 else ""
    result.evidence = differs[0] + more


def _unreached_value(result: MutantResult, session: Any) -> str | None:
    """Why a status-table mutant that answers every input as the original is still no equivalent:
    the status it moves is documented where no input could be built (that place never ran)."""
    from harness.mutate.equivalence import unreached_statuses
    from harness.mutate.hints import status_value

    value = status_value(result.description) if result.family == "status-table" else None
    if value is None:
        return None
    try:
        reason = unreached_statuses(session).get(value)
    except Exception as error:  # the facts or recordings unreadable under the mutant: not judged equal
        reason = f"the documented statuses could not be listed ({type(error).__name__})"
    return f"{UNREACHED} the documented status {value!r} ({reason})" if reason else None


def _child(send: Connection, run: Callable[[], MutantResult]) -> None:
    try:
        outcome = asdict(run())
    except BaseException as error:  # report anything, even an exit or an interrupt inside connector code
        outcome = {"status": "error", "message": f"{type(error).__name__}: {str(error)[:200]}"}
    send.send(outcome)
    send.close()
    os._exit(0)  # no atexit, no flushing of the parent's buffers


def run_forked(
    jobs: list[tuple[Mutant, Callable[[], MutantResult]]], workers: int, timeout: float
) -> list[dict[str, Any]]:
    """Each job in its own forked child, `workers` at a time; a child past `timeout` is killed."""
    context = multiprocessing.get_context("fork")
    outcomes: dict[int, dict[str, Any]] = {}
    pending = list(enumerate(jobs))
    running: dict[int, tuple[Any, Connection, float]] = {}
    while pending or running:
        while pending and len(running) < max(1, workers):
            index, (_, run) = pending.pop(0)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(send, run), daemon=True)
            process.start()
            send.close()
            running[index] = (process, receive, time.monotonic())
        for index, (process, receive, started) in list(running.items()):
            if receive.poll(0.02):
                try:
                    outcomes[index] = receive.recv()
                except EOFError:
                    outcomes[index] = {"status": "error", "message": "the worker died without a result"}
                process.join(1)
                del running[index]
            elif not process.is_alive():
                outcomes[index] = {"status": "error", "message": f"the worker exited with {process.exitcode}"}
                del running[index]
            elif time.monotonic() - started > timeout:
                process.kill()
                process.join(1)
                outcomes[index] = {"status": "timeout", "message": f"no verdict within {timeout:.0f} s"}
                del running[index]
    return [outcomes[i] for i in range(len(jobs))]


# ------------------------------------------------------------------ a whole connector


def observe_original(workspace: Any, configs: Path) -> dict[str, str]:
    from harness.certify.checks.session import ConnectorSession, SuiteOptions
    from harness.mutate.equivalence import observe

    return observe(ConnectorSession(workspace, SuiteOptions(config_dir=configs)))


def _facts_or_none(path: Path) -> Any:
    from harness.certify.facts import load_facts
    from harness.domain.errors import HarnessError

    try:
        return load_facts(path)
    except HarnessError:
        return None


def cache_path(root: Path) -> Path:
    return root / ".certify-cache" / "mutate.json"


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def mutate_connector(
    name: str,
    *,
    root: Path,
    config_dir: Path | None = None,
    families: Iterable[str] = FAMILIES,
    max_mutants: int | None = None,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> MutationReport:
    from harness.certify.checks.plan import certify_workspace
    from harness.certify.workspace import Workspace

    workspace = Workspace.for_registered(name, root=root, config_dir=config_dir)
    started = time.perf_counter()
    baseline = certify_workspace(
        name, lambda: Workspace.for_registered(name, root=root, config_dir=config_dir)
    )  # warms every cache the children inherit
    if baseline.verdict != "certified":
        from harness.domain.errors import HarnessError

        raise HarnessError(
            f"{name} is not certified ({', '.join(baseline.failing[:3])}): mutation testing measures a "
            "certified connector",
            hint=f"run `certify run {name}` and fix it first",
        )
    configs = workspace.configs
    mutants = generate(workspace.source_dir, root, configs, workspace.connector_cls.config_key(), families)
    if max_mutants is not None and len(mutants) > max_mutants:
        step = len(mutants) / max_mutants  # an even sample across files and families
        mutants = [mutants[int(i * step)] for i in range(max_mutants)]
    report = MutationReport(name, fingerprint(material(workspace)))
    cache_file = cache_path(root)
    cache = _read_cache(cache_file) if use_cache else {}
    mine = cache.get(name) if isinstance(cache.get(name), dict) else {}
    entries: dict[str, Any] = {}
    if mine and mine.get("fingerprint") == report.fingerprint and isinstance(mine.get("entries"), dict):
        entries = mine["entries"]
    jobs: list[tuple[Mutant, Callable[[], MutantResult]]] = []
    original: dict[str, str] | None = None
    if any(m.key not in entries for m in mutants):
        original = observe_original(workspace, configs)  # once, before the fork: every child inherits it
    for mutant in mutants:
        if mutant.key in entries:
            continue

        def job(m: Mutant = mutant) -> MutantResult:
            return evaluate(name, workspace.connector_cls, root, configs, m, workspace.source_dir, original)

        jobs.append((mutant, job))
    if progress:
        progress(f"{name}: {len(mutants)} mutant(s), {len(mutants) - len(jobs)} from the cache")
    facts = _facts_or_none(workspace.facts_path)
    fresh = dict(zip([m.key for m, _ in jobs], run_forked(jobs, workers, timeout), strict=True))
    for mutant in mutants:
        outcome = entries.get(mutant.key) or fresh.get(mutant.key) or {}
        result = MutantResult(
            key=mutant.key,
            family=mutant.family,
            file=mutant.file,
            line=mutant.line,
            description=mutant.description,
            status=str(outcome.get("status", "error")),
            killed_by=outcome.get("killed_by"),
            killed_by_family=outcome.get("killed_by_family"),
            message=str(outcome.get("message", "")),
            seconds=float(outcome.get("seconds", 0.0) or 0.0),
            diff=mutant.diff() if outcome.get("status") in ("survived", "equivalent") else "",
            cached=mutant.key in entries,
            also_killed_by_family=outcome.get("also_killed_by_family"),
            evidence=str(outcome.get("evidence") or ""),
        )
        if result.status == "survived":
            result.hint = hint_for(result, facts)
        if result.status == "timeout":
            result.killed_by, result.killed_by_family = "timeout", "timeout"
        report.results.append(result)
        if result.status != "error":
            entries[mutant.key] = {
                k: outcome.get(k)
                for k in (
                    "status",
                    "killed_by",
                    "killed_by_family",
                    "message",
                    "seconds",
                    "also_killed_by_family",
                    "evidence",
                )
            }
    report.seconds = time.perf_counter() - started
    if use_cache:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache[name] = {"fingerprint": report.fingerprint, "entries": entries}
        temporary = cache_file.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(cache, indent=1))
        temporary.replace(cache_file)
    return report
