"""Loading a cassette (size and alias limits, structure and types checked, provenance parsed) and
replaying it: `ReplayTransport` answers from it as vcrpy's record mode `none` would (each recorded
interaction played once, the first unplayed one that matches), no socket opened.

A cassette is made ready once per content: checked, its provenance read, its requests split into
what matching compares and its answers into responses. The ready form is kept in the cache folder
(`ready-cassettes/`, by the file's bytes and the code that reads it), so a later run reads neither
the YAML nor the checks again; each load only starts a fresh count of what has been played.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.certify.cassettes.format import SAFE_SERIALIZER, CassetteError, type_name
from harness.certify.cassettes.matching import (
    Matcher,
    RecordedRequest,
    body_matcher,
    headers_matcher,
    method_matcher,
    url_matcher,
)
from harness.certify.cassettes.provenance import Provenance, parse_provenance
from harness.certify.cassettes.scrubbing import recorded_form, recorded_url
from harness.certify.example_tapes import KeptParses, modules_hash
from harness.domain.errors import HarnessError
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse


class ReplayMismatch(HarnessError):
    """The connector sent a request that no unplayed recorded interaction matches."""


@dataclass(frozen=True)
class ReadyCassette:
    """A cassette checked and made ready to match, shared by every load of the same content."""

    provenance: Provenance
    exchanges: tuple[tuple[RecordedRequest, HttpResponse], ...]


@dataclass
class LoadedCassette:
    """One load of a cassette: its ready exchanges, how this load matches, what it has played."""

    path: Path
    provenance: Provenance
    exchanges: tuple[tuple[RecordedRequest, HttpResponse], ...]
    match_on: tuple[Matcher, ...]
    play_counts: list[int]

    @property
    def interactions(self) -> int:
        return len(self.exchanges)

    def unplayed(self) -> list[str]:
        return [
            f"#{index + 1} {request.method} {request.path}"
            for index, (request, _) in enumerate(self.exchanges)
            if not self.play_counts[index]
        ]

    def recorded_exchanges(self) -> list[tuple[RecordedRequest, HttpResponse]]:
        return list(self.exchanges)


_READY: OrderedDict[tuple[str, int, int], ReadyCassette] = OrderedDict()
PARSE_CACHE_SIZE = 1024
MAX_CASSETTE_BYTES = 4 * 1024 * 1024  # the shipped cassettes are a few kB; a recorded body is rarely 100 kB
MAX_CASSETTE_NODES = 100_000  # values after alias expansion: a YAML alias bomb expands to billions


def _ready(path: Path) -> ReadyCassette:
    """The ready form of a cassette, cached per process by path, size and modification time (a run
    reads each cassette for the report's provenance list, for its scenario, some for a check) and
    across runs by content. Documents over `MAX_CASSETTE_BYTES`, or over `MAX_CASSETTE_NODES`
    once aliases are expanded, are refused before anything walks them."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    ready = _READY.get(key)
    if ready is not None:
        _READY.move_to_end(key)
        return ready
    if stat.st_size > MAX_CASSETTE_BYTES:
        raise CassetteError(
            f"{stat.st_size} bytes, over the {MAX_CASSETTE_BYTES} a cassette may have",
            path=str(path),
            hint="trim the recorded bodies, or split the scenario",
        )
    raw = path.read_bytes()
    ready = _from_kept(_ACROSS_RUNS.load(raw))
    if ready is None:
        plain = _checked(path, _parse(path, raw))
        ready = _from_kept(plain)
        assert ready is not None, "a checked cassette is always ready"
        _ACROSS_RUNS.store(raw, plain)
    _READY[key] = ready
    if len(_READY) > PARSE_CACHE_SIZE:
        _READY.popitem(last=False)
    return ready


def _parse(path: Path, raw: bytes) -> Any:
    try:
        data = SAFE_SERIALIZER.deserialize(raw.decode("utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CassetteError(
            f"not valid safe YAML{where} ({type(error).__name__})",
            path=str(path),
            hint="re-record it with `certify record`, or fix it by hand",
        ) from None
    except UnicodeDecodeError as error:
        raise CassetteError(f"unreadable ({type(error).__name__})", path=str(path)) from None
    except RecursionError:
        raise CassetteError(
            "nested too deeply to be a cassette", path=str(path), hint="re-record it"
        ) from None
    if expanded_size(data, MAX_CASSETTE_NODES) > MAX_CASSETTE_NODES:
        raise CassetteError(
            f"over {MAX_CASSETTE_NODES} values once its YAML aliases are expanded (an alias bomb?)",
            path=str(path),
            hint="cassettes need no anchors or aliases: re-record it with `certify record`",
        )
    return data


def expanded_size(tree: Any, limit: int) -> int:
    """How many values `tree` holds with every shared (aliased) node counted each time it is used;
    stops counting past `limit`. Linear in the distinct nodes; a cycle counts as over the limit."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        ident = id(node)
        if ident in sizes:
            return sizes[ident]
        if ident in active:
            return limit + 1  # a recursive alias never ends
        active.add(ident)
        total = 1
        for child in node.items() if isinstance(node, dict) else node:
            total += size(child[1]) + 1 if isinstance(node, dict) else size(child)
            if total > limit:
                break
        active.discard(ident)
        sizes[ident] = total
        return total

    return size(tree)


def clear_parse_cache() -> None:
    _READY.clear()


# cassettes made ready in earlier runs, by content (see harness/certify/example_tapes.py): parsing the
# YAML and checking it is most of a replay's cost, and a cassette changes far less often than it is
# replayed. The key holds the source of the code that reads a cassette.
READY_CASSETTES = "ready-cassettes"
_YAML_DATA = frozenset(
    {
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
    }
)
_READING_MODULES = (
    "harness.certify.cassettes.replay",
    "harness.certify.cassettes.provenance",
    "harness.certify.cassettes.format",
)
_ACROSS_RUNS = KeptParses(READY_CASSETTES, _YAML_DATA, salt=lambda: modules_hash(_READING_MODULES))


def keep_parsed_cassettes(cache_dir: Path | None) -> None:
    """Keep ready cassettes under `cache_dir` across runs (None: read and check in every process)."""
    _ACROSS_RUNS.keep(cache_dir)


HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def _header_problem(headers: Any) -> str | None:
    if not isinstance(headers, Mapping):
        return f"must be a mapping of header names to values, not {type_name(headers)}"
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        if not isinstance(name, str) or not all(isinstance(v, str | int) for v in values):
            return f"{name}: must be text or a list of text, not {type_name(value)}"
    return None


def interaction_problem(interaction: Any) -> str | None:
    """The first field of a recorded interaction with the wrong shape or type, as `field: problem`."""
    if not isinstance(interaction, Mapping):
        return f"must be a mapping with request and response, not {type_name(interaction)}"
    request, response = interaction.get("request"), interaction.get("response")
    if not isinstance(request, Mapping):
        return f"request: must be a mapping, not {type_name(request)}"
    if not isinstance(response, Mapping):
        return f"response: must be a mapping, not {type_name(response)}"
    method, uri = request.get("method"), request.get("uri")
    if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
        return f"request.method: must be an HTTP method, not {type_name(method)}"
    if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
        return f"request.uri: must be an http(s) URL, not {type_name(uri)}"
    if not isinstance(request.get("body"), str | bytes | type(None)):
        return f"request.body: must be text, not {type_name(request.get('body'))}"
    problem = _header_problem(request.get("headers", {}))
    if problem:
        return f"request.headers: {problem}"
    status = response.get("status")
    code = status.get("code") if isinstance(status, Mapping) else None
    if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 599:
        return f"response.status.code: must be an HTTP status code, not {type_name(code)}"
    problem = _header_problem(response.get("headers", {}))
    if problem:
        return f"response.headers: {problem}"
    body = response.get("body")
    if not isinstance(body, Mapping):
        return f"response.body: must be a mapping with a string, not {type_name(body)}"
    if not isinstance(body.get("string"), str | bytes | type(None)):
        return f"response.body.string: must be text, not {type_name(body.get('string'))}"
    return None


def load_cassette(
    path: Path,
    *,
    volatile: Iterable[str] = (),
    volatile_headers: Iterable[str] = (),
    compare_headers: bool = True,
) -> LoadedCassette:
    """Load with the safe loader and check structure, types and provenance; errors name the file and field.

    Replay matches method, URL, body (`volatile`: body paths ignored) and request headers
    (`volatile_headers`: compared by presence only; `compare_headers=False` for a check that
    judges the headers itself and needs every step of the chain sent)."""
    try:
        ready = _ready(path)
    except (CassetteError, FileNotFoundError):
        raise
    except IsADirectoryError:
        raise FileNotFoundError(str(path)) from None
    except OSError as error:
        raise CassetteError(f"unreadable ({type(error).__name__})", path=str(path)) from None
    except Exception as error:  # any other surprise in a hand-edited file is still the cassette's
        raise CassetteError(
            f"malformed ({type(error).__name__}: {str(error)[:120]})", path=str(path), hint="re-record it"
        ) from None
    match_on: tuple[Matcher, ...] = (method_matcher, url_matcher, body_matcher(tuple(volatile)))
    if compare_headers:
        match_on += (headers_matcher(tuple(volatile_headers)),)
    return LoadedCassette(
        path=path,
        provenance=ready.provenance,
        exchanges=ready.exchanges,
        match_on=match_on,
        play_counts=[0] * len(ready.exchanges),
    )


def _checked(path: Path, data: Any) -> tuple[Any, ...]:
    """The parsed document checked field by field, in the plain form that is kept across runs:
    the provenance's fields, then each interaction's request and answer."""
    if not isinstance(data, Mapping) or not isinstance(data.get("interactions"), list):
        raise CassetteError(
            "not a vcrpy cassette (no interactions list)", path=str(path), hint="re-record it"
        )
    if data.get("version") != 1:
        raise CassetteError(
            "unsupported cassette format version", path=str(path), hint="vcrpy format version 1"
        )
    provenance = parse_provenance(data.get("metadata"), path=path)
    interactions = []
    for number, interaction in enumerate(data["interactions"]):
        problem = interaction_problem(interaction)
        if problem:
            raise CassetteError(
                f"interactions[{number}].{problem}",
                path=str(path),
                hint="re-record it with `certify record`, or fix the field by hand",
            )
        request, response = interaction["request"], interaction["response"]
        body = request.get("body")
        answer = response["body"]["string"]
        interactions.append(
            (
                request["method"],
                request["uri"],
                body.encode() if isinstance(body, str) else body,
                dict(request.get("headers") or {}),
                int(response["status"]["code"]),
                (answer.encode() if isinstance(answer, str) else answer) or b"",
                _flat_headers(response.get("headers") or {}),
            )
        )
    fields = (provenance.kind, provenance.date, provenance.api_version, provenance.sources, provenance.note)
    return (fields, tuple(interactions))


def _from_kept(plain: Any) -> ReadyCassette | None:
    """The ready cassette of a checked plain form (None for anything else: a cache file that is not one)."""
    if not isinstance(plain, tuple) or len(plain) != 2:
        return None
    try:
        fields, interactions = plain
        exchanges = tuple(
            (
                RecordedRequest(method, uri, body, headers),
                HttpResponse(status_code=status, body=answer, headers=answer_headers),
            )
            for method, uri, body, headers, status, answer, answer_headers in interactions
        )
        return ReadyCassette(provenance=Provenance(*fields), exchanges=exchanges)
    except (TypeError, ValueError, AttributeError):
        return None


def _flat_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) and v else str(v)) for k, v in headers.items()}


class ReplayTransport(BaseTransport):
    """Answers from a cassette; an unmatched request raises `ReplayMismatch` naming the closest one."""

    def __init__(self, loaded: LoadedCassette) -> None:
        self.loaded = loaded
        self.sent: list[HttpRequest] = []
        # whether the n-th request was answered by the n-th interaction, every time: then a replay
        # matching on fewer fields (no headers) answers each request with the same interaction
        # (the first unplayed one that matches, which is the n-th), so its run would be this one
        self.in_order = True

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        body, headers = recorded_form(request)
        sent = RecordedRequest(request.method.value, recorded_url(request.url), body, headers)
        index = self._play(sent)
        if index is None:
            self.in_order = False
            raise ReplayMismatch(self._mismatch(sent), path=str(self.loaded.path))
        self.in_order = self.in_order and index == len(self.sent) - 1
        answer = self.loaded.exchanges[index][1]
        # a response of its own: the ready one is shared by every load of the cassette
        return HttpResponse(answer.status_code, answer.body, dict(answer.headers))

    def _play(self, request: RecordedRequest) -> int | None:
        """The first unplayed interaction whose recorded request matches, marked played (what vcrpy's
        `play_response` does in record mode none, without playback repeats); a request's matchers
        stop at the first that fails."""
        loaded = self.loaded
        counts = loaded.play_counts
        for index, (stored, _) in enumerate(loaded.exchanges):
            if counts[index]:
                continue
            try:
                for matcher in loaded.match_on:
                    matcher(request, stored)
            except AssertionError:
                continue
            counts[index] += 1
            return index
        return None

    def _mismatch(self, request: RecordedRequest) -> str:
        """What the closest recorded request (played or not; the most matchers passed, the first
        of equals) says about this one."""
        cassette = f"{self.loaded.path.parent.name}/{self.loaded.path.name}"
        where = f"no unplayed recorded request matches {request.method} {request.uri} in {cassette}"
        best: tuple[int, int, RecordedRequest, list[str]] | None = None
        for index, (stored, _) in enumerate(self.loaded.exchanges):
            failures = []
            for matcher in self.loaded.match_on:
                try:
                    matcher(request, stored)
                except AssertionError as error:
                    failures.append(str(error))
            passed = len(self.loaded.match_on) - len(failures)
            if passed >= 1 and (best is None or passed > best[0]):
                best = (passed, index, stored, failures)
        if best is None:
            return f"{where}; nothing recorded is close"
        _passed, index, stored, failures = best
        reasons = "; ".join(failures) or "it was already played"
        return f"{where}; closest is interaction #{index + 1} ({stored.method} {stored.path}): {reasons}"
