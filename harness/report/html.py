"""index.html: one self-contained page (inline CSS and JS, no network asset) rendered with jinja2.

Every string from results.json goes through jinja2's autoescaping. The masked request and
response of each scenario step are not markup at all: they travel as one gzip+base64 blob per
connector (the page stays small for 100 connectors) and the page's script puts them into `<pre>`
elements with `textContent` when a reader opens a step. A Content-Security-Policy allowing only
the page's own script and style (by hash) keeps anything else inert, and forbids network loads.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

from harness.certify.example_tapes import cache_root, environment_cache_dir
from harness.certify.results import GAP_PENALTY, CheckResult, ConnectorResult, Results
from harness.report import views
from harness.report.drift import DriftView
from harness.report.views import (
    FAMILY_ORDER,
    FAMILY_TITLES,
    FLOWS,
    CassetteView,
    Counts,
    Diff,
    LintView,
    StepView,
    Violation,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class StepRow:
    view: StepView
    payload: int  # index into the connector's payload list


@dataclass(frozen=True)
class CheckRow:
    check: CheckResult
    state: str
    steps: list[StepRow]
    violations: list[Violation]
    lint: LintView | None
    example: str
    places: list[str]

    @property
    def has_body(self) -> bool:
        return bool(self.steps or self.violations or self.lint or self.example or self.places)


@dataclass
class ConnectorView:
    result: ConnectorResult
    counts: Counts
    groups: list[tuple[str, str, list[CheckRow]]]
    cassettes: list[CassetteView]
    sources: list[str]
    old_cassettes: int
    payloads: list[str] = field(default_factory=list)

    @property
    def blob(self) -> str:
        """The connector's step payloads as base64(gzip(JSON array)); '' when there are none."""
        return packed_json_texts(self.payloads)


def packed_json_texts(texts: list[str]) -> str:
    """JSON texts as base64(gzip(a JSON array of them)), for report.js to unpack; '' for none."""
    if not texts:
        return ""
    text = "[" + ",".join(texts) + "]"
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)).decode()


def packed_strings(strings: list[str]) -> str:
    """Strings (rendered rows) packed as `packed_json_texts`: report.js reads a JSON array of strings."""
    return packed_json_texts([json.dumps(str(s), ensure_ascii=False) for s in strings])


class _Payloads:
    """Each distinct payload once per connector."""

    def __init__(self, target: list[str]) -> None:
        self.target = target
        self.index: dict[str, int] = {}

    def add(self, step: StepView) -> int:
        text = json.dumps(
            {"request": step.request, "response": step.response, "outcome": step.full_outcome},
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        )
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.target)
            self.target.append(text)
        return found


def connector_view(connector: ConnectorResult, *, max_age_days: int, now: dt.datetime) -> ConnectorView:
    grouped: dict[str, list[CheckRow]] = {}
    payload_list: list[str] = []
    payloads = _Payloads(payload_list)
    for check in connector.checks:
        step_rows = [StepRow(step, payloads.add(step)) for step in views.steps(check)]
        places = check.details.get("places") if check.failing else None
        row = CheckRow(
            check=check,
            state=views.check_state(check),
            steps=step_rows,
            violations=views.violations(check),
            lint=views.lint_view(check),
            example=views.minimized_example(check),
            places=[str(p) for p in places] if isinstance(places, list) else [],
        )
        grouped.setdefault(check.family, []).append(row)
    order = [f for f in FAMILY_ORDER if f in grouped] + [f for f in grouped if f not in FAMILY_ORDER]
    cassette_views, sources = views.cassettes(connector, max_age_days=max_age_days, now=now)
    return ConnectorView(
        result=connector,
        counts=Counts.of(connector.checks),
        groups=[(family, FAMILY_TITLES.get(family, family), grouped[family]) for family in order],
        cassettes=cassette_views,
        sources=sources,
        old_cassettes=sum(c.old for c in cassette_views),
        payloads=payload_list,
    )


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept in the cache folder ($CERTIFY_CACHE_DIR, else the project's when it
    exists): compiling them is ~0.1 s of every run that writes a report. Jinja keys them by the
    template's source, so an edited template is compiled again."""
    folder = cache_root(Path.cwd())
    if folder is None or (environment_cache_dir() is None and not folder.is_dir()):
        return None
    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder / "templates"))


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["packed_strings"] = packed_strings
    return env


@cache
def _asset(name: str) -> tuple[str, str]:
    """An inline asset and its CSP hash."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return text, f"'sha256-{digest}'"


def render_html(
    results: Results,
    *,
    diff: Diff | None = None,
    baseline_name: str = "",
    cassette_max_age_days: int = views.DEFAULT_CASSETTE_MAX_AGE_DAYS,
    now: dt.datetime | None = None,
    drift: Mapping[str, DriftView] | None = None,
) -> str:
    now = now or dt.datetime.now(dt.UTC)
    css, css_hash = _asset("report.css")
    js, js_hash = _asset("report.js")
    connectors = [connector_view(c, max_age_days=cassette_max_age_days, now=now) for c in results.connectors]
    context: dict[str, Any] = {
        "results": results,
        "run": results.run,
        "flows": FLOWS,
        "matrix": views.matrix(results),
        "connectors": connectors,
        "diff": diff,
        "baseline_name": baseline_name,
        "max_age_days": cassette_max_age_days,
        "gap_penalty": GAP_PENALTY,
        "certified": sum(c.verdict == "certified" for c in results.connectors),
        "not_certified": sum(c.verdict == "not_certified" for c in results.connectors),
        "errors": sum(c.verdict == "error" for c in results.connectors),
        "drift": dict(drift or {}),  # spec drift per connector name (drift.html.j2)
        "css": css,
        "js": js,
        "csp": f"default-src 'none'; style-src {css_hash}; script-src {js_hash}; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'",
    }
    return _environment().get_template("index.html.j2").render(context)
