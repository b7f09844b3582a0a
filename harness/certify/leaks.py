"""The leak scanner: proof that no secret reaches a cassette, a report or a log.

One precompiled pattern finds, in a single pass over a file's text, what
`harness.domain.sensitive` describes: card numbers (plain, grouped by spaces, dashes or dots,
glued to letters, `\\u`-escaped) that pass the Luhn check, except the providers' published test
cards and those in the connectors' certification.toml; CVC/CVV values; bearer, basic (also
URL-encoded, and base64-encoded as a server may echo them), JWT; provider secret keys by every
prefix a registered connector declares; the exact values in use in every written form.

A finding names the file and where in it (the JSON/YAML path, or the line) and what it is,
never the value. Files without a hit cost one regex pass; only a file with a hit is parsed to
name the path. `certify run` scans its report folder and the cassettes it replayed; a report
file with a finding is replaced by a stub that says what was found where (`quarantine`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import pickle
import re
import signal
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.certify.example_tapes import DigestSets
from harness.certify.tomlfiles import read_toml
from harness.domain import sensitive
from harness.domain.sensitive import (
    CVC_KEY,
    KINDS,
    MASKS,
    MIN_VALUE_LENGTH,
    PUBLISHED_TEST_CARDS,
    SensitiveText,
    luhn_valid,
    value_forms,
)

BINARY_SNIFF = 8192

__all__ = [
    "MASKS",
    "MIN_VALUE_LENGTH",
    "PUBLISHED_TEST_CARDS",
    "Leak",
    "LeakScanner",
    "luhn_valid",
    "value_forms",
]


@dataclass(frozen=True)
class Leak:
    file: str
    where: str  # "$.a.b[0]" or "line 12"
    kind: str  # what was found, never the value

    def describe(self) -> str:
        return f"{self.file}: {self.where}: {self.kind}"


class LeakScanner(SensitiveText):
    """Finds secrets in files and names where they are. `values` maps each exact value in use to a
    label naming it. Keys are found by the prefixes of every registered connector."""

    def __init__(
        self,
        values: Mapping[str, str] | Iterable[str] | None = None,
        allowed_cards: Iterable[str] = (),
        *,
        published_cards_allowed: bool = True,
        key_prefixes: Iterable[str] = (),
    ) -> None:
        from harness.integration import registry

        super().__init__(
            values,
            allowed_cards,
            published_cards_allowed=published_cards_allowed,
            key_prefixes={*registry.key_prefixes(), *key_prefixes},
        )

    def _leaf_findings(self, key: Any, value: Any) -> list[str]:
        kinds = []
        if (
            key is not None
            and CVC_KEY.fullmatch(str(key))
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
                name = self.redact(str(child_key))  # a path names where, never the secret in a key
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
        try:
            data = path.read_bytes()
        except OSError as error:
            reason = f"unreadable ({type(error).__name__}), so not proven free of secrets"
            return [Leak(name or display_path(path), "file", reason)]
        return self.scan_content(data, path, name=name)

    def scan_content(self, data: bytes, path: Path, *, name: str | None = None) -> list[Leak]:
        """`scan_file` of content already read from `path`."""
        if b"\x00" in data[:BINARY_SNIFF]:
            return []  # binary (an image): the harness writes no secret there
        text = data.decode("utf-8", errors="replace")
        if next(iter(self.findings(text)), None) is None:
            return []  # clean, the common case: its display name is never needed (a scan reads ~15,000)
        return self.scan_text(text, name=name or display_path(path), structured=kind_of(path))

    def scan_paths(self, paths: Iterable[Path]) -> list[Leak]:
        leaks: list[Leak] = []
        for path in paths:
            leaks.extend(self.scan_file(path))
        return leaks

    def fingerprint(self) -> str:
        """What decides whether a text is clean for this scanner: what its pattern is made of (every
        value in use, in every form, and every key prefix), the cards it allows, and the scanning
        code. A hash: the values themselves are never written anywhere."""
        digest = hashlib.sha256(_scanner_code_hash().encode())
        # what the pattern is compiled from, sorted (the pattern's own text follows set order)
        for part in (self._labels, self._token_labels, self.key_prefixes, self.allowed_cards):
            digest.update(b"\0" + json.dumps(sorted(part)).encode())
        return digest.hexdigest()

    def check(self, path: Path, text: str) -> list[str]:
        """For `record_scenarios(check=...)`: one line per leak in a cassette about to be written."""
        leaks = self.scan_text(text, name=display_path(path), structured="yaml")
        return [f"leak: {leak.describe()}" for leak in leaks]


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
    """The path relative to the working directory when it is inside it. Folders are resolved once
    (a run scans thousands of files in a few folders: resolving each path cost ~25% of a scan)."""
    try:
        resolved = path.resolve() if path.is_symlink() else _resolved(str(path.parent)) / path.name
        return str(resolved.relative_to(_resolved(os.getcwd())))
    except (OSError, ValueError):
        return str(path)


@functools.lru_cache(maxsize=256)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()


# ------------------------------------------------------------------ what is in use


def certification_cards(root: Path) -> set[str]:
    """The card numbers every connector's certification.toml lists (published test data)."""
    cards: set[str] = set()
    for path in sorted((root / "connectors").glob("*/certification.toml")):
        try:
            data = read_toml(path)
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
    from harness.certify.certification import load_certification
    from harness.certify.workspace import certification_path
    from harness.domain.errors import HarnessError
    from harness.integration import registry

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
            certification = load_certification(certification_path(name, root))
        except HarnessError:
            continue
        for profile_name, profile in certification.cards.items():
            values.setdefault(profile.number, f"{name} cards.{profile_name}.number")
            if profile.holder_name and holder_names:
                values.setdefault(profile.holder_name, f"{name} cards.{profile_name}.holder_name")
    return values


