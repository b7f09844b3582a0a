"""The leak scanner: proof that no secret reaches a cassette, a report or a log.

One precompiled pattern finds, in a single pass over a file's text:

* card numbers: 13 to 19 digits (plain, or grouped 4-4-4-x / 4-6-5) with a card-network first
  digit (2-6) that pass the Luhn check, except the providers' published test cards
  (`PUBLISHED_TEST_CARDS`) and the test cards listed in the connectors' certification.toml;
* CVC/CVV fields that carry a value (`"cvc": "314"`, `card[cvc]=314`, `<cardCode>314</cardCode>`);
* bearer tokens, JSON Web Tokens, basic-auth credentials and provider secret keys (`sk_live_...`);
* the exact values in use: the credentials (and the card data of the certification), in their
  raw, JSON-escaped, URL-encoded and XML-escaped forms.

A finding names the file and where in it (the JSON/YAML path, or the line) and what it is,
never the value. Files without a hit cost one regex pass; only a file with a hit is parsed to
name the path.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import yaml

from harness.domain.secret import MASK

MIN_VALUE_LENGTH = 6  # shorter exact values (a CVC) would match ordinary text; structure catches them
BINARY_SNIFF = 8192
MASKS = frozenset({MASK, "", "REDACTED", "[REDACTED]", "<redacted>", "[FILTERED]"})

# Published test card numbers: not secrets, so not leaks by the card-number rule. Each group names
# the page that publishes it. Numbers that fail the Luhn check are never matched and need no entry.
PUBLISHED_TEST_CARDS: dict[str, str] = {
    number: source
    for source, numbers in (
        (
            "https://docs.stripe.com/testing",
            "4242424242424242 4000056655665556 5555555555554444 2223003122003222 5200828282828210 "
            "5105105105105100 378282246310005 371449635398431 6011111111111117 6011000990139424 "
            "6011981111111113 3056930009020004 36227206271667 6555900000604105 3566002020360505 "
            "6200000000000005 6200000000000047 6205500000000000004 4000000000000002 4000000000009995 "
            "4000000000009987 4000000000009979 4000000000000069 4000000000000127 4000000000000119 "
            "4000000000000101 4000000000000077 4000000000000093 4000000000000010 4000000000000028 "
            "4000000000000036 4000000000000044 4000000000000341 4000002500003155 4000000000003220 "
            "4000000000003063 4000002760003184 4012888888881881 30569309025904 38520000023237 "
            "3530111333300000",
        ),
        (
            "https://developer.authorize.net/hello_world/testing_guide.html",
            "370000000000002 6011000000000012 3088000000000017 38000000000006 4007000000027 "
            "4012888818888 4111111111111111 5424000000000015 2223000010309703 2223000010309711",
        ),
        (
            "https://developer.paypal.com/braintree/docs/reference/general/testing",
            "4005519200000004 4009348888881881 4012000033330026 4012000077777777 4217651111111119 "
            "4500600000000061 2223000048400011 6304000000000000 36259600000004 6011000991300009 "
            "6243030000000001 6221261111117766 6223164991230014",
        ),
        (
            "https://docs.adyen.com/development-resources/test-cards-and-credentials/test-card-numbers",
            "4111111145551142 5555341244441115 2222400070000005 5577000055770004 5100290029002909 "
            "5136333333333335 5585558555855583 5555444433331111 5500000000000004 4988438843884305 "
            "4166676667666746 4646464646464644 4444333322221111 4400000000000008 4977949494949497 "
            "6011601160116611",
        ),
    )
    for number in numbers.split()
}

_CVC_NAMES = r"(?:cvc2?|cvv2?|cvn|csc|cvd|card_?code|card_?cvc|card_?cvv|security_?code|card_?security_?code)"
_CVC_KEY = re.compile(rf"(?i){_CVC_NAMES}")
_CVC_TAIL = r"(?:\\?[\"'\]]|%5[dD])?\s*(?:[:=]|%3[dD])\s*\\?[\"']?\d{3,4}(?!\d)"

# Each rule is (first characters, the rest of the pattern after the first character). The scanner
# compiles them into one pattern that starts with the union of the first characters, so the regex
# engine skips ahead to candidate positions instead of trying every rule at every character (about
# fifteen times faster on large reports). Each rest starts with a lookbehind on its own first
# characters; what must not precede a match (a digit before a card number) is checked on a hit.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("jwt", "e", r"yJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    ("bearer", "Bb", r"[Ee][Aa][Rr][Ee][Rr]\s+(?P<bearer_token>[A-Za-z0-9\-._~+/]{8,}=*)"),
    ("basic", "Bb", r"[Aa][Ss][Ii][Cc]\s+(?P<basic_token>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"),
    ("key", "srw", r"(?:(?<=[sr])k_(?:test|live)_|(?<=w)hsec_)[A-Za-z0-9]{16,}"),
    (
        "cvc",
        "CcSs",
        r"(?:(?<=[Cc])(?i:vc2?|vv2?|vn|sc|vd|ard_?(?:code|cvc|cvv|security_?code))|(?<=[Ss])(?i:ecurity_?code))"
        + _CVC_TAIL,
    ),
    ("xmlcvc", "<", rf"(?i:{_CVC_NAMES})>\s*\d{{3,4}}\s*</"),
    (
        "card",
        "23456",
        r"(?:\d{12,18}|\d{3}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{1,7}|(?<=3)\d{3}[ -]\d{6}[ -]\d{5})"
        r"(?![0-9A-Za-z])",
    ),
)
# what may not stand right before a match of the rule (a percent-escape such as %3D may)
_NOT_BEFORE = {
    "jwt": re.compile(r"[A-Za-z0-9_-]"),
    "bearer": re.compile(r"[A-Za-z0-9_]"),
    "basic": re.compile(r"[A-Za-z0-9_]"),
    "key": re.compile(r"[A-Za-z0-9_]"),
    "cvc": re.compile(r"[A-Za-z]"),
    "card": re.compile(r"[0-9A-Za-z.]"),
}
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def _compile(rules: Iterable[tuple[str, str, str]]) -> re.Pattern[str]:
    rules = list(rules)
    firsts = "".join(sorted({c for _, first, _ in rules for c in first}))
    branches = [f"(?P<{name}>(?<=[{re.escape(first)}]){rest})" for name, first, rest in rules]
    return re.compile(f"[{re.escape(firsts)}](?:{'|'.join(branches)})")


KINDS = {
    "value": "exact value in use",
    "jwt": "JSON Web Token",
    "bearer": "bearer token",
    "basic": "basic-auth credentials",
    "key": "provider secret key",
    "cvc": "CVC/CVV value",
    "xmlcvc": "CVC/CVV value",
    "card": "card number (Luhn-valid, not a published test card)",
}


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


@dataclass(frozen=True)
class Leak:
    file: str
    where: str  # "$.a.b[0]" or "line 12"
    kind: str  # what was found, never the value

    def describe(self) -> str:
        return f"{self.file}: {self.where}: {self.kind}"


def value_forms(value: str) -> set[str]:
    """The forms a value takes in the files the harness writes: raw, JSON, URL, XML."""
    forms = {value, json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value), html.escape(value)}
    return {form for form in forms if len(form) >= MIN_VALUE_LENGTH}


class LeakScanner:
    """Finds secrets in text. `values` maps each exact value in use to a label naming it."""

    def __init__(self, values: Mapping[str, str] | None = None, allowed_cards: Iterable[str] = ()) -> None:
        self._labels: dict[str, str] = {}
        for value, label in (values or {}).items():
            if isinstance(value, str) and value.strip() and value not in MASKS:
                for form in value_forms(value):
                    self._labels.setdefault(form, label)
        self.allowed_cards = frozenset(PUBLISHED_TEST_CARDS) | {re.sub(r"\D", "", c) for c in allowed_cards}
        rules = list(_RULES)
        if self._labels:
            ordered = sorted(self._labels, key=len, reverse=True)
            firsts = "".join(sorted({v[0] for v in ordered}))
            rest = "|".join(f"(?<={re.escape(v[0])}){re.escape(v[1:])}" for v in ordered)
            rules.insert(0, ("value", firsts, f"(?:{rest})"))
        self._pattern = _compile(rules)

    # ------------------------------------------------------------ matching

    def _classify(self, match: re.Match[str], text: str) -> str | None:
        groups = match.groupdict()
        kind = next((k for k in KINDS if groups.get(k) is not None), None)
        if kind is None:
            return None
        start = match.start()
        not_before = _NOT_BEFORE.get(kind)
        if (
            not_before is not None
            and start
            and not_before.match(text, start - 1)
            and not _PERCENT_ESCAPE.match(text, max(start - 3, 0), start)
        ):
            return None
        if kind == "value":
            return f"{KINDS['value']} ({self._labels.get(match.group(0), 'secret')})"
        if kind == "bearer":
            token = match.group("bearer_token").rstrip(".,;:")
            if token in MASKS or len(token) < 8:
                return None
            if not (any(c.isdigit() or c in "_-+/=" for c in token) or len(token) >= 24):
                return None  # prose ("bearer authentication"), not a token
        if kind == "basic" and not _is_basic_credential(match.group("basic_token")):
            return None
        if kind == "card":
            digits = re.sub(r"\D", "", match.group(0))
            if not 13 <= len(digits) <= 19 or not luhn_valid(digits) or digits in self.allowed_cards:
                return None
        return KINDS.get(kind or "")

    def findings(self, text: str) -> Iterator[tuple[int, str]]:
        """(offset, kind) for every leak in the text."""
        for match in self._pattern.finditer(text):
            kind = self._classify(match, text)
            if kind is not None:
                yield match.start(), kind

    def _leaf_findings(self, key: Any, value: Any) -> list[str]:
        kinds = []
        if (
            key is not None
            and _CVC_KEY.fullmatch(str(key))
            and not isinstance(value, bool)
            and isinstance(value, str | int)
            and re.fullmatch(r"\s*\d{3,4}\s*", str(value))
        ):
            kinds.append(KINDS["cvc"])
        if isinstance(value, str | int) and not isinstance(value, bool):
            kinds.extend(kind for _, kind in self.findings(str(value)))
        return kinds

    def _walk(self, tree: Any, path: str, key: Any = None) -> Iterator[tuple[str, str]]:
        if isinstance(tree, Mapping):
            for child_key, value in tree.items():
                name = str(child_key)
                child = f"{path}.{name}" if _plain(name) else f"{path}[{json.dumps(name)}]"
                for _, kind in self.findings(str(child_key)):
                    yield child + " (key)", kind
                yield from self._walk(value, child, child_key)
        elif isinstance(tree, list):
            for index, value in enumerate(tree):
                yield from self._walk(value, f"{path}[{index}]", key)
        elif isinstance(tree, str) and tree.lstrip()[:1] in ("{", "[") and self._pattern.search(tree):
            nested = _json_or_none(tree)
            if nested is not None:
                yield from self._walk(nested, f"{path} → $")
                return
            for kind in self._leaf_findings(key, tree):
                yield path, kind
        else:
            for kind in self._leaf_findings(key, tree):
                yield path, kind

    # ------------------------------------------------------------ scanning

    def scan_text(self, text: str, *, name: str, structured: str | None = None) -> list[Leak]:
        """Leaks in one file's text. `structured` is "json" or "yaml" to report paths, not lines."""
        hits = list(self.findings(text))
        if not hits:
            return []
        leaks: list[Leak] = []
        tree = _parse(text, structured) if structured else None
        if tree is not None:
            leaks = [Leak(name, where, kind) for where, kind in self._walk(tree, "$")]
        if not leaks:
            leaks = [Leak(name, f"line {text.count(chr(10), 0, offset) + 1}", kind) for offset, kind in hits]
        return list(dict.fromkeys(leaks))

    def scan_file(self, path: Path, *, name: str | None = None) -> list[Leak]:
        display = name or display_path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            reason = f"unreadable ({type(error).__name__}), so not proven free of secrets"
            return [Leak(display, "file", reason)]
        if b"\x00" in data[:BINARY_SNIFF]:
            return []  # binary (an image): the harness writes no secret there
        return self.scan_text(data.decode("utf-8", errors="replace"), name=display, structured=kind_of(path))

    def scan_paths(self, paths: Iterable[Path]) -> list[Leak]:
        leaks: list[Leak] = []
        for path in paths:
            leaks.extend(self.scan_file(path))
        return leaks

    def check(self, path: Path, text: str) -> list[str]:
        """For `record_scenarios(check=...)`: one line per leak in a cassette about to be written."""
        leaks = self.scan_text(text, name=display_path(path), structured="yaml")
        return [f"leak: {leak.describe()}" for leak in leaks]


