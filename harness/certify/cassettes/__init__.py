"""Cassettes: vcrpy's format, safe YAML, semantic matching, provenance, atomic writes.

Replay does not patch any HTTP library: `ReplayTransport` implements the transport interface over
a cassette made ready once per content, answering as vcrpy's record mode `none` does, so no socket
is ever opened. A request
is matched on method, URL, a semantic body comparison (JSON, form with bracket keys and XML
decoded; key order ignored; money and currency fields compared strictly; the connector's
volatile fields ignored) and its headers (non-secret ones exactly, secret ones by auth scheme;
transport headers such as User-Agent ignored; the connector's volatile headers by presence).
Recorded requests are stored in their masked form, so replay masks the outgoing request the same
way before matching.

One module per job: `format` (safe YAML, `CassetteError`), `provenance`, `scrubbing`, `matching`,
`replay` (loading and `ReplayTransport`) and `recording` (`RecordingTransport`, the scrubbed
document, the atomic write). Callers import from the module that does the job;
this package exports nothing of its own.
"""
