"""Example tapes: the examples hypothesis generated for a property, kept by content, replayed later.

Under the derandomized `ci` profile hypothesis draws the same examples for the same strategy every
time; generating them (above all JSON bodies from a spec's schemas) is most of a property's cost.
A passing run records its examples under a key made of everything that decides them: the strategy's
text (lambdas included, as source), the context its filters read (the facts' currency table and the
default currency), the number of examples, hypothesis's version and the source of the modules the
strategies come from. A later run with the same key calls the property on the recorded examples in
order, without generating anything. Power is unchanged by construction: the property sees the same
examples hypothesis would generate; when one of them fails, the caller runs hypothesis as before,
which finds that failure again and minimizes it.

Tapes are keyed by content, never by connector name (a mutant and its original share a name), so
connectors of the same shape share them. The folder is a cache: safe to delete at any time; a tape
that cannot be read is treated as absent. Only harness types and builtins are unpickled.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import enum
import functools
import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

TAPES = "example-tapes"
CACHE_ENV = "CERTIFY_CACHE_DIR"  # where tapes live; "off" disables them
MAX_TAPE_BYTES = 32 * 1024 * 1024

# the modules whose code shapes what a strategy generates (their lambdas appear in a strategy's
# text only as source, so a change to a helper they call must change the key too)
_SHAPING_MODULES = (
    "harness.certify.strategies",
    "harness.certify.schema_strategies",
    "harness.certify.properties",
    "harness.domain.money",
    "harness.domain.currency",
    "harness.domain.amounts",
)

_ALLOWED = {
    ("harness.domain.money", "MinorUnit"),
    ("harness.domain.currency", "Currency"),
    ("decimal", "Decimal"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
    ("builtins", "frozenset"),
    ("builtins", "set"),
    ("builtins", "complex"),
}


def cache_root(project_root: Path) -> Path | None:
    """The cache folder: $CERTIFY_CACHE_DIR (or none when it says "off"), else the project's."""
    configured = os.environ.get(CACHE_ENV)
    if configured == "off":
        return None
    return Path(configured) if configured else project_root / ".certify-cache"


