"""TOML files parsed once per content: in a process, and across runs with a cache folder.

A connector's facts file and certification.toml are read by several checks (the facts, the spec's
enums, the card data, the leak scan). tomllib is pure Python: a facts file takes 5-7 ms to parse,
a copy of the parsed tree ~0.4 ms, and reading a kept one from the cache folder ~0.3 ms. Keys are
the file's bytes (and the Python version, whose tomllib parses them), never its name.
"""

from __future__ import annotations

import copy
import hashlib
import sys
import tomllib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from harness.certify.example_tapes import ContentStore

PARSED_TOML = "parsed-toml"
_IN_PROCESS_LIMIT = 512
# what a parsed TOML document holds beside builtins: its dates and times
_TOML_DATA = frozenset(
    {("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timezone"),
     ("datetime", "timedelta")}
)  # fmt: skip
_PARSED: OrderedDict[str, dict[str, Any]] = OrderedDict()
_across_runs: list[ContentStore] = []


def keep_parsed_toml(cache_dir: Path | None) -> None:
    """Keep parsed TOML files under `cache_dir` across runs (None: parse once per process)."""
    _across_runs[:] = [ContentStore(cache_dir, PARSED_TOML, _TOML_DATA)] if cache_dir is not None else []


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file, a fresh copy for the caller. Raises what reading and parsing it raise:
    OSError, UnicodeDecodeError, tomllib.TOMLDecodeError."""
    raw = path.read_bytes()
    key = hashlib.sha256(f"toml {sys.version_info[:2]}\0".encode() + raw).hexdigest()
    parsed = _PARSED.get(key)
    if parsed is None:
        kept = _across_runs[0].load(key) if _across_runs else None
        if isinstance(kept, dict):
            parsed = kept
        else:
            text = raw.decode("utf-8")
            if "\r" in text:  # as read_text reads it (universal newlines)
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            parsed = tomllib.loads(text)
            if _across_runs:
                _across_runs[0].store(key, parsed)
        _PARSED[key] = parsed
        if len(_PARSED) > _IN_PROCESS_LIMIT:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(key)
    return copy.deepcopy(parsed)
