"""What a secret looks like in text: the one vocabulary of redaction and of the leak scanner.

* card numbers: Luhn-valid, 13 to 19 digits, plain, grouped by spaces, dashes or dots, glued to
  letters (`pan4000...`, unless the digits are part of an identifier that holds other digits),
  or written as JSON `\\u` escapes of their digits;
* CVC/CVV fields with a value (`"cvc": "314"`, `card[cvc]=314`, `<cardCode>314</cardCode>`,
  and in prose, `cvc 314`);
* bearer and basic-auth credentials (also URL-encoded: `Bearer%20...`), JSON Web Tokens, and
  base64 text that decodes to a bearer or basic credential or a provider key (a server echoing
  the Authorization header);
* provider secret keys by prefix: the harness's own (`BUILTIN_KEY_PREFIXES`) and every prefix a
  connector declares in `AuthSpec.key_prefixes`, found whether or not the credential is set;
* the exact values in use (credentials, card data) in the forms they take in written files: raw,
  JSON-escaped, `\\u`-escaped, URL-encoded, XML-escaped, and inside base64 at any offset (which
  covers the `user:password` pairs of Basic auth). Values shorter than `MIN_VALUE_LENGTH` (a CVC,
  an expiry) count only where they stand as a whole token.

`SensitiveText.redact` masks every match (messages, console, reports); the leak scanner
(`harness.certify.leaks`) reports them by file and place.
"""

from __future__ import annotations

import base64
import binascii
import functools
import html
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote, quote_plus

from harness.domain.secret import MASK

MIN_VALUE_LENGTH = 6  # shorter exact values match only as a whole token (MIN_TOKEN_LENGTH)
# A value of 3 to 5 characters (a CVC, an expiry "12/34") is masked only where it stands as a whole
# token, so "1314" and "3.14" survive; shorter ones (an expiry month) would mask ordinary numbers.
MIN_TOKEN_LENGTH = 3
MIN_BASE64_RUN = 8  # the shortest base64 run of a value worth looking for (shorter ones recur by chance)
MASKS = frozenset({MASK, "", "REDACTED", "[REDACTED]", "<redacted>", "[FILTERED]"})

# Secret-key prefixes known without any connector (Stripe's scheme, which other providers copy).
# Connectors add theirs through `AuthSpec.key_prefixes`, which calls `declare_key_prefixes`.
BUILTIN_KEY_PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_")
_declared_key_prefixes: set[str] = set()


def declare_key_prefixes(prefixes: Iterable[str]) -> None:
    """Every SensitiveText built after this finds keys with these prefixes."""
    _declared_key_prefixes.update(p for p in prefixes if p)


def known_key_prefixes() -> frozenset[str]:
    return frozenset(BUILTIN_KEY_PREFIXES) | _declared_key_prefixes


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

_CVC_NAMES = (
    r"(?:cvc2?|cvv2?|cvn|csc|cvd|card_?code|card_?cvc|card_?cvv|security[ _]?code|card_?security_?code)"
)
CVC_KEY = re.compile(rf"(?i){_CVC_NAMES}")
_CVC_TAIL = (
    r"(?:(?:\\?[\"'\]]|%5[dD])?\s*(?:[:=]|%3[dD])\s*\\?[\"']?\d{3,4}(?!\d)"
    r"|\s+\d{3,4}(?![\d,:/-]|\.\d))"  # in prose, "cvc 314 rejected", not "cvc 2024-06-20"
)
_KEY_BODY = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){15,}"  # Checkout.com's older keys are UUIDs

