"""Loading a cassette (size and alias limits, structure and types checked, provenance parsed) and
replaying it: `ReplayTransport` answers from it with vcrpy's record mode `none`, no socket opened.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from harness.certify.cassettes.format import SAFE_SERIALIZER, CassetteError, type_name
from harness.certify.cassettes.matching import body_matcher, headers_matcher, method_matcher, url_matcher
from harness.certify.cassettes.provenance import Provenance, parse_provenance
from harness.certify.cassettes.scrubbing import (
    recorded_form,
    recorded_url,
)
from harness.certify.example_tapes import KeptParses
from harness.domain.errors import HarnessError
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse


class ReplayMismatch(HarnessError):
    """The connector sent a request that no unplayed recorded interaction matches."""


@dataclass
class LoadedCassette:
    path: Path
    provenance: Provenance
    cassette: Cassette

    @property
    def interactions(self) -> int:
        return len(self.cassette.data)

    def unplayed(self) -> list[str]:
        return [
            f"#{index + 1} {request.method} {urlsplit(request.uri).path}"
            for index, (request, _) in enumerate(self.cassette.data)
            if not self.cassette.play_counts[index]
        ]

    def recorded_exchanges(self) -> list[tuple[VcrRequest, dict[str, Any]]]:
        return list(self.cassette.data)


_PARSED: OrderedDict[tuple[str, int, int], Any] = OrderedDict()
PARSE_CACHE_SIZE = 1024
MAX_CASSETTE_BYTES = 4 * 1024 * 1024  # the shipped cassettes are a few kB; a recorded body is rarely 100 kB
MAX_CASSETTE_NODES = 100_000  # values after alias expansion: a YAML alias bomb expands to billions


def _parse(path: Path) -> Any:
    """The parsed YAML of a cassette, cached per process by path, size and modification time
    (a run reads each cassette twice: for the report's provenance list and for its scenario).
    Documents over `MAX_CASSETTE_BYTES`, or over `MAX_CASSETTE_NODES` once aliases are expanded,
    are refused before anything walks them."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return _PARSED[key]
    if stat.st_size > MAX_CASSETTE_BYTES:
        raise CassetteError(
            f"{stat.st_size} bytes, over the {MAX_CASSETTE_BYTES} a cassette may have",
            path=str(path),
            hint="trim the recorded bodies, or split the scenario",
        )
    raw = path.read_bytes()
    data = _ACROSS_RUNS.load(raw)
    if data is None:
        data = SAFE_SERIALIZER.deserialize(raw.decode("utf-8"))
        if expanded_size(data, MAX_CASSETTE_NODES) > MAX_CASSETTE_NODES:
            raise CassetteError(
                f"over {MAX_CASSETTE_NODES} values once its YAML aliases are expanded (an alias bomb?)",
                path=str(path),
                hint="cassettes need no anchors or aliases: re-record it with `certify record`",
            )
        _ACROSS_RUNS.store(raw, data)
    _PARSED[key] = data
    if len(_PARSED) > PARSE_CACHE_SIZE:
        _PARSED.popitem(last=False)
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
    _PARSED.clear()
    _READY.clear()


# cassettes parsed in earlier runs, by content (see harness/certify/example_tapes.py): YAML parsing is
# most of a replay's cost, and a cassette changes far less often than it is replayed
PARSED_CASSETTES = "parsed-cassettes"
_YAML_DATA = frozenset(
    {
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "bytes"),
    }
)


_ACROSS_RUNS = KeptParses(PARSED_CASSETTES, _YAML_DATA)


def keep_parsed_cassettes(cache_dir: Path | None) -> None:
    """Keep parsed cassettes under `cache_dir` across runs (None: parse in every process)."""
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
    if not path.is_file():
        raise FileNotFoundError(str(path))
    try:
        return _load(path, tuple(volatile), tuple(volatile_headers) if compare_headers else None)
    except (CassetteError, FileNotFoundError):
        raise
    except Exception as error:  # any other surprise in a hand-edited file is still the cassette's
        raise CassetteError(
            f"malformed ({type(error).__name__}: {str(error)[:120]})", path=str(path), hint="re-record it"
        ) from None


