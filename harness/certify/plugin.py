"""The pytest plugin: `pytest --certify [--connector NAME]` runs the suite as native items.

Each connector's `certification.toml` is collected as a file whose items are its checks
(one per scenario, contract, property, secrets and lint), marked by family
(`certify_scenario`, `certify_property`, ...) and scheduled per connector under pytest-xdist.
With `--certify-whole` (what `certify run` gives) the file is one item instead, which loads,
plans and runs the connector where it runs (`ConnectorRun`). Every item carries its check
results in `user_properties`; the controlling process gathers them and writes `results.json`
when `--certify-report-dir` is set.
"""

from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.certify.checks.registry import FAMILIES, family_of
from harness.defaults import DEFAULT_PROFILE, PROFILE_NAMES

# The suite (and hypothesis with it) is imported only when --certify is given, so that this
# plugin, loaded by every pytest run through its entry point, costs nothing elsewhere.
if TYPE_CHECKING:
    from harness.certify.checks.interface import CheckSpec
    from harness.certify.checks.plan import Prepared
    from harness.certify.checks.session import ConnectorSession, SuiteOptions
    from harness.certify.results import CheckResult, Results

PROPERTY_KEY = "certify"


@dataclass
class CheckPayload:
    """What a check item reports in `user_properties`: its connector's check results (and, from the
    load item, the connector's meta). In the process that ran the item these objects travel as they
    are; an xdist worker sends them as JSON (`str`), which the controller parses once (`payload_of`)
    and puts back in place for the other hooks (a JSON round trip per item cost ~10 ms a connector)."""

    connector: str
    checks: list[CheckResult]
    meta: dict[str, Any] | None = None

    def __str__(self) -> str:  # what xdist sends, and what junitxml writes as the property's value
        payload: dict[str, Any] = {
            "connector": self.connector,
            "checks": [r.model_dump(mode="json") for r in self.checks],
        }
        if self.meta is not None:
            payload["meta"] = self.meta
        return json.dumps(payload)

    @classmethod
    def parse(cls, text: str) -> CheckPayload:
        # parsed and validated in one pass of pydantic's own JSON reader: ~3x faster than json.loads
        # and a model_validate a check (~5 ms a connector of the controller's CPU, next to the workers)
        payload = _payload_model().model_validate_json(text)
        return cls(payload.connector, payload.checks, payload.meta)


@functools.cache
def _payload_model() -> Any:
    from pydantic import create_model

    from harness.certify.results import CheckResult

    return create_model(
        "Payload", connector=(str, ...), checks=(list[CheckResult], ...), meta=(dict[str, Any] | None, None)
    )


def payload_of(report: pytest.TestReport) -> CheckPayload | None:
    """The item's check results, parsed once: a worker's JSON is replaced by the parsed payload."""
    for index, (key, value) in enumerate(report.user_properties):
        if key != PROPERTY_KEY:
            continue
        if not isinstance(value, CheckPayload):
            value = CheckPayload.parse(str(value))
            report.user_properties[index] = (key, value)
        return value
    return None


