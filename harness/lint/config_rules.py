"""Config rules (CFG): base URLs in development/sandbox/production.toml, UCS format.

CFG000 a config file is missing or is not TOML                                critical
CFG001 a registered connector has no base_url in one of the three files      critical
CFG002 a URL is not an absolute http(s) URL                                   critical
CFG003 a production URL equals the sandbox one                                critical (exemptable)
CFG004 a production URL is not https                                          critical
CFG005 a production host carries a sandbox/test/staging/cert marker           critical (never exempt)
CFG006 a production host carries a pre-production-looking label (pre, beta)   warning

Every `*url*` key of a connector entry is checked (UCS has `secondary_base_url`,
`third_base_url`, `base_url_bank_redirects`...); `base_url` is the one every connector needs.
Placeholders such as `{{merchant_endpoint_prefix}}` count as host labels. Works on any folder
holding the three files in the UCS format (`[connectors]` with `name.base_url = "..."`, or
`[connectors.name]` tables).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from harness.lint.findings import Finding, apply_suppressions, suppressions_in
from harness.lint.rules import RULES, rule
from harness.lint.source import display_path

# the same values as harness.execution.config (kept here so the lint starts without the domain)
ENVIRONMENTS: tuple[str, ...] = ("development", "sandbox", "production")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")

TEST_HOST_MARKERS = (
    "sandbox",
    "sbx",
    "test",
    "testing",
    "staging",
    "stage",
    "stg",
    "cert",
    "uat",
    "qa",
    "dev",
    "preprod",
    "demo",
)
PREFIX_MARKERS = ("sandbox", "test", "staging")  # apitest.authorize.net, checkoutsandbox...
NOT_TEST_WORDS = frozenset({"latest", "contest", "attest", "fastest", "protest", "testament", "greatest"})
WEAK_MARKERS = ("pre", "beta", "preview", "int", "integration", "mock", "local", "localhost", "127")

CFG000 = rule(
    "CFG000", "critical", "config file missing or malformed", "create the file / fix the TOML syntax"
)
CFG001 = rule(
    "CFG001",
    "critical",
    "connector has no base_url in a config file",
    'add <name>.base_url = "https://..." under [connectors]',
)
CFG002 = rule("CFG002", "critical", "URL is not an absolute http(s) URL", "write it as https://host/path")
CFG003 = rule(
    "CFG003",
    "critical",
    "production URL equals the sandbox URL",
    "use the provider's live host, or exempt the line with its reason",
)
CFG004 = rule("CFG004", "critical", "production URL is not https", "live traffic goes over TLS")
CFG005 = rule(
    "CFG005",
    "critical",
    "production host carries a test marker",
    "a production URL never points at a test host (this rule cannot be exempted)",
)
CFG006 = rule(
    "CFG006",
    "warning",
    "production host carries a pre-production-looking label",
    "check the provider's documentation for the live host; exempt the line with the reason if it is right",
)


def is_url_key(key: str) -> bool:
    return key == "base_url" or key.endswith("_url") or key.startswith("base_url")


def host_labels(url: str) -> list[str]:
    host = urlsplit(PLACEHOLDER.sub("placeholder", url)).hostname or ""
    return [label for label in re.split(r"[.\-_]", host.lower()) if label]


def host_marker(url: str) -> str | None:
    """The test marker a host carries (`api.sandbox.checkout.com` -> "sandbox"), or None."""
    for label in host_labels(url):
        if label in TEST_HOST_MARKERS:
            return label
        if label in NOT_TEST_WORDS:
            continue
        for marker in PREFIX_MARKERS:
            if label.startswith(marker) or label.endswith(marker):
                return marker
    return None


def weak_marker(url: str) -> str | None:
    return next((label for label in host_labels(url) if label in WEAK_MARKERS), None)


def is_url(url: object) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(PLACEHOLDER.sub("placeholder", url))
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


class ConfigText:
    """One config file's text with the line (and column) of each connector key."""

    HEADER = re.compile(r"^\s*\[\s*([^\]\[]+?)\s*\]\s*(?:#.*)?$")

    def __init__(self, path: Path, text: str):
        self.path = path
        self.display = display_path(path)
        self.lines = text.splitlines()
        self.suppressions = suppressions_in(text)
        self.where: dict[tuple[str, str], tuple[int, int]] = {}
        self.connector_at: dict[int, str] = {}
        self.connectors_line = 1
        table = ""
        dotted = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*\.\s*([A-Za-z0-9_\-]+)\s*=\s*")
        plain = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*")
        inline = re.compile(r"([A-Za-z0-9_\-]+)\s*=\s*")
        for number, line in enumerate(self.lines, start=1):
            header = self.HEADER.match(line)
            if header:
                table = header.group(1).replace(" ", "")
                if table == "connectors":
                    self.connectors_line = number
                continue
            if table == "connectors":
                match = dotted.match(line)
                if match:
                    self._add(match.group(1), match.group(2), number, match.end() + 1)
                    continue
                match = plain.match(line)
                if match and line[match.end() :].lstrip().startswith("{"):  # name = { base_url = "..." }
                    for key in inline.finditer(line, match.end()):
                        self._add(match.group(1), key.group(1), number, key.end() + 1)
            elif table.startswith("connectors."):
                match = plain.match(line)
                if match:
                    self._add(table.split(".", 1)[1], match.group(1), number, match.end() + 1)

    def _add(self, name: str, key: str, line: int, col: int) -> None:
        self.where.setdefault((name, key), (line, col))
        self.connector_at.setdefault(line, name)

    def locate(self, name: str, key: str = "base_url") -> tuple[int, int]:
        return self.where.get((name, key), (self.connectors_line, 1))

    def source(self, line: int) -> str | None:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else None

    def finding(self, rule_id: str, name: str, key: str, message: str, *, located: bool = True) -> Finding:
        line, col = self.locate(name, key) if located else (self.connectors_line, 1)
        return RULES[rule_id].finding(
            self.display, line, col, message=message, connector=name, source_line=self.source(line)
        )


