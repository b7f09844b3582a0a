"""Cassettes: vcrpy's format, safe YAML, semantic matching, provenance, atomic writes.

Replay does not patch any HTTP library: `ReplayTransport` implements the transport interface
over a vcrpy `Cassette` loaded with record mode `none`, so no socket is ever opened. A request
is matched on method, URL, a semantic body comparison (JSON, form with bracket keys and XML
decoded; key order ignored; money and currency fields compared strictly; the connector's
volatile fields ignored) and its headers (non-secret ones exactly, secret ones by auth scheme;
transport headers such as User-Agent ignored; the connector's volatile headers by presence).
Recorded requests are stored in their masked form, so replay masks the outgoing request the same
way before matching.

One module per job: `format` (safe YAML, `CassetteError`), `provenance`, `scrubbing`, `matching`,
`replay` (loading and `ReplayTransport`) and `recording` (`RecordingTransport`, the scrubbed
document, the atomic write). This package re-exports their names so that `harness.certify.cassettes`
stays the one import path for callers.
"""

from __future__ import annotations

from harness.certify.cassettes.format import SAFE_SERIALIZER, CassetteError
from harness.certify.cassettes.matching import (
    MONEY_KEYS,
    TRANSPORT_HEADERS,
    body_matcher,
    diff_trees,
    header_differences,
    headers_matcher,
    method_matcher,
    url_matcher,
)
from harness.certify.cassettes.provenance import PROVENANCE_KINDS, Provenance, parse_provenance
from harness.certify.cassettes.recording import (
    DROPPED_RESPONSE_HEADERS,
    Exchange,
    RecordingTransport,
    cassette_document,
    render_cassette,
    write_atomically,
)
from harness.certify.cassettes.replay import (
    HTTP_METHODS,
    MAX_CASSETTE_BYTES,
    MAX_CASSETTE_NODES,
    PARSE_CACHE_SIZE,
    LoadedCassette,
    ReplayMismatch,
    ReplayTransport,
    clear_parse_cache,
    expanded_size,
    interaction_problem,
    load_cassette,
)
from harness.certify.cassettes.scrubbing import (
    MIN_SUBSTITUTED_LENGTH,
    SECRET_HEADERS,
    SECRET_KEYS,
    body_secret_values,
    dumps_exact,
    is_secret_header,
    recorded_form,
    recorded_url,
    scrub_body,
    scrub_headers,
    scrub_tree,
    secret_values_in,
    xml_secret_values,
)

__all__ = [
    "DROPPED_RESPONSE_HEADERS",
    "HTTP_METHODS",
    "MAX_CASSETTE_BYTES",
    "MAX_CASSETTE_NODES",
    "MIN_SUBSTITUTED_LENGTH",
    "MONEY_KEYS",
    "PARSE_CACHE_SIZE",
    "PROVENANCE_KINDS",
    "SAFE_SERIALIZER",
    "SECRET_HEADERS",
    "SECRET_KEYS",
    "TRANSPORT_HEADERS",
    "CassetteError",
    "Exchange",
    "LoadedCassette",
    "Provenance",
    "RecordingTransport",
    "ReplayMismatch",
    "ReplayTransport",
    "body_matcher",
    "body_secret_values",
    "cassette_document",
    "clear_parse_cache",
    "diff_trees",
    "dumps_exact",
    "expanded_size",
    "header_differences",
    "headers_matcher",
    "interaction_problem",
    "is_secret_header",
    "load_cassette",
    "method_matcher",
    "parse_provenance",
    "recorded_form",
    "recorded_url",
    "render_cassette",
    "scrub_body",
    "scrub_headers",
    "scrub_tree",
    "secret_values_in",
    "url_matcher",
    "write_atomically",
    "xml_secret_values",
]