def _is_basic_credential(token: str) -> bool:
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and decoded.isprintable()


def _plain(key: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key))


def _json_or_none(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def _parse(text: str, structured: str) -> Any:
    try:
        if structured == "json":
            return json.loads(text)
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (ValueError, yaml.YAMLError):
        return None


def kind_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return None


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ what is in use


def certification_cards(root: Path) -> set[str]:
    """The card numbers every connector's certification.toml lists (published test data)."""
    cards: set[str] = set()
    for path in sorted((root / "connectors").glob("*/certification.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        for profile in (data.get("cards") or {}).values():
            if isinstance(profile, dict) and isinstance(profile.get("number"), str):
                cards.add(re.sub(r"\D", "", profile["number"]))
    return cards


def values_in_use(
    names: Iterable[str],
    root: Path,
    environ: Mapping[str, str] | None = None,
    *,
    holder_names: bool = True,
) -> dict[str, str]:
    """value -> label: the credentials the connectors' environment variables hold, and the card
    numbers and holder names of their certification data (the harness masks all of them).

    Holder names are often a provider's documented trigger words ("DECLINED"), which another
    provider may return as a status: scan for them only within their own connector's files.
    """
    import connectors as registry
    from harness.certify.certification import load_certification
    from harness.domain.errors import HarnessError

    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for name in names:
        try:
            cls = registry.load(name)
        except HarnessError:
            continue
        for variable in cls.auth.env.values():
            value = environ.get(variable)
            if value:
                values.setdefault(value, f"the value of {variable}")
        try:
            certification = load_certification(root / "connectors" / name / "certification.toml")
        except HarnessError:
            continue
        for profile_name, profile in certification.cards.items():
            values.setdefault(profile.number, f"{name} cards.{profile_name}.number")
            if profile.holder_name and holder_names:
                values.setdefault(profile.holder_name, f"{name} cards.{profile_name}.holder_name")
    return values


def artifact_files(report_dir: Path) -> list[Path]:
    """Every file a run leaves in its report folder (results.json, every report format, logs)."""
    if not report_dir.is_dir():
        return []
    return sorted(p for p in report_dir.rglob("*") if p.is_file())


def scan_run_artifacts(report_dir: Path, names: Iterable[str], *, root: Path) -> list[Leak]:
    names = list(names)
    # one report holds every connector: test holder names are checked per connector by the
    # suite's secrets:masked check instead
    scanner = LeakScanner(
        values_in_use(names, root, holder_names=False), allowed_cards=certification_cards(root)
    )
    return scanner.scan_paths(artifact_files(report_dir))