def read_configs(
    config_dir: Path,
) -> tuple[dict[str, ConfigText], dict[str, dict[str, dict[str, object]]], list[Finding]]:
    texts: dict[str, ConfigText] = {}
    tables: dict[str, dict[str, dict[str, object]]] = {}
    problems: list[Finding] = []
    for env in ENVIRONMENTS:
        file = config_dir / f"{env}.toml"
        shown = display_path(file)
        try:
            text = file.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except FileNotFoundError:
            problems.append(CFG000.finding(shown, message=f"{env}.toml is missing", hint=f"create {shown}"))
            continue
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
            problems.append(CFG000.finding(shown, message=f"cannot read {env}.toml: {error}"))
            continue
        texts[env] = ConfigText(file, text)
        raw = data.get("connectors")
        tables[env] = {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}
    return texts, tables, problems


def connectors_in(config_dir: Path) -> list[str]:
    """The connector names the files themselves declare (the registry for a foreign config)."""
    _, tables, _ = read_configs(config_dir)
    return sorted(set().union(*(set(t) for t in tables.values()))) if tables else []


def lint_config(config_dir: Path, connectors: Iterable[str] | None = None) -> list[Finding]:
    """Config findings for `connectors` (the registry), or for every connector the files name."""
    texts, tables, findings = read_configs(config_dir)
    names = sorted(
        set(connectors) if connectors is not None else set().union(*(set(t) for t in tables.values()))
    )
    raw: dict[str, list[Finding]] = {env: [] for env in texts}
    for name in names:
        urls: dict[str, dict[str, str]] = {}
        for env, table in tables.items():
            text = texts[env]
            entry = table.get(name) or {}
            if entry.get("base_url") is None:
                raw[env].append(
                    text.finding(
                        "CFG001", name, "base_url", f"{name} has no base_url in {env}.toml", located=False
                    )
                )
            for key, value in entry.items():
                if not is_url_key(key):
                    continue
                if not is_url(value):
                    raw[env].append(
                        text.finding(
                            "CFG002", name, key, f"{name}.{key} is not an absolute http(s) URL: {value!r:.60}"
                        )
                    )
                    continue
                urls.setdefault(env, {})[key] = str(value)
        production = urls.get("production", {})
        sandbox = urls.get("sandbox", {})
        live = texts.get("production")
        if live is None:
            continue
        for key, url in production.items():
            if key in sandbox and url.rstrip("/") == sandbox[key].rstrip("/"):
                raw["production"].append(
                    live.finding("CFG003", name, key, f"{name} production {key} equals its sandbox {key}")
                )
            if not url.startswith("https://"):
                raw["production"].append(
                    live.finding("CFG004", name, key, f"{name} production {key} is not https")
                )
            marker = host_marker(url)
            if marker:
                raw["production"].append(
                    live.finding(
                        "CFG005", name, key, f"{name} production host carries the test marker {marker!r}"
                    )
                )
            elif weak_marker(url):
                raw["production"].append(
                    live.finding(
                        "CFG006",
                        name,
                        key,
                        f"{name} production host carries the label {weak_marker(url)!r}: is it live?",
                    )
                )
    wanted = set(names)
    for env, text in texts.items():
        applied = apply_suppressions(raw[env], text.suppressions, path=text.display, known_rules=RULES)
        for finding in applied:
            if finding.rule.startswith("SUP"):
                owner = text.connector_at.get(finding.line)
                if owner is None or owner not in wanted:
                    continue  # a suppression on another connector's line is that connector's business
                finding = replace(finding, connector=owner)
            findings.append(finding)
    return findings