def _load(path: Path, volatile: Iterable[str], volatile_headers: Iterable[str] | None) -> LoadedCassette:
    try:
        data = _parse(path)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CassetteError(
            f"not valid safe YAML{where} ({type(error).__name__})",
            path=str(path),
            hint="re-record it with `certify record`, or fix it by hand",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CassetteError(f"unreadable ({type(error).__name__})", path=str(path)) from None
    except RecursionError:
        raise CassetteError(
            "nested too deeply to be a cassette", path=str(path), hint="re-record it"
        ) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("interactions"), list):
        raise CassetteError(
            "not a vcrpy cassette (no interactions list)", path=str(path), hint="re-record it"
        )
    if data.get("version") != 1:
        raise CassetteError(
            "unsupported cassette format version", path=str(path), hint="vcrpy format version 1"
        )
    provenance, interactions = _ready(path, data)
    cassette = Cassette(
        path=str(path),
        serializer=SAFE_SERIALIZER,
        record_mode=RecordMode.NONE,
        match_on=(method_matcher, url_matcher, body_matcher(volatile))
        + ((headers_matcher(volatile_headers),) if volatile_headers is not None else ()),
        allow_playback_repeats=False,
    )
    for request, recorded in interactions:
        body = recorded["body"]["string"]
        # a fresh response per load: the parsed document is shared through the parse cache
        response = {**recorded, "body": {"string": body.encode() if isinstance(body, str) else body}}
        cassette.data.append((request, response))
        cassette._old_interactions.append((request, response))
    cassette.rewound = True
    cassette.dirty = False
    return LoadedCassette(path=path, provenance=provenance, cassette=cassette)


# a parsed cassette made ready to replay, once per parsed document in a process (a run loads each
# cassette for the report's list and for its scenario, some again for a check): checked field by
# field, its provenance read, its recorded requests built (matching caches their decoded bodies)
_READY: OrderedDict[int, tuple[Any, Provenance, list[tuple[VcrRequest, Mapping[str, Any]]]]] = OrderedDict()


def _ready(path: Path, data: Any) -> tuple[Provenance, list[tuple[VcrRequest, Mapping[str, Any]]]]:
    kept = _READY.get(id(data))
    if kept is not None and kept[0] is data:
        return kept[1], kept[2]
    provenance = parse_provenance(data.get("metadata"), path=path)
    interactions = []
    for number, interaction in enumerate(data["interactions"], start=1):
        problem = interaction_problem(interaction)
        if problem:
            raise CassetteError(
                f"interactions[{number - 1}].{problem}",
                path=str(path),
                hint="re-record it with `certify record`, or fix the field by hand",
            )
        interactions.append((VcrRequest._from_dict(interaction["request"]), interaction["response"]))
    _READY[id(data)] = (data, provenance, interactions)
    if len(_READY) > PARSE_CACHE_SIZE:
        _READY.popitem(last=False)
    return provenance, interactions


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
        vcr_request = VcrRequest(request.method.value, recorded_url(request.url), body, headers)
        cassette = self.loaded.cassette
        response = self._play(vcr_request)
        if response is None:
            self.in_order = False
            raise ReplayMismatch(self._mismatch(vcr_request), path=str(self.loaded.path))
        # interactions 0..n-2 were played once each before this request (inductively), so the one
        # played now is the n-th exactly when its count just became 1
        self.in_order = self.in_order and cassette.play_counts[len(self.sent) - 1] == 1
        return HttpResponse(
            status_code=int(response["status"]["code"]),
            body=response["body"]["string"] or b"",
            headers=_flat_headers(response.get("headers") or {}),
        )

    def _play(self, request: VcrRequest) -> dict[str, Any] | None:
        """The first unplayed interaction whose recorded request matches, marked played (what vcrpy's
        `play_response` does in record mode none, without playback repeats). Played interactions are
        skipped before any matcher runs, and a request's matchers stop at the first that fails
        (vcrpy runs every matcher on every interaction and formats a debug line for each miss)."""
        cassette = self.loaded.cassette
        matchers = cassette._match_on
        for index, (stored, response) in enumerate(cassette.data):
            if cassette.play_counts[index]:
                continue
            try:
                for matcher in matchers:
                    if matcher(request, stored) is False:
                        break
                else:
                    cassette.play_counts[index] += 1
                    return response
            except AssertionError:
                continue
        return None

    def _mismatch(self, request: VcrRequest) -> str:
        cassette = f"{self.loaded.path.parent.name}/{self.loaded.path.name}"
        where = f"no unplayed recorded request matches {request.method} {request.uri} in {cassette}"
        best = self.loaded.cassette.find_requests_with_most_matches(request)
        if not best:
            return f"{where}; nothing recorded is close"
        stored, _successes, failures = best[0]
        index = next(i for i, (r, _) in enumerate(self.loaded.cassette.data) if r is stored) + 1
        reasons = "; ".join(message for _name, message in failures) or "it was already played"
        closest = f"{stored.method} {urlsplit(stored.uri).path}"
        return f"{where}; closest is interaction #{index} ({closest}): {reasons}"
