"""Redaction of secrets from any text the harness writes (messages, console, reports).

One redactor masks the exact values in use (credentials, card data, in every form they take in
written text) and everything that looks like a secret by structure (card numbers, CVC fields,
bearer and basic credentials, tokens, provider keys): the vocabulary of `harness.domain.sensitive`,
which the leak scanner shares.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.domain.sensitive import MIN_TOKEN_LENGTH, SensitiveText, credential_values

# values shorter than MIN_VALUE_LENGTH (a CVC) are masked only where they stand as a whole token;
# shorter still (an expiry month) they would mask ordinary numbers: structure catches those
MIN_SECRET_LENGTH = MIN_TOKEN_LENGTH
_REMEMBERED_LENGTH = 2048  # texts up to this long are remembered with their redaction
_REMEMBERED_TEXTS = 20_000  # per redactor; past it, the memory starts again


class Redactor:
    """Masks every known secret value and every secret-looking string with `***`. `key_prefixes`:
    secret-key prefixes beyond those already declared (every registered connector's, in a run)."""

    def __init__(self, values: Iterable[str] = (), *, key_prefixes: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._key_prefixes = frozenset(key_prefixes)
        self._text = SensitiveText(published_cards_allowed=False, key_prefixes=self._key_prefixes)
        # the same texts come again and again (a check's details repeat keys, statuses, URLs): each is
        # scanned once per set of values; a new value means a new scan of everything
        self._seen: dict[str, str] = {}
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        fresh = {v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH}
        if fresh - self._values:
            self._values |= fresh
            self._text = SensitiveText(
                self._values, published_cards_allowed=False, key_prefixes=self._key_prefixes
            )
            self._seen = {}

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if len(text) > _REMEMBERED_LENGTH:
            return self._text.redact(text)
        masked = self._seen.get(text)
        if masked is None:
            if len(self._seen) >= _REMEMBERED_TEXTS:
                self._seen = {}
            masked = self._seen[text] = self._text.redact(text)
        return masked

    def __bool__(self) -> bool:
        return bool(self._values)


def process_redactor(extra: Iterable[str] = ()) -> Redactor:
    """For text written before a connector is known (load errors): credential-named environment
    values, the given values, and every secret-looking string."""
    return Redactor([*credential_values(), *extra])
