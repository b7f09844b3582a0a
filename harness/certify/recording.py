"""Recording cassettes: run scenarios through a transport, scrub, check for leaks, write atomically.

Also what `certify record` needs around that (credentials from the environment or a UCS-style
creds.json, routing to a `--base-url` override while the cassette keeps the configured URL) and
what `certify cassettes check` audits (expired, orphaned and missing cassettes, leaks).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.provenance import Provenance
from harness.certify.cassettes.recording import (
    Exchange,
    RecordingTransport,
    cassette_document,
    render_cassette,
    write_atomically,
)
from harness.certify.cassettes.replay import load_cassette
from harness.certify.catalog import SCENARIOS, Scenario
from harness.certify.leaks import LeakScanner
from harness.certify.runner import ScenarioRunner
from harness.certify.webhooks import WEBHOOKS_DIR
from harness.certify.workspace import ERRORS_DIR, Workspace
from harness.defaults import CASSETTE_MAX_AGE_DAYS
from harness.domain.auth import ConnectorAuthType, NoKey
from harness.domain.errors import ConnectorError, HarnessError
from harness.execution.redact import Redactor
from harness.execution.transport import Transport, TransportError
from harness.integration import registry
from harness.integration.connector import ConnectorV2
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse


class CredentialsError(HarnessError):
    """Credentials for recording are missing or malformed (never shown, only named)."""


@dataclass
class RecordOutcome:
    scenario: str
    written: bool
    path: Path | None
    reason: str = ""
    interactions: int = 0


def scenarios_to_record(workspace: Workspace, scenario_ids: Iterable[str] | None) -> list[Scenario]:
    supported = workspace.certification.scenarios.supported
    wanted = list(dict.fromkeys(scenario_ids)) if scenario_ids else supported
    unknown = [s for s in wanted if s not in SCENARIOS]
    if unknown:
        raise HarnessError(
            f"unknown scenario(s): {', '.join(unknown)}", hint="see harness/certify/catalog.py"
        )
    unsupported = [s for s in wanted if s not in supported]
    if unsupported:
        reasons = "; ".join(
            f"{s}: {workspace.certification.exempt.get(s, 'not in scenarios.supported')}" for s in unsupported
        )
        raise HarnessError(
            f"{workspace.name} does not claim {', '.join(unsupported)} ({reasons})",
            path=str(workspace.certification_path),
        )
    return [SCENARIOS[s] for s in wanted]


def observed_api_version(connector: type[ConnectorV2], exchanges: Iterable[Exchange]) -> str | None:
    """The API version the provider says answered (the connector's `api_version_header`)."""
    header = connector.api_version_header
    if header:
        for exchange in exchanges:
            value = exchange.response.header(header)
            if value and value.strip():
                return value.strip()[:64]
    return None


def record_scenarios(
    workspace: Workspace,
    transport_factory: Callable[[], Any],
    *,
    provenance: Provenance,
    scenario_ids: Iterable[str] | None = None,
    base_url: str | None = None,
    auth: ConnectorAuthType | None = None,
    check: Callable[[Path, str], list[str]] | None = None,
) -> list[RecordOutcome]:
    """Record each scenario; write its cassette only when the run passed, no 5xx occurred and
    `check` finds nothing in the scrubbed cassette. A failed write leaves the previous cassette."""
    workspace.ensure_editable("certify record")
    auth = auth or workspace.auth
    redactor = Redactor(
        [*auth.secret_values(), *workspace.certification.secret_values()],
        key_prefixes=registry.key_prefixes(),
    )
    runner = ScenarioRunner(
        workspace.connector,
        workspace.certification,
        auth,
        base_url or workspace.base_url("sandbox"),
        redactor=redactor,
    )
    outcomes = []
    for scenario in scenarios_to_record(workspace, scenario_ids):
        path = workspace.cassette_path(scenario.id)
        transport = RecordingTransport(transport_factory())
        run = runner.run(scenario, transport)
        server_error = next((e for e in transport.exchanges if e.response.status_code >= 500), None)
        if server_error is not None:
            request = server_error.request
            reason = (
                f"provider answered HTTP {server_error.response.status_code} to {request.method.value} "
                f"{urlsplit(request.url).path}; a server error is never recorded, try again later"
            )
            outcomes.append(RecordOutcome(scenario.id, False, None, reason))
            continue
        if not run.passed:
            outcomes.append(RecordOutcome(scenario.id, False, None, "; ".join(run.problems)))
            continue
        version = observed_api_version(workspace.connector_cls, transport.exchanges)
        stamped = dataclasses.replace(provenance, api_version=version or provenance.api_version)
        text = render_cassette(cassette_document(transport.exchanges, stamped))
        problems = check(path, text) if check is not None else []
        if problems:
            outcomes.append(RecordOutcome(scenario.id, False, None, "; ".join(problems)))
            continue
        try:
            write_atomically(path, text)
        except OSError as error:
            reason = f"could not write {path.name} ({type(error).__name__}); the previous cassette is intact"
            outcomes.append(RecordOutcome(scenario.id, False, None, reason))
            continue
        outcomes.append(RecordOutcome(scenario.id, True, path, interactions=len(transport.exchanges)))
    return outcomes


# ------------------------------------------------------------------ routing to a --base-url override


class Rerouted(BaseTransport):
    """Sends requests for `base_url` to `target` instead. The request the connector built, and so
    the cassette, keeps the configured sandbox URL, which is what replay matches on."""

    def __init__(self, inner: Transport, base_url: str, target: str) -> None:
        self.inner = inner
        self.base = urlsplit(base_url)
        self.target = urlsplit(target)

    def route(self, url: str) -> str:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != (self.base.scheme, self.base.netloc.lower()):
            raise TransportError(
                f"{parts.scheme}://{parts.netloc} is not the configured base URL's host, so --base-url "
                "cannot route it",
                hint="record without --base-url, or point config/sandbox.toml at the override",
            )
        path = parts.path
        base_path = self.base.path.rstrip("/")
        if base_path and path.startswith(base_path):
            path = path[len(base_path) :]
        path = self.target.path.rstrip("/") + "/" + path.lstrip("/")
        return parts._replace(scheme=self.target.scheme, netloc=self.target.netloc, path=path).geturl()

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.inner.handle_request(
            dataclasses.replace(request, url=self.route(request.url))
        )
        return response

    def close(self) -> None:
        self.inner.close()  # a wrapper owns what it wraps, as httpx's transports do


# ------------------------------------------------------------------ credentials


def credentials_from_env(cls: type[ConnectorV2], environ: Mapping[str, str]) -> ConnectorAuthType:
    """The credentials from the environment variables the connector's `AuthSpec.env` names."""
    spec = cls.auth
    if spec.type is NoKey:
        return NoKey()
    if not spec.env:
        raise CredentialsError(
            f"{cls.id} names no environment variables for its {spec.type.auth_type} credentials",
            hint="pass --creds FILE, or declare AuthSpec(env=...) in the connector",
        )
    missing = [variable for variable in spec.env.values() if not environ.get(variable)]
    if missing:
        raise CredentialsError(
            f"set {', '.join(missing)} (the {cls.id} {spec.type.auth_type} credentials)",
            hint="or pass --creds FILE (creds.json as in UCS)",
        )
    values = {field: environ[variable] for field, variable in spec.env.items()}
    return _build(cls, values, "the environment")


def _unwrap(value: Any) -> Any:
    # the newer UCS creds format wraps each value as {"value": "..."}
    if isinstance(value, Mapping) and set(value) == {"value"}:
        return _unwrap(value["value"])
    return value


def credentials_from_file(cls: type[ConnectorV2], path: Path) -> ConnectorAuthType:
    """The connector's entry in a UCS-style creds.json:
    `{"<connector>": {"connector_account_details": {"auth_type": "HeaderKey", "api_key": "..."}}}`
    (an entry may also be a list, of which the first is used, or the flat form
    `{"<connector>": {"api_key": {"value": "..."}}}`)."""
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialsError("credentials file not found", path=where) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CredentialsError(f"unreadable ({type(error).__name__})", path=where) from None
    except ValueError as error:
        line = getattr(error, "lineno", None)
        raise CredentialsError(f"not JSON{f' (line {line})' if line else ''}", path=where) from None
    if not isinstance(data, Mapping):
        raise CredentialsError("expected an object keyed by connector name", path=where)
    entry = data.get(cls.id)
    if entry is None:
        raise CredentialsError(f"no entry for {cls.id!r}", path=where, hint=f'add "{cls.id}": {{...}}')
    if isinstance(entry, list):
        entry = entry[0] if entry else None
    if not isinstance(entry, Mapping):
        raise CredentialsError(f"the {cls.id!r} entry is not an object", path=where)
    details = entry.get("connector_account_details", entry)
    if not isinstance(details, Mapping):
        raise CredentialsError(f"{cls.id}.connector_account_details is not an object", path=where)
    details = {str(k): _unwrap(v) for k, v in details.items() if k not in ("metadata", "_comment")}
    expected = cls.auth.type.auth_type
    declared = details.get("auth_type")
    if declared is not None and declared != expected:
        raise CredentialsError(
            f"{cls.id}.connector_account_details.auth_type is {str(declared)[:40]!r}; {cls.id} needs "
            f"{expected} ({', '.join(cls.auth.type.field_names()) or 'no fields'})",
            path=where,
        )
    return _build(cls, details, where)


def _build(cls: type[ConnectorV2], values: Mapping[str, Any], source: str) -> ConnectorAuthType:
    try:
        return cls.auth.type.from_values(values, source=source)
    except ConnectorError as error:
        raise CredentialsError(f"{cls.id} credentials from {source}: {error}") from None


# ------------------------------------------------------------------ auditing the cassettes


@dataclass(frozen=True)
class CassetteProblem:
    path: str
    kind: str  # expired | orphan | missing | leak | unreadable | future
    message: str

    def describe(self) -> str:
        return f"{self.path}: {self.kind}: {self.message}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def audit_cassettes(
    workspace: Workspace,
    scanner: LeakScanner,
    *,
    max_age_days: int = CASSETTE_MAX_AGE_DAYS,
    now: dt.datetime | None = None,
) -> list[CassetteProblem]:
    """What is wrong with one connector's cassettes: expired by provenance date, orphaned (no
    supported scenario uses the file), missing (a supported scenario has no cassette), leaks."""
    now = now or dt.datetime.now(dt.UTC)
    root = workspace.root
    supported = workspace.certification.scenarios.supported
    problems: list[CassetteProblem] = []
    expected = {workspace.cassette_path(s).name: s for s in supported}
    folder = workspace.cassette_dir
    present = sorted(p for p in folder.iterdir()) if folder.is_dir() else []
    for path in present:
        where = _relative(path, root)
        if path.name == WEBHOOKS_DIR and path.is_dir() and workspace.connector_cls.webhooks is not None:
            continue  # the webhook cassettes: checked by facts:webhook:* (harness/certify/webhooks.py)
        if path.name == ERRORS_DIR and path.is_dir():
            continue  # recorded error answers: checked by facts:error_answer:* (checks/error_answers.py)
        if path.name not in expected:
            what = "a directory" if path.is_dir() else "a file"
            if path.name.endswith(".tmp"):
                note = "left by an interrupted write; delete it"
            else:
                note = f"no supported scenario of {workspace.name} uses it; delete it or claim the scenario"
            problems.append(CassetteProblem(where, "orphan", f"{what} {note}"))
    for scenario_id in supported:
        path = workspace.cassette_path(scenario_id)
        where = _relative(path, root)
        if not path.is_file():
            problems.append(
                CassetteProblem(
                    where,
                    "missing",
                    f"supported scenario {scenario_id} has no cassette; record it with "
                    f"`certify record {workspace.name} --scenario {scenario_id}`",
                )
            )
            continue
        try:
            loaded = load_cassette(path, volatile=workspace.connector_cls.volatile_fields)
        except CassetteError as error:
            problems.append(CassetteProblem(where, "unreadable", error.message))
            continue
        except OSError as error:
            problems.append(CassetteProblem(where, "unreadable", type(error).__name__))
            continue
        date = loaded.provenance.date
        age = loaded.provenance.age_days(now)
        label = "recorded" if loaded.provenance.kind == "recorded-sandbox" else "authored"
        if age > max_age_days:
            problems.append(
                CassetteProblem(
                    where,
                    "expired",
                    f"{label} {age} days ago ({date.date().isoformat()}), over the {max_age_days}-day limit; "
                    f"re-record it with `certify record {workspace.name} --scenario {scenario_id}`",
                )
            )
        elif date > now + dt.timedelta(days=1):
            problems.append(
                CassetteProblem(where, "future", f"{label}_at {date.isoformat()} is in the future")
            )
        for leak in scanner.scan_file(path, name=where):
            problems.append(CassetteProblem(where, "leak", f"{leak.where}: {leak.kind}"))
    return problems