def artifact_files(report_dir: Path, skipped_prefix: str | None = None) -> list[Path]:
    """Every file a run leaves in its report folder (results.json, every report format, logs), but
    those under a top-level folder named with `skipped_prefix` (the previous allure-results being
    removed as the run ends: no artifact of this run)."""
    if not report_dir.is_dir():
        return []
    found: list[str] = []
    top_folder = str(report_dir)
    folders = [top_folder]
    while folders:
        top = folders.pop()
        skipped = skipped_prefix if top == top_folder else None
        try:
            entries = list(os.scandir(top))
        except OSError:  # vanished while this walks: passed over, as os.walk does
            continue
        for entry in entries:
            try:
                # the entry's own type, known from the folder listing (a link is followed: one stat)
                if entry.is_dir():
                    # a skipped folder is never entered: it may be removed while this walks
                    if not (skipped and entry.name.startswith(skipped)):
                        folders.append(entry.path)
                elif entry.is_file():
                    found.append(entry.path)
            except OSError:
                continue
    # in path order, as Paths sort (by their parts); strings sorted and made Paths once: an allure
    # folder holds a file a check (sorting ~15,000 Paths cost ~0.2 s)
    return [Path(path) for path in sorted(found, key=lambda path: path.split(os.sep))]


# cassettes found clean by a scanner of the same fingerprint in earlier runs (see `scan_run_artifacts`)
CLEAN_FILES = "clean-files"
_CLEAN = DigestSets(CLEAN_FILES, limit=200_000)