# allure-pytest reads these markers (what `allure.epic(...)` and friends create) when --alluredir is set
ALLURE_LABEL = "allure_label"
LINT_ALLURE_SEVERITY = {"critical": "critical", "warning": "normal", "suggestion": "minor"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("certify", "connector certification")
    group.addoption("--certify", action="store_true", help="run the certification suite over connectors/")
    group.addoption(
        "--connector", action="append", default=[], metavar="NAME", help="certify only NAME (repeatable)"
    )
    group.addoption(
        "--certify-root", default=None, metavar="DIR", help="project root (connectors/, cassettes/...)"
    )
    group.addoption(
        "--certify-config-dir", default=None, metavar="DIR", help="folder of the environment configs"
    )
    group.addoption("--certify-report-dir", default=None, metavar="DIR", help="write results.json here")
    group.addoption(
        "--certify-profile", default=DEFAULT_PROFILE, choices=PROFILE_NAMES, help="hypothesis profile"
    )
    group.addoption("--certify-seed", default=None, type=int, help="hypothesis seed for the dev profile")
    group.addoption(
        "--check-timeout",
        default=None,
        type=float,
        metavar="SECONDS",
        help="time limit of each check and of loading each connector (default 60); over it: error",
    )
    group.addoption(
        "--certify-call-only",
        action="store_true",
        help="run and report each check's call phase only (a check has no fixture to set up or tear "
        "down), its output dropped: for a caller that reads nothing else (certify run)",
    )
    group.addoption(
        "--certify-whole",
        action="store_true",
        help="one item a connector, its whole plan run by the process that takes it and reported at "
        "once: for a caller that reads only the results (certify run)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """A check item's protocol under --certify-call-only (certify run): the call phase alone, its
    output captured (at the file descriptors, as pytest captures) and dropped, one report logged
    (and neither the logstart nor the logfinish hook called).

    pytest's own protocol runs setup, call and teardown, each with its capture swap and report: a
    check item has no fixture, so setup and teardown did nothing but cost ~0.3 ms a check, and under
    pytest-xdist every report logged crosses to the controller, whose one process handles them all
    (~0.2 ms of its CPU each, taken from the workers on a two-core machine)."""
    if not isinstance(item, ConnectorItem) or not item.config.getoption("certify_call_only"):
        return None
    from _pytest.runner import CallInfo, get_reraise_exceptions

    capture = item.config.pluginmanager.getplugin("capturemanager")

    def call() -> None:
        if capture is None:
            item.runtest()
            return
        capture.resume_global_capture()
        try:
            item.runtest()
        finally:
            capture.suspend_global_capture(in_=False)
            capture.read_global_capture()  # what connector code wrote: never shown (it may hold a secret)

    # no logstart and logfinish: nothing a certify run loads reads them (pytest's terminal reporter is
    # off, the progress and the results come from the report), and under pytest-xdist each was one
    # more message a check from the worker to the controller
    hook = item.ihook
    info = CallInfo.from_call(call, when="call", reraise=get_reraise_exceptions(item.config))
    hook.pytest_runtest_logreport(report=hook.pytest_runtest_makereport(item=item, call=info))
    if not isinstance(nextitem, CheckItem) or nextitem.connector != item.connector:
        # the connector's checks are done in this process (they run in plan order, one connector's
        # after another's): what its session loaded and cached is let go, not kept to the end
        state = item.config.stash.get(STATE, None)
        if state is not None:
            state.sessions.pop(item.connector, None)
    return True


@dataclass
class CertifyState:
    root: Path
    selected: list[str]
    profile: str
    seed: int | None
    config_dir: Path | None
    report_dir: Path | None
    check_timeout: float
    sessions: dict[str, ConnectorSession] = field(default_factory=dict)
    planned: dict[str, tuple[str, str]] = field(default_factory=dict)  # node id -> (connector, check id)
    reported: set[str] = field(default_factory=set)  # node ids whose check results arrived
    outcomes: dict[str, str] = field(default_factory=dict)  # node id -> why it ended without results
    checks: dict[str, list[CheckResult]] = field(default_factory=dict)
    meta: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    crashed: dict[str, str] = field(default_factory=dict)  # connector -> check whose code ended a worker
    # under xdist: where the controller notes those connectors, so that no worker runs their code again
    crash_dir: Path | None = None
    # `certify run`: each connector is one item, its whole plan run by the process that takes it
    # (see ConnectorRun)
    whole: bool = False
    _options: SuiteOptions | None = None

    def wants(self, name: str) -> bool:
        return not self.selected or name in self.selected

    @property
    def options(self) -> SuiteOptions:
        # built on first use, after pytest's initialisation (hypothesis must not load during it)
        if self._options is None:
            from harness.certify.checks.session import SuiteOptions
            from harness.certify.example_tapes import cache_root
            from harness.certify.properties import profile_named

            self._options = SuiteOptions(
                profile=profile_named(self.profile, self.seed),
                config_dir=self.config_dir,
                check_timeout=self.check_timeout,
                cache_dir=cache_root(self.root),
            )
        return self._options


STATE = pytest.StashKey[CertifyState]()
RESULTS = pytest.StashKey["Results"]()
FROZEN = pytest.StashKey[bool]()  # the heap was frozen after collection (gc.freeze)
FILES = pytest.StashKey[dict[Path, str]]()  # each registered connector's certification.toml -> its name


def pytest_configure(config: pytest.Config) -> None:
    for family in FAMILIES:
        config.addinivalue_line("markers", f"certify_{family}: certification checks of the {family} family")
    # registered here too, so that the items' labels pass --strict-markers without allure-pytest loaded
    config.addinivalue_line("markers", f"{ALLURE_LABEL}: allure label marker")
    if not config.getoption("certify"):
        return
    if hasattr(config, "workerinput"):
        # registered first, so run last: when a worker's interpreter ends, every result is sent and
        # every handler registered since (the cache folder's writes) has run; the interpreter's own
        # teardown, freeing every connector's session, took the controller 1-3 s of waiting a run
        atexit.register(_end_worker_now)
    selected = list(config.getoption("connector"))
    root = Path(config.getoption("certify_root") or Path.cwd()).resolve()
    from harness.integration import registry

    known = registry.names(root)
    unknown = [name for name in selected if name not in known]
    if unknown:
        # exit 2 like every other bad argument (a UsageError would be pytest's 4)
        pytest.exit(
            f"--connector: unknown connector(s) {', '.join(unknown)}; registered: {', '.join(known)}",
            returncode=2,
        )
    from harness.certify.limits import DEFAULT_CHECK_TIMEOUT

    timeout = config.getoption("check_timeout")
    if timeout is not None and not timeout > 0:
        raise pytest.UsageError(f"--check-timeout must be a number of seconds above 0, not {timeout}")
    config_dir = config.getoption("certify_config_dir")
    report_dir = config.getoption("certify_report_dir")
    config.stash[STATE] = CertifyState(
        root=root,
        selected=selected,
        profile=config.getoption("certify_profile"),
        seed=config.getoption("certify_seed"),
        config_dir=Path(config_dir).resolve() if config_dir else None,
        report_dir=Path(report_dir) if report_dir else None,
        check_timeout=DEFAULT_CHECK_TIMEOUT if timeout is None else timeout,
        whole=bool(config.getoption("certify_whole")),
    )
    from harness.certify.workspace import certification_files

    config.stash[FILES] = certification_files(root)
    state = config.stash[STATE]
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        noted = workerinput.get(CRASH_DIR_KEY)
        state.crash_dir = Path(noted) if noted else None
    elif getattr(config.option, "numprocesses", None):  # the controller of xdist workers
        crash_dir = Path(tempfile.mkdtemp(prefix="certify-crashes-"))
        state.crash_dir = crash_dir
        config.add_cleanup(lambda: shutil.rmtree(crash_dir, ignore_errors=True))
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        # the project's connectors/ and every installed connector's package, wherever it lives
        # (only the selected ones: pytest reports a file argument that yields nothing as "not found")
        state = config.stash[STATE]
        config.args[:] = sorted(str(path) for path, name in config.stash[FILES].items() if state.wants(name))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(STATE, None)
    if state is None or file_path.name != "certification.toml":
        return None
    name = parent.config.stash[FILES].get(file_path.resolve())
    if name is None or not state.wants(name):
        return None
    if not file_path.resolve().is_relative_to(state.root):
        # an installed connector: its node id names it as a project connector's would (progress, -k)
        nodeid = f"connectors/{name}/certification.toml"
        return ConnectorFile.from_parent(parent, path=file_path, connector=name, nodeid=nodeid)
    return ConnectorFile.from_parent(parent, path=file_path, connector=name)


class CheckFailed(Exception):
    """A certification check that did not pass (shown without a traceback)."""


def _prepare(state: CertifyState, connector: str) -> Prepared:
    """The connector loaded and its plan fixed (see harness.certify.checks.plan.prepare)."""
    from harness.certify.checks.plan import prepare
    from harness.certify.workspace import Workspace

    return prepare(
        lambda: Workspace.for_registered(connector, root=state.root, config_dir=state.options.config_dir),
        state.options,
    )


class ConnectorFile(pytest.File):
    def __init__(self, *, connector: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.connector = connector

    def collect(self) -> Any:
        state = self.config.stash[STATE]
        if state.whole:
            # nothing loaded or planned here: the worker that runs the item does that, once
            yield ConnectorRun.from_parent(self, name=WHOLE)
            return
        prepared = _prepare(state, self.connector)
        yield CheckItem.from_parent(self, name="load", spec=None, load=prepared.load, meta=prepared.meta)
        if prepared.session is not None:
            state.sessions[self.connector] = prepared.session
            for spec in prepared.specs:
                yield CheckItem.from_parent(self, name=spec.id, spec=spec, load=None, meta=None)


def fail_on(results: list[CheckResult]) -> None:
    """An item fails with the results that block certification or are errors, as they say."""
    failing = [r for r in results if r.blocks or r.status == "error"]
    if failing:
        raise CheckFailed("\n".join(f"{r.id}: {r.status}: {r.message}" for r in failing))


class ConnectorItem(pytest.Item):
    """What a check's item and a whole connector's item share: the connector they belong to, and a
    failed check shown as its results say, without a traceback."""

    @property
    def connector(self) -> str:
        parent = self.parent
        assert isinstance(parent, ConnectorFile)
        return parent.connector

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.connector}: {self.name}"


class CheckItem(ConnectorItem):
    def __init__(
        self, *, spec: CheckSpec | None, load: CheckResult | None, meta: dict[str, Any] | None, **kw: Any
    ):
        super().__init__(**kw)
        self.spec = spec
        self.load = load
        self.meta = meta
        family = spec.family if spec else "load"
        self.add_marker(getattr(pytest.mark, f"certify_{family}"))
        self.add_marker(pytest.mark.xdist_group(self.connector))
        # Allure: epic = connector, feature = flow, story = scenario (checks without one: their family),
        # for allure-pytest's listener (`pytest --certify --alluredir`); `certify run` writes its
        # allure-results from the results instead, with allure-pytest off (harness/report/allure.py)
        self.allure = self.config.pluginmanager.has_plugin("allure_pytest")
        self.worker = hasattr(self.config, "workerinput")
        if self.allure:
            self.add_marker(allure_label("epic", self.connector))
            self.add_marker(allure_label("feature", (spec.flow if spec else None) or f"({family})"))
            self.add_marker(allure_label("story", (spec.scenario if spec else None) or family))

    def runtest(self) -> None:
        from harness.certify.checks.run import run_spec

        state = self.config.stash[STATE]
        crashed = noted_crash(state, self.connector)
        if self.spec is None:
            assert self.load is not None
            results = [self.load]
        elif crashed is not None:  # this connector's code ended a worker: never run it again
            results = [ended_process(self.name, crashed)]
        else:
            results = run_spec(self.spec, self._session(state))
        payload = CheckPayload(self.connector, results, self.meta if self.spec is None else None)
        # a worker's report crosses to the controller: as JSON (the objects stay in this process)
        self.user_properties.append((PROPERTY_KEY, str(payload) if self.worker else payload))
        if self.allure:
            # prepended, so that it wins over any default: allure keeps the first severity label
            self.add_marker(allure_label("severity", allure_severity(results)), append=False)
            described = "\n".join(f"{r.id}: {r.status}: {r.message}" for r in results if r.message)
            if described:
                import allure  # a no-op unless allure-pytest writes results (--alluredir)

                allure.dynamic.description(described)
        fail_on(results)
        if all(r.status == "skipped" for r in results):
            pytest.skip("; ".join(r.message for r in results)[:500])

    def _session(self, state: CertifyState) -> ConnectorSession:
        """The connector's session; prepared again if it was let go (a check run out of plan order)."""
        session = state.sessions.get(self.connector)
        if session is None:
            from harness.domain.errors import HarnessError

            prepared = _prepare(state, self.connector)
            if prepared.session is None:
                raise HarnessError(f"{self.connector} could not be loaded again: {prepared.load.message}")
            session = state.sessions[self.connector] = prepared.session
        return session


WHOLE = "all-checks"  # the name of a ConnectorRun item: connectors/<name>/certification.toml::all-checks


class ConnectorRun(ConnectorItem):
    """A connector's whole plan as one item (`--certify-whole`, which `certify run` gives): loaded,
    planned and run by the process that takes it, its results in one report.

    With one item a check, under xdist every worker planned every connector while collecting and
    sent a report a check, which the controller (on the same cores) received, parsed and scheduled
    from: on two cores `-n 2` ran 1.2x as fast as a serial run; in one process pytest's collection
    and protocol around each check were ~10% of a run. An xdist worker keeps a journal as it goes
    (`Journal`), so a connector whose code ends the worker keeps its results so far, and the check
    it died in and the checks not run are named (`unfinished`)."""

    def runtest(self) -> None:
        from harness.certify.checks.run import run_spec

        state = self.config.stash[STATE]
        worker = hasattr(self.config, "workerinput")
        # in one process the results travel as they are: neither a journal nor JSON
        with Journal(state.crash_dir if worker else None, self.connector) as journal:
            prepared = _prepare(state, self.connector)
            journal.planned(prepared.load, prepared.meta, [spec.id for spec in prepared.specs])
            checks = [prepared.load]
            if prepared.session is not None:
                for spec in prepared.specs:
                    results = run_spec(spec, prepared.session)
                    journal.ran(spec.id, results)
                    checks += results
        payload = CheckPayload(self.connector, checks, prepared.meta)
        if worker:  # as JSON to the controller: the journal's texts, encoded as the checks ended
            self.user_properties.append((PROPERTY_KEY, journal.payload() if journal.path else str(payload)))
        else:
            self.user_properties.append((PROPERTY_KEY, payload))
        fail_on(checks)


JournalRead = tuple[list["CheckResult"], dict[str, Any] | None, list[str]]


class Journal:
    """What a worker has done of the connector it runs whole: a line once the plan is fixed (the
    load check, the meta, the check ids) and a line as each check ends, each line one `write` to
    `<crash folder>/<connector>.journal`, on disk whatever ends the process next. The same JSON
    texts make the item's payload: each result is encoded once. Without a folder (one process:
    nothing to cross, no worker to lose) it keeps and encodes nothing."""

    SUFFIX = ".journal"

    def __init__(self, folder: Path | None, connector: str) -> None:
        self.connector = connector
        self.path = self.path_of(folder, connector)
        self.texts: list[str] = []
        self.meta: dict[str, Any] | None = None
        self._fd: int | None = None

    def __enter__(self) -> Journal:
        if self.path is not None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _line(self, text: str) -> None:
        if self._fd is not None:
            os.write(self._fd, f"{text}\n".encode())

    def planned(self, load: CheckResult, meta: dict[str, Any] | None, check_ids: list[str]) -> None:
        self.meta = meta
        if self.path is None:
            return
        load_text = load.model_dump_json()
        self.texts.append(load_text)
        self._line(f'{{"plan": {json.dumps(check_ids)}, "meta": {json.dumps(meta)}, "load": {load_text}}}')

    def ran(self, check_id: str, results: list[CheckResult]) -> None:
        if self.path is None:
            return
        texts = [r.model_dump_json() for r in results]
        self.texts.extend(texts)
        self._line(f'{{"check": {json.dumps(check_id)}, "results": [{",".join(texts)}]}}')

    def payload(self) -> str:
        """The item's payload as an xdist worker sends it (read by CheckPayload.parse)."""
        meta = f', "meta": {json.dumps(self.meta)}' if self.meta is not None else ""
        return f'{{"connector": {json.dumps(self.connector)}, "checks": [{",".join(self.texts)}]{meta}}}'

    @classmethod
    def path_of(cls, folder: Path | None, connector: str) -> Path | None:
        return folder / f"{connector}{cls.SUFFIX}" if folder is not None else None

    @classmethod
    def read(cls, folder: Path | None, connector: str) -> JournalRead | None:
        """The results a journal holds, the connector's meta, and the planned checks it has no result
        of (in plan order); None when the worker ended before the plan was fixed. A line cut short
        (the process ended while writing it) ends the reading."""
        from harness.certify.results import CheckResult

        path = cls.path_of(folder, connector)
        if path is None or not path.is_file():
            return None
        records = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                break
        if not records or "plan" not in records[0]:
            return None
        head, *done = records
        results = [CheckResult.model_validate(head["load"])]
        finished = set()
        for record in done:
            finished.add(record["check"])
            results.extend(CheckResult.model_validate(r) for r in record["results"])
        return results, head.get("meta"), [c for c in head["plan"] if c not in finished]


def unfinished(state: CertifyState, name: str, node_id: str) -> list[CheckResult]:
    """The results of a connector run whole whose item reported none (its worker ended, or the run
    stopped): what its journal holds, then the check it was in when connector code ended the worker
    and the checks not run."""
    journal = Journal.read(state.crash_dir, name)
    outcome = state.outcomes.get(node_id)
    if journal is None:  # it ended before its plan was fixed: while loading
        return [ended_process("load", "load") if name in state.crashed else vanished("load", outcome)]
    results, meta, left = journal
    if meta is not None:
        state.meta.setdefault(name, meta)
    if name in state.crashed and left:
        return results + [ended_process(check_id, left[0]) for check_id in left]
    return results + [vanished(check_id, outcome) for check_id in left]


def allure_label(kind: str, value: str) -> pytest.MarkDecorator:
    decorator: pytest.MarkDecorator = getattr(pytest.mark, ALLURE_LABEL)(value, label_type=kind)
    return decorator


def allure_severity(results: list[CheckResult]) -> str:
    """How much a failure of this check weighs: a connector that does not load is a blocker, any
    failure that blocks certification is critical, lint findings weigh their own severity."""
    if any(r.family == "load" for r in results):
        return "blocker"
    lint = [r for r in results if r.family == "lint" and r.severity and r.status != "passed"]
    if lint and len(lint) == len(results):
        failing = [r for r in lint if r.failing] or lint
        return min(
            (LINT_ALLURE_SEVERITY[r.severity or "suggestion"] for r in failing), key=_SEVERITY_ORDER.index
        )
    if all(r.family == "lint" for r in results):
        return "normal"  # lint:clean
    return "critical"


_SEVERITY_ORDER = ("blocker", "critical", "normal", "minor", "trivial")


@pytest.hookimpl(tryfirst=True)  # parses a worker's payload before the progress display reads it
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Gather check results on the controlling process (also under pytest-xdist)."""
    config = _CONFIG.get("config")
    state = config.stash.get(STATE, None) if config is not None else None
    if state is None or hasattr(config, "workerinput"):
        return  # a worker sends its reports on as they are: the controller gathers
    if report.outcome != "passed" and report.nodeid not in state.outcomes:
        # kept in case no results come: a crashed worker, or an error in setup or teardown
        first = str(report.longrepr or "").strip().splitlines()[-1:] or [report.outcome]
        state.outcomes[report.nodeid] = f"{report.when}: {first[0][:200]}"
    if report.when != "call":
        return
    payload = payload_of(report)
    if payload is not None:
        state.reported.add(report.nodeid)
        state.checks.setdefault(payload.connector, []).extend(payload.checks)
        if payload.meta is not None:
            state.meta[payload.connector] = payload.meta


def pytest_collection_finish(session: pytest.Session) -> None:
    """The plan, fixed before anything runs: every selected check item must report."""
    state = session.config.stash.get(STATE, None)
    if state is not None:
        # what collection loaded lives to the end of the session: out of the cyclic collector's
        # passes until then (see limits.frozen_heap; ~5% of a run)
        gc.freeze()
        session.config.stash[FROZEN] = True
        for item in session.items:
            if isinstance(item, CheckItem):
                state.planned[item.nodeid] = (item.connector, item.name)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """Under pytest-xdist the controller collects nothing itself: the workers' collections are the plan."""
    config = _CONFIG.get("config")
    state = config.stash.get(STATE, None) if config is not None else None
    if state is None:
        return
    for node_id in ids:
        path, sep, check_id = node_id.partition("::")
        if sep and path.endswith("certification.toml"):
            state.planned.setdefault(node_id, (Path(path).parent.name, check_id))


_CONFIG: dict[str, pytest.Config] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG["config"] = session.config


def gather(state: CertifyState) -> Results:
    from harness.certify.checks.run import connector_result
    from harness.certify.results import Results, RunInfo

    run = RunInfo(profile=state.profile, seed=state.options.profile.seed)
    results = Results(run=run)
    for node_id, (name, check_id) in state.planned.items():
        if node_id in state.reported:
            continue
        if check_id == WHOLE:
            state.checks.setdefault(name, []).extend(unfinished(state, name, node_id))
            continue
        if name in state.crashed:
            lost = ended_process(check_id, state.crashed[name])
        else:
            lost = vanished(check_id, state.outcomes.get(node_id))
        state.checks.setdefault(name, []).append(lost)
    for name in sorted(state.checks):
        checks = sorted(state.checks[name], key=_check_order)
        results.connectors.append(connector_result(name, state.meta.get(name), checks))
    return results


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """One connector's checks to one worker, in plan order.

    `--dist loadgroup` meant that through the `xdist_group` mark, but pytest-xdist adds the group to
    an item's id by setting a private attribute that pytest 9.2 no longer reads: every check became
    its own work unit and one connector's checks were spread over the workers (its session cache
    built twice, a crashed connector's checks handed to several workers). The scope here is read
    from the id itself, `connectors/<name>/certification.toml::<check>`, whatever pytest does.
    """
    if config.stash.get(STATE, None) is None:
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ConnectorScheduling(LoadScopeScheduling):
        """xdist's scheduling by scope, with its bookkeeping kept linear: xdist finds each check's
        place in the worker's collection with `list.index` (quadratic in the checks) and keeps
        every finished connector in a worker's assigned work, which it counts again after every
        report (~4 s of the controller's CPU over 100 connectors, on the cores the workers need)."""

        def __init__(self, config: pytest.Config, log: Any = None) -> None:
            super().__init__(config, log)
            self._places: dict[Any, dict[str, int]] = {}  # worker -> node id -> index in its collection

        def _split_scope(self, nodeid: str) -> str:
            return nodeid.split("::", 1)[0]

        def add_node_collection(self, node: Any, collection: Any) -> None:
            super().add_node_collection(node, collection)
            self._places.pop(node, None)

        def _assign_work_unit(self, node: Any) -> None:
            scope, work_unit = self.workqueue.popitem(last=False)
            self.assigned_work.setdefault(node, {})[scope] = work_unit
            places = self._places.get(node)
            if places is None:
                collection = self.registered_collections[node]
                places = self._places[node] = {nodeid: index for index, nodeid in enumerate(collection)}
            node.send_runtest_some([places[nodeid] for nodeid, done in work_unit.items() if not done])

        def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
            nodeid = self.registered_collections[node][item_index]
            scope = self._split_scope(nodeid)
            work = self.assigned_work[node]
            unit = work.get(scope)
            if unit is not None:
                unit[nodeid] = True
                if all(unit.values()):
                    # a finished connector leaves the worker's assigned work: nothing reads it again
                    # (a crash re-queues and reports only unfinished work)
                    del work[scope]
            self._reschedule(node)

        def _reschedule(self, node: Any) -> None:
            # a replacement worker still collecting has no collection to index work into (xdist
            # would raise KeyError when two crashed workers are replaced at once): it is given work
            # when its collection arrives, which schedules every node again
            if node not in self.registered_collections or node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
            elif self._pending_of(self.assigned_work[node]) < 2:
                # the item it runs and the next (a worker starts an item once it knows the next):
                # xdist keeps three, which under `certify run -n` are three whole connectors, and at
                # the end left one worker two connectors to go while the other had none
                self._assign_work_unit(node)

    return ConnectorScheduling(config, log)


CRASH_DIR_KEY = "certify_crash_dir"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Tells each xdist worker where the controller notes crashed connectors."""
    state = node.config.stash.get(STATE, None)
    if state is not None and state.crash_dir is not None:
        node.workerinput[CRASH_DIR_KEY] = str(state.crash_dir)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """A worker went down: when it crashed, note the connector whose check it was running, before
    xdist hands that connector's unfinished checks to another worker (which then reports them)."""
    config = _CONFIG.get("config")
    state = config.stash.get(STATE, None) if config is not None else None
    if error is None or state is None or state.crash_dir is None:
        return
    dsession = config.pluginmanager.get_plugin("dsession") if config is not None else None
    work = getattr(getattr(dsession, "sched", None), "assigned_work", {}).get(node, {})
    running = next((i for unit in work.values() for i, done in unit.items() if not done), None)
    if running in state.planned:
        name, check_id = state.planned[running]
        state.crashed.setdefault(name, check_id)
        marker = state.crash_dir / name
        if not marker.exists():
            marker.write_text(check_id, encoding="utf-8")


def _end_worker_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def noted_crash(state: CertifyState, connector: str) -> str | None:
    """The check during which this connector's code ended a worker, as the controller noted it."""
    if state.crash_dir is None:
        return None
    marker = state.crash_dir / connector
    return marker.read_text(encoding="utf-8") if marker.exists() else None


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report: Any, sched: Any) -> None:
    """A worker died inside a check: `os._exit`, a fatal signal, a crash in native code.

    xdist would give the connector's unfinished checks, the crashing one first, to a fresh worker,
    which would run the same connector code and die again, until xdist stops replacing workers and
    the other connectors' checks are lost (or, when one check is left, waits forever). So the
    connector's work goes out of the queue here, and its checks are reported as not run.
    """
    config = _CONFIG.get("config")
    state = config.stash.get(STATE, None) if config is not None else None
    if state is None or crashitem not in state.planned:
        return
    name, check_id = state.planned[crashitem]
    state.crashed.setdefault(name, check_id)
    queue = getattr(sched, "workqueue", None)  # LoadScopeScheduling (--dist loadgroup, which run uses)
    if isinstance(queue, dict):
        for scope, unit in list(queue.items()):
            if any(state.planned.get(node_id, ("",))[0] == name for node_id in unit):
                del queue[scope]


def ended_process(check_id: str, crashed: str) -> CheckResult:
    """The `error` for a check of a connector whose code ended its worker process."""

    if check_id == crashed:
        message = (
            "connector code ended the worker process during this check (os._exit, a fatal signal or a "
            "crash in native code), so nothing could be caught; find that exit in the connector's code"
        )
    else:
        message = f"not run: connector code ended its worker process during {crashed}; fix that first"
    return vanished(check_id, None).model_copy(update={"message": message})


def vanished(check_id: str, outcome: str | None) -> CheckResult:
    """The `error` standing in for a planned check that left no result."""
    from harness.certify.results import CheckResult

    family = family_of(check_id)
    why = f"it ended without one ({outcome})" if outcome else "it never ran (the run stopped before it)"
    return CheckResult(
        id=check_id,
        family=family,
        status="error",
        message=f"planned check left no result: {why}; run `certify run` on this connector alone to see why",
        title="A planned check reports its result",
    )


def _check_order(check: CheckResult) -> tuple[int, str]:
    return (FAMILIES.index(check.family) if check.family in FAMILIES else len(FAMILIES), check.id)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config.stash.get(FROZEN, False):  # in every process (xdist workers collect too)
        session.config.stash[FROZEN] = False
        gc.unfreeze()
    state = session.config.stash.get(STATE, None)
    if state is None or hasattr(session.config, "workerinput"):
        return
    results = gather(state)
    session.config.stash[RESULTS] = results
    if state.report_dir is not None:
        results.write(state.report_dir / "results.json")
