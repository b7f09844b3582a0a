"""Redaction of known secret values from any text the harness writes (messages, reports)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.domain.secret import MASK

MIN_SECRET_LENGTH = 6  # shorter values (a CVC) would mask ordinary text; they are caught by structure


class Redactor:
    """Replaces every occurrence of the given secret values with `***`."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        fresh = {v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH}
        if fresh - self._values:
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def __bool__(self) -> bool:
        return bool(self._values)