# Each rule is (first characters, the rest of the pattern after the first character). The scanner
# compiles them into one pattern that starts with a lookahead on the union of the first characters,
# so the regex engine skips ahead to candidate positions instead of trying every rule at every
# character (about fifteen times faster on large reports); each rule's branch then starts with its
# own first characters as a class, which the engine rejects without entering the branch (a
# lookbehind there cost a sub-match per rule per candidate: ~25% of a scan). What must not precede
# a match (a digit before a card number) is checked on a hit.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("jwt", "e", r"yJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    ("bearer", "Bb", r"[Ee][Aa][Rr][Ee][Rr](?:\s+|%20|\+)(?P<bearer_token>[A-Za-z0-9\-._~+/]{8,}=*)"),
    (
        "basic",
        "Bb",
        r"[Aa][Ss][Ii][Cc](?:\s+|%20|\+)(?P<basic_token>[A-Za-z0-9+/]{8,}(?:={0,2}|(?:%3[Dd]){1,2}))"
        r"(?![A-Za-z0-9+/=])",
    ),
    (
        "cvc",
        "CcSs",
        r"(?:(?<=[Cc])(?i:vc2?|vv2?|vn|sc|vd|ard_?(?:code|cvc|cvv|security_?code))"
        r"|(?<=[Ss])(?i:ecurity[ _]?code))" + _CVC_TAIL,
    ),
    ("xmlcvc", "<", rf"(?i:{_CVC_NAMES})>\s*\d{{3,4}}\s*</"),
    (
        "card",
        "23456",
        r"(?:\d{12,18}|\d{3}(?P<sep>[ .-])\d{4}(?P=sep)\d{4}(?P=sep)\d{1,7}|(?<=3)\d{3}[ -]\d{6}[ -]\d{5})"
        r"(?![0-9])",
    ),
    # a card written as JSON escapes of its digits: \u0034\u0030...
    ("ucard", "\\", r"u003[2-6](?:\\u003[0-9]){12,18}(?!\\u003[0-9])"),
)
# what may not stand right before a match of the rule (a percent-escape such as %3D may)
_NOT_BEFORE = {
    "jwt": re.compile(r"[A-Za-z0-9_-]"),
    "bearer": re.compile(r"[A-Za-z0-9_]"),
    "basic": re.compile(r"[A-Za-z0-9_]"),
    "key": re.compile(r"[A-Za-z0-9_]"),
    "cvc": re.compile(r"[A-Za-z]"),
    "card": re.compile(r"[0-9.]"),  # letters may touch a card number: see _part_of_an_identifier
    "token": re.compile(r"[0-9A-Za-z]|(?<=[0-9])[.,]"),
    "b64": re.compile(r"[A-Za-z0-9+/_-]"),
}
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ESCAPED_DIGIT = re.compile(r"\\u003([0-9])")
# what a server may echo, base64-encoded, at the start of a base64 string
_ECHOED_CREDENTIALS = ("Bearer ", "bearer ", "Basic ", "basic ")


def _compile(rules: Iterable[tuple[str, str, str]]) -> re.Pattern[str]:
    rules = list(rules)
    firsts = "".join(sorted({c for _, first, _ in rules for c in first}))
    # the named group starts after the first character, as the rules' own groups and lookbehinds expect
    branches = [f"[{re.escape(first)}](?P<{name}>{rest})" for name, first, rest in rules]
    return re.compile(f"(?=[{re.escape(firsts)}])(?:{'|'.join(branches)})")


def _literals_rule(name: str, literals: Iterable[str], tail: str = "") -> tuple[str, str, str] | None:
    """A rule matching any of the literals (longest first), each followed by `tail`."""
    ordered = sorted(set(literals), key=len, reverse=True)
    if not ordered:
        return None
    by_first: dict[str, list[str]] = {}
    for value in ordered:  # one lookbehind per first character, not per literal
        by_first.setdefault(value[0], []).append(re.escape(value[1:]))
    rest = "|".join(f"(?<={re.escape(first)})(?:{'|'.join(tails)})" for first, tails in by_first.items())
    return name, "".join(sorted(by_first)), f"(?:{rest}){tail}"


