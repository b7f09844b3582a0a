"""Config rules (CFG): base URLs in development/sandbox/production.toml, UCS format.

CFG001 a registered connector has no base_url in one of the three files      critical
CFG002 a base_url is not an absolute http(s) URL                              critical
CFG003 the production base_url equals the sandbox one                         critical (exemptable)
CFG004 the production base_url is not https                                   critical
CFG005 the production host carries a sandbox/test/staging/cert marker         critical (never exempt)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from harness.execution.config import ENVIRONMENTS, PLACEHOLDER
from harness.lint.findings import Finding, Suppression, suppressions_in

TEST_HOST_MARKERS = ("sandbox", "test", "staging", "stage", "cert", "uat", "qa", "dev", "preprod", "demo")
NEVER_EXEMPT = frozenset({"CFG005"})


def _key_line(text: str, name: str, key: str = "base_url") -> int:
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*\.\s*{key}\s*=|^\s*\[connectors\.{re.escape(name)}\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return 1


def _host_marker(url: str) -> str | None:
    host = urlsplit(PLACEHOLDER.sub("placeholder", url)).hostname or ""
    for label in re.split(r"[.\-]", host.lower()):
        for marker in TEST_HOST_MARKERS:
            if label == marker:
                return marker
        for marker in ("sandbox", "test", "staging"):  # apitest.authorize.net, checkoutsandbox...
            if label.startswith(marker) or label.endswith(marker):
                return marker
    return None


def _is_url(url: object) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(PLACEHOLDER.sub("placeholder", url))
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def _apply(finding: Finding, suppressions: dict[int, Suppression]) -> list[Finding]:
    suppression = suppressions.get(finding.line)
    if suppression is None or finding.rule not in suppression.rules:
        return [finding]
    if finding.rule in NEVER_EXEMPT:
        return [finding]
    if not suppression.reason:
        return [
            finding,
            Finding(
                "SUP001",
                "warning",
                f"suppression of {finding.rule} gives no reason",
                finding.path,
                finding.line,
                1,
                "write the reason after the bracket",
                finding.connector,
            ),
        ]
    return [
        Finding(
            finding.rule,
            finding.severity,
            finding.message,
            finding.path,
            finding.line,
            finding.col,
            finding.hint,
            finding.connector,
            True,
            suppression.reason,
            finding.source_line,
        )
    ]


def lint_config(config_dir: Path, connectors: Iterable[str] | None = None) -> list[Finding]:
    """Config findings for `connectors` (the registry), or for every connector the files name."""
    texts: dict[str, str] = {}
    tables: dict[str, dict[str, dict[str, object]]] = {}
    findings: list[Finding] = []
    for env in ENVIRONMENTS:
        file = config_dir / f"{env}.toml"
        path = str(file)
        try:
            texts[env] = file.read_text(encoding="utf-8")
            data = tomllib.loads(texts[env])
        except FileNotFoundError:
            findings.append(
                Finding("CFG000", "critical", f"{env}.toml is missing", str(path), hint=f"create {path}")
            )
            continue
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            findings.append(
                Finding("CFG000", "critical", f"malformed TOML: {error}", path, hint="fix the syntax")
            )
            continue
        raw = data.get("connectors")
        tables[env] = {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}
    names = sorted(
        set(connectors) if connectors is not None else set().union(*(set(t) for t in tables.values()))
    )
    for name in names:
        urls: dict[str, str] = {}
        for env, table in tables.items():
            path = str(config_dir / f"{env}.toml")
            line = _key_line(texts[env], name)
            source = texts[env].splitlines()[line - 1] if texts[env] else None
            suppressions = suppressions_in(texts[env])
            entry = table.get(name)
            url = entry.get("base_url") if entry else None
            if url is None:
                findings.append(
                    Finding(
                        "CFG001",
                        "critical",
                        f"{name} has no base_url",
                        path,
                        line,
                        hint=f'add {name}.base_url = "https://..." under [connectors]',
                        connector=name,
                    )
                )
                continue
            if not _is_url(url):
                findings.extend(
                    _apply(
                        Finding(
                            "CFG002",
                            "critical",
                            f"{name}.base_url is not an absolute http(s) URL",
                            path,
                            line,
                            hint="write it as https://host/path",
                            connector=name,
                            source_line=source,
                        ),
                        suppressions,
                    )
                )
                continue
            urls[env] = str(url)
        production, sandbox = urls.get("production"), urls.get("sandbox")
        if production is None:
            continue
        path = str(config_dir / "production.toml")
        line = _key_line(texts.get("production", ""), name)
        source = texts["production"].splitlines()[line - 1] if texts.get("production") else None
        suppressions = suppressions_in(texts.get("production", ""))
        checks: list[Finding] = []
        if sandbox is not None and production.rstrip("/") == sandbox.rstrip("/"):
            checks.append(
                Finding(
                    "CFG003",
                    "critical",
                    f"{name} production base_url equals its sandbox base_url",
                    path,
                    line,
                    hint="use the provider's live host, or exempt the line with its reason",
                    connector=name,
                    source_line=source,
                )
            )
        if not production.startswith("https://"):
            checks.append(
                Finding(
                    "CFG004",
                    "critical",
                    f"{name} production base_url is not https",
                    path,
                    line,
                    hint="live traffic goes over TLS",
                    connector=name,
                    source_line=source,
                )
            )
        marker = _host_marker(production)
        if marker:
            checks.append(
                Finding(
                    "CFG005",
                    "critical",
                    f"{name} production host carries the test marker {marker!r}",
                    path,
                    line,
                    hint="a production URL never points at a test host",
                    connector=name,
                    source_line=source,
                )
            )
        for finding in checks:
            findings.extend(_apply(finding, suppressions))
    return findings