@functools.cache
def _scanner_code_hash() -> str:
    digest = hashlib.sha256()
    for module in (__file__, sensitive.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def _content_digest(path: Path) -> bytes | None:
    try:
        return _digest_of(path.read_bytes())
    except OSError:
        return None  # scanned all the same: scan_file names it as unreadable


def report_scanner(names: Iterable[str], root: Path) -> LeakScanner:
    """The scanner of a run's report folder: every value in use by the connectors of the run. One
    report holds every connector: test holder names are checked per connector by the suite's
    secrets:masked check instead."""
    return LeakScanner(
        values_in_use(list(names), root, holder_names=False), allowed_cards=certification_cards(root)
    )


class EarlyScan:
    """Files of the report folder scanned in a forked process while the run goes on: `certify run`
    scans its allure results (a file a check, final once the folder is swapped in) and results.json
    as the suite left it while it renders the other reports. A `changing` file is read now and its
    early leaks stand only if it still holds the same content when the scan is read (rendering
    rewrites results.json, most often with the same bytes). The child inherits the scanner, and the
    secret values it looks for, in memory, and sends back only the leaks (where and what, never a
    value). Without fork, or with fewer than two files, nothing starts: `scan_run_artifacts` then
    scans every file itself."""

    def __init__(self, scanner: LeakScanner, paths: list[Path], *, changing: Iterable[Path] = ()) -> None:
        self.scanner = scanner
        self.paths: list[Path] = []
        self._digests: dict[Path, bytes] = {}  # a changing file -> the digest of the content scanned
        self._child: tuple[int, int] | None = None  # (pid, read end of its pipe)
        contents: dict[Path, bytes] = {}
        for path in changing:
            with contextlib.suppress(OSError):  # unreadable now: scanned at the end, as it is then
                contents[path] = path.read_bytes()
        if len(paths) + len(contents) < 2 or not hasattr(os, "fork"):
            return
        # one child for every file: rendering, the main process's work meanwhile, needs the other core
        chunk = [*paths, *contents]
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: scan, send the leaks, end at once (no cleanup of the parent's)
            status = 1
            try:
                os.close(read)
                found = [
                    scanner.scan_content(contents[path], path)
                    if path in contents
                    else scanner.scan_file(path)
                    for path in chunk
                ]
                with os.fdopen(write, "wb") as out:
                    out.write(pickle.dumps(found))
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._child = (pid, read)
        self.paths = chunk
        self._digests = {path: _digest_of(data) for path, data in contents.items()}

    def standing(self) -> list[Path]:
        """The files whose early leaks stand: the final ones, and the changing ones that still hold
        the content scanned (the others are scanned again, as they are now)."""
        return [p for p in self.paths if p not in self._digests or _content_digest(p) == self._digests[p]]

    def leaks(self) -> dict[Path, list[Leak]]:
        """Each file's leaks, once the child is done; scanned here if the child failed."""
        found: list[list[Leak]] | None = None
        if self._child is not None:
            pid, read = self._child
            self._child = None
            with os.fdopen(read, "rb") as source:
                data = source.read()
            _, status = os.waitpid(pid, 0)
            if status == 0:
                with contextlib.suppress(Exception):  # cut short: scanned again below
                    found = pickle.loads(data)
        if found is None or len(found) != len(self.paths):
            found = [self.scanner.scan_file(path) for path in self.paths]
        return dict(zip(self.paths, found, strict=True))

    def abandon(self) -> None:
        """The run failed before the scan was read: the child is ended and waited for."""
        if self._child is not None:
            pid, read = self._child
            self._child = None
            os.close(read)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


def _digest_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def scan_run_artifacts(
    report_dir: Path,
    names: Iterable[str],
    *,
    root: Path,
    processes: int = 1,
    cache_dir: Path | None = None,
    skipped_prefix: str | None = None,
    early: EarlyScan | None = None,
) -> list[Leak]:
    """Leaks in every file of the report folder, then in the cassettes of the certified connectors
    (a cassette that holds a secret fails the run even when every report masks it). `processes`
    above 1 (a run given `-n`) scans the files in that many forked processes; the leaks are the
    same, in the same order. Top-level folders named with `skipped_prefix` are not scanned (see
    `artifact_files`).

    With a `cache_dir`, a cassette whose content a scanner of the same fingerprint found clean in an
    earlier run is not scanned again (the reports change every run and are always scanned). Only
    clean verdicts are kept, as digests of the content read before and after the scan; a cassette
    with a finding is scanned in every run.

    The files of an `early` scan (made with this run's `report_scanner`) are not scanned again:
    their leaks are read from it, in their place among the others."""
    names = list(names)
    allowed = certification_cards(root)
    _CLEAN.keep(cache_dir)
    scanner = early.scanner if early is not None else report_scanner(names, root)
    files = artifact_files(report_dir, skipped_prefix)
    scanned_early = set(early.standing()) if early is not None else set()
    jobs = [(scanner, [path for path in files if path not in scanned_early])]
    judged: list[tuple[str, Path, bytes | None]] = []  # cassettes scanned now: (set, file, content digest)
    for name in names:
        cassettes = sorted((root / "cassettes" / name).glob("**/*.yaml"))
        if not cassettes:
            continue
        own = LeakScanner(values_in_use([name], root), allowed_cards=allowed)  # as `cassettes check`
        if _CLEAN.kept:
            clean_set = own.fingerprint()
            unknown = [
                (path, d)
                for path in cassettes
                if (d := _content_digest(path)) is None or not _CLEAN.known(clean_set, d)
            ]
            judged += [(clean_set, path, d) for path, d in unknown]
            cassettes = [path for path, _ in unknown]
        if cassettes:
            jobs.append((own, cassettes))
    found = scan_tasks(jobs, processes)
    early_found = early.leaks() if early is not None else {}  # a file's leaks from the early scan
    later = iter(found[: len(jobs[0][1])])  # the report files, in order, but those scanned early
    leaks = [leak for path in files for leak in (early_found[path] if path in scanned_early else next(later))]
    leaks += [leak for file_leaks in found[len(jobs[0][1]) :] for leak in file_leaks]  # the cassettes
    leaky = {leak.file for leak in leaks}
    for clean_set, path, digest in judged:
        if digest is not None and display_path(path) not in leaky and _content_digest(path) == digest:
            _CLEAN.remember(clean_set, digest)
    return leaks


# the scanners of the scan under way, for the forked processes: they inherit them (and the secret
# values they look for) in memory, so no value is ever pickled or sent through a pipe
_JOBS: list[tuple[LeakScanner, list[Path]]] = []


def scan_jobs(jobs: list[tuple[LeakScanner, list[Path]]], processes: int = 1) -> list[Leak]:
    """Each job's files scanned with its scanner, the leaks in job and file order; over `processes`
    forked processes (the files shared out by size) when more than one is given and can be forked."""
    return [leak for file_leaks in scan_tasks(jobs, processes) for leak in file_leaks]


def scan_tasks(jobs: list[tuple[LeakScanner, list[Path]]], processes: int = 1) -> list[list[Leak]]:
    """`scan_jobs`, the leaks of each file apart (in job and file order)."""
    tasks = [(j, path) for j, (_, paths) in enumerate(jobs) for path in paths]
    if processes < 2 or len(tasks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [jobs[j][0].scan_file(path) for j, path in tasks]
    chunks: list[list[tuple[int, int, Path]]] = [[] for _ in range(min(processes, len(tasks)))]
    loads = [0] * len(chunks)
    by_size = sorted(range(len(tasks)), key=lambda i: -_size(tasks[i][1]))
    for index in by_size:  # the largest file first, each to the least loaded process
        lightest = loads.index(min(loads))
        chunks[lightest].append((index, *tasks[index]))
        loads[lightest] += _size(tasks[index][1]) + 4096  # a file costs its opening too
    _JOBS[:] = jobs
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
            found = dict(pair for chunk in pool.map(_scan_chunk, chunks) for pair in chunk)
    finally:
        _JOBS.clear()
    return [found[index] for index in range(len(tasks))]


def _scan_chunk(chunk: list[tuple[int, int, Path]]) -> list[tuple[int, list[Leak]]]:
    return [(index, _JOBS[j][0].scan_file(path)) for index, j, path in chunk]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # scanned all the same: scan_file names it as unreadable


STUB_NOTE = (
    "certify withheld this file: the leak scan found secrets in it. What was found where "
    "(never the value) is listed below; fix the connector or the cassette and run again."
)


def quarantine(leaks: Iterable[Leak], report_dir: Path) -> list[Path]:
    """Replace each file of `report_dir` with a leak by a stub that says what was found where, so
    nothing leaky stays on disk (or is uploaded by CI). Files outside it (cassettes) are left for
    their author to scrub. Returns the replaced files."""
    folder = report_dir.resolve()
    found: dict[Path, list[Leak]] = {}
    for leak in leaks:
        path = Path(leak.file).resolve()  # Leak.file is the path as scanned, relative to the cwd
        if path.is_relative_to(folder) and path.is_file():
            found.setdefault(path, []).append(leak)
    for path, file_leaks in found.items():
        places = [{"where": leak.where, "kind": leak.kind} for leak in file_leaks]
        if path.suffix.lower() == ".json":
            text = json.dumps({"withheld": STUB_NOTE, "leaks": places}, indent=2) + "\n"
        else:
            text = "\n".join([STUB_NOTE, *(f"- {p['where']}: {p['kind']}" for p in places)]) + "\n"
        path.write_text(text, encoding="utf-8")
    return list(found)