def _base64_prefix(text: str) -> str:
    """The base64 characters that depend only on `text`, when a string starts with it."""
    encoded = base64.b64encode(text.encode()).decode()
    return encoded[: len(text.encode()) * 8 // 6]


KINDS = {
    "value": "exact value in use",
    "token": "exact value in use",
    "jwt": "JSON Web Token",
    "bearer": "bearer token",
    "basic": "basic-auth credentials",
    "key": "provider secret key",
    "cvc": "CVC/CVV value",
    "xmlcvc": "CVC/CVV value",
    "card": "card number (Luhn-valid, not a published test card)",
    "ucard": "card number (Luhn-valid, not a published test card)",
    "b64": "base64-encoded",
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


def _b64decode_text(token: str) -> str | None:
    """The text a base64 (or base64url, or %3D-padded) token encodes, if it is printable text."""
    token = token.replace("%3D", "=").replace("%3d", "=").rstrip("=").replace("-", "+").replace("_", "/")
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded.isprintable() else None


def is_basic_credential(token: str) -> bool:
    decoded = _b64decode_text(token)
    return decoded is not None and ":" in decoded


def base64_runs(value: str) -> set[str]:
    """The base64 characters that encode `value` wherever it sits in a base64-encoded text: one run
    per byte alignment (0, 1, 2), without the characters its neighbours share, in base64 and
    base64url. A `user:password` pair encoded for Basic auth contains a run of each."""
    data = value.encode()
    runs: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode()
        first = -(-offset * 8 // 6)  # the first character made only of the value's bits
        last = (offset + len(data)) * 8 // 6  # past the last such character
        run = encoded[first:last]
        if len(run) >= MIN_BASE64_RUN:
            runs |= {run, run.replace("+", "-").replace("/", "_")}
    return runs


def _escaped_forms(value: str) -> set[str]:
    return {"".join(f"\\u{ord(c):04x}" for c in value), "".join(f"\\u{ord(c):04X}" for c in value)}


def value_forms(value: str) -> set[str]:
    """The forms a value takes in the files the harness writes: raw, JSON, \\u-escaped, URL, XML,
    and its base64 runs."""
    forms = {value, json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value), html.escape(value)}
    forms |= _escaped_forms(value) | base64_runs(value)
    return {form for form in forms if len(form) >= MIN_VALUE_LENGTH}


def token_forms(value: str) -> set[str]:
    """The forms of a short value (a CVC) that count only as a whole token: raw, URL-encoded, and
    base64-encoded on its own."""
    encoded = base64.b64encode(value.encode()).decode()
    return {value, quote(value, safe=""), encoded, encoded.rstrip("=")}


def _part_of_an_identifier(text: str, start: int, end: int) -> bool:
    """Digits glued to letters are a card number ("pan4000...") unless the run of letters and digits
    around them holds other digits too: then they are part of an identifier or a digest."""
    before = start
    if before >= 3 and _PERCENT_ESCAPE.fullmatch(text, before - 3, before):
        before = start  # "%3D4000...": the escape is not part of the token
    else:
        while before > 0 and text[before - 1] in _ALNUM:
            before -= 1
    after = end
    while after < len(text) and text[after] in _ALNUM:
        after += 1
    return any(c.isdigit() for c in text[before:start] + text[end:after])


class SensitiveText:
    """Finds (and masks) secrets in text. `values` maps each exact value in use to a label naming it;
    `allowed_cards` are card numbers that are no secret (published test cards) for finding, never for
    masking: `redact` masks every card number. `key_prefixes` adds secret-key prefixes to those
    built in and declared by the connectors."""

    def __init__(
        self,
        values: Mapping[str, str] | Iterable[str] | None = None,
        allowed_cards: Iterable[str] = (),
        *,
        published_cards_allowed: bool = True,
        key_prefixes: Iterable[str] = (),
    ) -> None:
        self._labels: dict[str, str] = {}
        self._token_labels: dict[str, str] = {}
        labelled = values if isinstance(values, Mapping) else dict.fromkeys(values or (), "secret")
        for value, label in labelled.items():
            if not isinstance(value, str) or not value.strip() or value in MASKS:
                continue
            if len(value) >= MIN_VALUE_LENGTH:
                for form in value_forms(value):
                    self._labels.setdefault(form, label)
            elif len(value) >= MIN_TOKEN_LENGTH:
                for form in token_forms(value):
                    self._token_labels.setdefault(form, label)
                for form in _escaped_forms(value):  # long and distinctive: found anywhere
                    self._labels.setdefault(form, label)
        published = frozenset(PUBLISHED_TEST_CARDS) if published_cards_allowed else frozenset()
        self.allowed_cards = published | {re.sub(r"\D", "", c) for c in allowed_cards}
        self.key_prefixes = known_key_prefixes() | set(key_prefixes)
        echoed = [*_ECHOED_CREDENTIALS, *self.key_prefixes]
        optional = (
            _literals_rule("value", self._labels),
            _literals_rule("token", self._token_labels, r"(?![0-9A-Za-z]|[.,][0-9])"),
            _literals_rule("key", self.key_prefixes, _KEY_BODY),
            _literals_rule(
                "b64",
                {_base64_prefix(p) for p in echoed},
                r"[A-Za-z0-9+/_-]{8,}(?:={0,2}|(?:%3[Dd]){1,2})(?![A-Za-z0-9+/=_-])",
            ),
        )
        rules = [optional[0], optional[1], *_RULES[:3], optional[2], optional[3], *_RULES[3:]]
        self._pattern = _compile(rule for rule in rules if rule is not None)

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
        if kind == "token":
            return f"{KINDS['token']} ({self._token_labels.get(match.group(0), 'secret')})"
        if kind == "bearer":
            token = match.group("bearer_token").rstrip(".,;:")
            if token in MASKS or len(token) < 8:
                return None
            if not (any(c.isdigit() or c in "_-+/=" for c in token) or len(token) >= 24):
                return None  # prose ("bearer authentication"), not a token
        if kind == "basic" and not is_basic_credential(match.group("basic_token")):
            return None
        if kind == "card":
            digits = re.sub(r"\D", "", match.group(0))
            if not 13 <= len(digits) <= 19 or not luhn_valid(digits) or digits in self.allowed_cards:
                return None
            if _part_of_an_identifier(text, start, match.end()):
                return None
        if kind == "ucard":
            digits = "".join(_ESCAPED_DIGIT.findall(match.group(0)))
            if not luhn_valid(digits) or digits in self.allowed_cards:
                return None
        if kind == "b64":
            decoded = _b64decode_text(match.group(0))
            inner = next(iter(self.matches(decoded)), None) if decoded else None
            if inner is None:
                return None
            return f"{KINDS['b64']} {inner[2]}"
        return KINDS.get(kind or "")

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, kind) for every secret in the text."""
        for match in self._pattern.finditer(text):
            kind = self._classify(match, text)
            if kind is not None:
                yield match.start(), match.end(), kind

    def findings(self, text: str) -> Iterator[tuple[int, str]]:
        """(offset, kind) for every secret in the text."""
        for start, _, kind in self.matches(text):
            yield start, kind

    def redact(self, text: str) -> str:
        """The text with every secret masked (the whole match: a key's name goes with its value)."""
        if not text:
            return text
        parts: list[str] = []
        last = 0
        for start, end, _ in self.matches(text):
            if start < last:
                continue
            parts.append(text[last:start])
            parts.append(MASK)
            last = end
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)


# environment variables whose values are credentials wherever they come from (a connector that
# failed to import cannot say which variables it reads)
CREDENTIAL_VARIABLE = re.compile(
    r"(?i)(?:^|_)(?:key|secret|token|password|passwd|pass|credential|credentials|login|client_id|"
    r"transaction_key|signature|private)(?:$|_)"
)


def credential_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of environment variables named like credentials (API_KEY, CLIENT_SECRET, ...)."""
    environ = os.environ if environ is None else environ
    return [
        value
        for name, value in environ.items()
        if CREDENTIAL_VARIABLE.search(name) and len(value) >= MIN_VALUE_LENGTH
    ]


def redact_text(text: str, values: Iterable[str] = ()) -> str:
    """Text written before a connector is known (a load error): credential-named environment values,
    the given values and every secret-looking string masked."""
    return SensitiveText([*credential_values(), *values], published_cards_allowed=False).redact(text)


@functools.cache
def _any_secret() -> SensitiveText:
    return SensitiveText()


def plain_uuid4() -> str:
    """A random uuid4 in which no leak rule finds anything (drawn again otherwise). A uuid can read as
    a card number: four groups of four digits after a letter ("aebe3044-5359-4897-9726-b7bf...") pass
    the Luhn check for about one uuid in 40,000, and the leak scan would withhold the file that holds
    it (1,000 connectors write 146,000 allure results, each with its uuid)."""
    while True:
        value = str(uuid.uuid4())
        if next(_any_secret().matches(value), None) is None:
            return value