def environment_cache_dir() -> Path | None:
    """$CERTIFY_CACHE_DIR when it names a folder: the default of in-process sessions (the test suite
    sets it; `certify run` falls back to the project's folder, see cache_root)."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured and configured != "off" else None


@functools.cache
def modules_hash(names: tuple[str, ...]) -> str:
    """A digest of the source of these modules: part of the key of anything they decide."""
    import importlib

    digest = hashlib.sha256()
    for name in names:
        module = importlib.import_module(name)
        digest.update(Path(module.__file__ or "").read_bytes() if module.__file__ else name.encode())
    return digest.hexdigest()


@functools.cache
def _shaping_source_hash() -> str:
    import hypothesis

    return hashlib.sha256(f"{hypothesis.__version__} {modules_hash(_SHAPING_MODULES)}".encode()).hexdigest()


def canonical(value: Any) -> str:
    """A text of a value that is the same in every process (sets sorted, dataclasses by field)."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ", ".join(f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({fields})"
    if isinstance(value, Mapping):
        items = sorted((canonical(k), canonical(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(canonical(v) for v in value) + "]"
    return repr(value)


def tape_key(strategy: Any, context: str, max_examples: int, *, content: str | None = None) -> str | None:
    """The content key of a strategy's examples, or None when its text does not pin them down.

    `content`, when given, is what decides the strategy, in place of its text (printing a strategy
    made from a large schema takes longer than generating from it).
    """
    text = content if content is not None else repr(strategy)
    if " at 0x" in text:  # an object shown by its address: its content is not in the text
        return None
    digest = hashlib.sha256()
    for part in (_shaping_source_hash(), str(max_examples), context, text):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class _HarnessUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the certify cache")
        return super().find_class(module, name)


def write_whole(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all, even with runs writing it side by side (a temporary
    sibling renamed over it). Raises OSError; callers treat a cache they cannot write as absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".part-", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)


class DigestSets:
    """Sets of 16-byte digests of what was found good (valid, clean) in earlier runs, one set per name
    in one folder of the cache. Only good verdicts are kept: what is not known is judged again, so
    every finding is the judge's own, never the cache's. A set is read on first use and written back
    (merged with what other processes wrote meanwhile) when the process ends or the cache folder
    changes; a set that cannot be read or written costs time, never a result. A set past `limit`
    digests starts again from what this process added."""

    def __init__(self, folder: str, limit: int) -> None:
        self.folder_name = folder
        self.limit = limit
        self._folder: Path | None = None
        self._sets: dict[str, set[bytes]] = {}
        self._added: dict[str, set[bytes]] = {}
        self._flushed_at_exit = False

    def keep(self, cache_dir: Path | None) -> None:
        folder = cache_dir / self.folder_name if cache_dir is not None else None
        if folder == self._folder:
            return
        self.flush()
        self._folder, self._sets, self._added = folder, {}, {}

    @property
    def kept(self) -> bool:
        return self._folder is not None

    def _read(self, name: str) -> set[bytes]:
        assert self._folder is not None
        try:
            raw = (self._folder / f"{name}.digests").read_bytes()
        except OSError:
            return set()
        if len(raw) % 16:
            return set()  # cut short: made again
        return {raw[i : i + 16] for i in range(0, len(raw), 16)}

    def _loaded(self, name: str) -> set[bytes]:
        if name not in self._sets:
            self._sets[name] = self._read(name)
            self._added[name] = set()
        return self._sets[name]

    def known(self, name: str, digest: bytes) -> bool:
        return self._folder is not None and digest in self._loaded(name)

    def remember(self, name: str, digest: bytes) -> None:
        if self._folder is None:
            return
        self._loaded(name).add(digest)
        self._added[name].add(digest)
        if not self._flushed_at_exit:  # once a process has something to write
            atexit.register(self.flush)
            self._flushed_at_exit = True

    def flush(self) -> None:
        if self._folder is None:
            return
        for name, added in self._added.items():
            if not added:
                continue
            merged = self._read(name) | added
            if len(merged) > self.limit:
                merged = added
            with contextlib.suppress(OSError):  # a set that cannot be written costs time, never a result
                write_whole(self._folder / f"{name}.digests", b"".join(sorted(merged)))
            added.clear()


class ContentStore:
    """Values kept by content key in one folder of the cache; only `allowed` classes are unpickled."""

    def __init__(self, root: Path, folder: str, allowed: frozenset[tuple[str, str]]) -> None:
        self.folder = root / folder
        self.allowed = allowed

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def load(self, key: str) -> Any | None:
        # a string path and one open: a replay reads a kept cassette for every scenario it runs
        path = os.path.join(self.folder, key[:2], f"{key}.pickle")
        try:
            with open(path, "rb") as handle:
                if os.fstat(handle.fileno()).st_size > MAX_TAPE_BYTES:
                    return None
                data = handle.read()
            return _HarnessUnpickler(data, self.allowed).load()
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, IndexError):
            return None  # absent or unreadable: made again

    def store(self, key: str, value: Any) -> None:
        path = self._path(key)
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) > MAX_TAPE_BYTES:
                return
            write_whole(path, data)
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return  # a cache that cannot be written costs time, never a result


class KeptParses:
    """YAML files parsed in earlier runs, kept by their bytes in one folder of the cache (parsed
    cassettes, parsed specs): parsing is most of what reading them costs, and they change far less
    often than they are read. `keep` points it at this run's cache folder (None: parse every time).
    `salt` is what else decides the kept value (the source of the code that made it from the YAML)."""

    def __init__(
        self, folder: str, allowed: frozenset[tuple[str, str]], salt: Callable[[], str] | None = None
    ) -> None:
        self.folder = folder
        self.allowed = allowed
        self.salt = salt
        self._store: ContentStore | None = None

    def keep(self, cache_dir: Path | None) -> None:
        self._store = ContentStore(cache_dir, self.folder, self.allowed) if cache_dir is not None else None

    def key(self, raw: bytes) -> str:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader).__name__
        salt = f" {self.salt()}" if self.salt is not None else ""
        return hashlib.sha256(f"yaml {yaml.__version__} {loader}{salt}\0".encode() + raw).hexdigest()

    def load(self, raw: bytes) -> Any | None:
        return self._store.load(self.key(raw)) if self._store is not None else None

    def store(self, raw: bytes, value: Any) -> None:
        if self._store is not None:
            self._store.store(self.key(raw), value)


class TapeStore(ContentStore):
    """The example tapes of one cache folder."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, TAPES, frozenset(_ALLOWED))

    def load(self, key: str) -> list[dict[str, Any]] | None:
        examples = super().load(key)
        if not isinstance(examples, list) or not all(isinstance(case, dict) for case in examples):
            return None
        return examples
