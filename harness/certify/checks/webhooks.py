"""Incoming webhooks, checked against the provider facts (`[webhooks]` of specs/<name>.facts.toml).

Part of the facts family: every expected value (the signature scheme, which event means which
status, which field names the payment, the answer) comes from the facts; the notifications from
the webhook cassettes (cassettes/<name>/webhooks/), signed by the harness with a secret made for
the run (harness/certify/webhooks.py).

* `facts:webhook:mapping`: a correctly signed notification is accepted, answered as the facts say,
  and each event read as its fact row (object, reference, status); a row no cassette shows is
  fed on a cassette of its shape (same object and reference field) with its type and `when` set.
* `facts:webhook:signature`: a wrong secret, a signature over other bytes (re-serialized JSON,
  changed whitespace; for field schemes a changed signed field), a missing signature and an expired
  timestamp (where the provider has a tolerance) are refused; for certificate schemes (PayPal) also
  each missing transmission header, another algorithm, another listener's webhook id, and a
  notification signed by an attacker whose certificate sits at a URL off the provider's hosts.
* `facts:webhook:replay`: a notification sent again after the tolerance is refused; without a
  tolerance, it is acknowledged and changes nothing.
* `facts:webhook:duplicate`: the same notification twice gives one transition; events the facts
  tell apart get distinct ids.
* `facts:webhook:order`: a late earlier notification never moves a payment back from a final status.
* `facts:webhook:unknown_event`: an undocumented event type is acknowledged and ignored.
* `facts:webhook:constant_time`: the verifier compares MACs with hmac.compare_digest, never `==`.
* `facts:webhook:capture_chain` (when capture_acknowledged is supported): the replayed scenario's
  payment, then the facts' Charged notification naming it, ends Charged.

A connector that declares no webhooks gets one skipped `facts:webhooks` check: a gap, which costs score.
"""

from __future__ import annotations

import ast
import inspect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.certify.checks import gaps
from harness.certify.checks.interface import CheckSpec
from harness.certify.facts import WebhookEventRow, WebhookFacts
from harness.certify.results import CheckResult
from harness.certify.webhook_certificates import (
    RunCertificate,
    certificate_signed_notification,
    foreign_cert_urls,
    run_certificate,
    verification_key,
)
from harness.certify.webhooks import (
    SigningKey,
    WebhookCassette,
    load_webhook_cassettes,
    run_secret,
    signature_headers,
    signed_notification,
    verifier_key,
)
from harness.domain.errors import ConnectorError
from harness.domain.status import AttemptStatus
from harness.domain.webhooks import FINAL_ATTEMPT, WebhookObject, WebhookReference
from harness.execution.webhooks import WebhookLedger, WebhookOutcome, handle_notification
from harness.integration.webhooks import WebhookCertificates, WebhookRequest, WebhookSpec

if TYPE_CHECKING:
    from harness.certify.checks.session import ConnectorSession

FAMILY = "facts"
UNDOCUMENTED_EVENT = "CERTIFY_UNDOCUMENTED_EVENT"
GAP_TITLE = "Incoming webhooks as the provider facts say"
TITLES = {
    "mapping": "Webhooks: a signed notification is accepted and read as the facts say",
    "signature": "Webhooks: wrong, foreign-bytes, missing and expired signatures are refused",
    "replay": "Webhooks: a replayed notification is refused or changes nothing",
    "duplicate": "Webhooks: the same notification twice gives one transition",
    "order": "Webhooks: a late notification never moves a payment back from a final status",
    "unknown_event": "Webhooks: an undocumented event type is acknowledged and ignored",
    "constant_time": "Webhooks: signatures are compared in constant time",
    "capture_chain": "Webhooks: an acknowledged capture ends Charged by its notification",
}
CHAIN_SCENARIO = "capture_acknowledged"
CHAIN_TITLE = TITLES["capture_chain"]


class Problem(Exception):
    """What a webhook check found wrong, in one line."""


@dataclass
class Material:
    """What every webhook check needs: the connector's spec, the facts, the signed cassettes."""

    spec: WebhookSpec[Any]
    facts: WebhookFacts
    where: str  # the facts file, for messages
    cassettes: list[WebhookCassette]
    secret: SigningKey
    now: int

    def signed(
        self, cassette: WebhookCassette, *, body: str | None = None, at: int | None = None
    ) -> WebhookRequest:
        return signed_notification(
            cassette.body if body is None else body, cassette.headers, self.facts, self.secret,
            self.now if at is None else at,
        )  # fmt: skip

    def deliver(
        self,
        request: WebhookRequest,
        ledger: WebhookLedger | None = None,
        *,
        at: int | None = None,
        key: WebhookCertificates | None = None,  # another set of downloaded certificates
    ) -> WebhookOutcome:
        try:
            return handle_notification(
                self.spec, request, key or verifier_key(self.secret), self.now if at is None else at,
                ledger or WebhookLedger(),
            )  # fmt: skip
        except ConnectorError as error:
            raise Problem(f"the connector failed on the notification: {error}") from None
        except Exception as error:  # a crash on a hostile body is a finding, not a harness error
            raise Problem(f"the connector crashed on the notification ({type(error).__name__})") from None

    def fact_source(self, row: WebhookEventRow) -> str:
        return f"{self.where} webhooks.events {row.event_type!r}, source: {row.source}"

    def accepted(self, outcome: WebhookOutcome, what: str) -> None:
        if not outcome.accepted:
            raise Problem(f"{what} was refused ({outcome.refusal}); {self.facts.signature.source}")
        answer = outcome.answer
        if answer.status_code != self.facts.answer_status or (
            self.facts.answer_body is not None and answer.body.strip() != self.facts.answer_body
        ):
            expected = f"{self.facts.answer_status} {self.facts.answer_body or ''}".strip()
            raise Problem(
                f"{what} answered {answer.status_code} {answer.body[:40]!r}, the facts say {expected!r} "
                f"({self.where} webhooks.answer_*, source: {self.facts.answer_source or self.facts.source})"
            )


def webhook_specs(session: ConnectorSession) -> list[CheckSpec]:
    if session.workspace.connector_cls.webhooks is None:
        return [CheckSpec("facts:webhooks", FAMILY, GAP_TITLE, not_declared_check)]
    specs = [
        CheckSpec(f"facts:webhook:{name}", FAMILY, TITLES[name], _checked(name, check))
        for name, check in CHECKS.items()
    ]
    if CHAIN_SCENARIO in session.workspace.certification.scenarios.supported:
        specs.append(
            CheckSpec(
                "facts:webhook:capture_chain",
                FAMILY,
                CHAIN_TITLE,
                _checked("capture_chain", lambda m: capture_chain_check(m, session)),
                scenario=CHAIN_SCENARIO,
            )
        )
    return specs


def not_declared_check(session: ConnectorSession) -> list[CheckResult]:
    facts = gaps.provider_facts(session)
    documented = facts is not None and facts.webhooks is not None
    why = "the provider facts document webhooks, " if documented else ""
    return [
        CheckResult(
            id="facts:webhooks",
            family=FAMILY,
            status="skipped",
            gap=True,
            title=GAP_TITLE,
            message=f"{why}the connector declares no webhooks (ConnectorV2.webhooks): {gaps.GAP_NOTE}",
        )
    ]


def _checked(name: str, check: Callable[[Material], str]) -> Callable[[ConnectorSession], list[CheckResult]]:
    check_id = f"facts:webhook:{name}"

    def run(session: ConnectorSession) -> list[CheckResult]:
        def result(status: str, message: str) -> list[CheckResult]:
            return [
                CheckResult(id=check_id, family=FAMILY, status=status, title=TITLES[name], message=message)
            ]

        try:
            material = _material(session)
            return result("passed", check(material))
        except Problem as problem:
            return result("failed", str(problem))

    return run


def _material(session: ConnectorSession) -> Material:
    """Made once per connector and run: the cassettes parsed and the run's key made (an RSA key pair
    and certificate for PayPal) once, not for each of the family's checks."""
    made = session.memo.get(FAMILY_MATERIAL)
    if not isinstance(made, Material):
        made = session.memo[FAMILY_MATERIAL] = _make_material(session)  # a Problem is raised each time
    return made


FAMILY_MATERIAL = "webhook-material"


def _make_material(session: ConnectorSession) -> Material:
    spec = session.workspace.connector_cls.webhooks
    assert spec is not None  # planned only for a connector that declares webhooks
    facts = gaps.provider_facts(session)
    where = session.relative_facts_path
    if facts is None:
        raise Problem(f"{where} cannot be read (facts:file says why): webhooks have no oracle")
    if facts.webhooks is None:
        raise Problem(
            f"the connector declares webhooks and {where} has no [webhooks]: write them from the "
            "provider's documentation (specs/FACTS.md)"
        )
    cassettes = load_webhook_cassettes(session.workspace.cassette_dir, facts.webhooks)
    if not cassettes:
        folder = session.relative(session.workspace.cassette_dir / "webhooks")
        raise Problem(
            f"no webhook cassettes in {folder}/: author documented notifications (README 'Webhooks')"
        )
    return Material(
        spec, facts.webhooks, where, cassettes, run_secret(facts.webhooks.signature), int(time.time())
    )


# ------------------------------------------------------------------ the checks


def mapping_check(m: Material) -> str:
    """Every cassette as authored, then every fact row no cassette shows, on a cassette of its shape."""
    events = 0
    shown: list[WebhookEventRow] = []
    for cassette in m.cassettes:
        events += _read_as_the_facts_say(m, cassette, cassette.body, cassette.name)
        shown += [r for e in m.facts.events_of(cassette.notification()) if (r := m.facts.row_for(e))]
    unexercised = []
    for row in m.facts.events:
        if row in shown:
            continue
        body = _body_for_row(m, row)
        if body is None:
            unexercised.append(row.event_type)
            continue
        cassette, text = body
        events += _read_as_the_facts_say(m, cassette, text, f"{cassette.name} as {row.event_type}")
        shown.append(row)
    left = f"; no cassette of the shape of {', '.join(unexercised)}" if unexercised else ""
    return f"{events} event(s) read as the facts say, {len(shown)} of {len(m.facts.events)} fact rows{left}"


def _read_as_the_facts_say(m: Material, cassette: WebhookCassette, body: str, name: str) -> int:
    outcome = m.deliver(m.signed(cassette, body=body))
    m.accepted(outcome, name)
    documented = m.facts.events_of(json.loads(body))
    if len(outcome.events) != len(documented):
        raise Problem(
            f"{name}: read {len(outcome.events)} event(s), the notification holds {len(documented)}"
        )
    for event, read in zip(documented, outcome.events, strict=True):
        row = m.facts.row_for(event)
        if row is None:
            raise Problem(f"{name}: its event is in no row of {m.where} webhooks.events: document it")
        got_status = read.status.value if read.status is not None else None
        if got_status != row.means:
            raise Problem(
                f"{name}: {row.event_type} read as {got_status}, the facts say {row.means} "
                f"({m.fact_source(row)})"
            )
        if row.object is not None:
            expected_id = _dotted(event, row.reference or "")
            got = (read.reference.object.value, read.reference.id) if read.reference else None
            if got != (row.object, str(expected_id)):
                raise Problem(
                    f"{name}: {row.event_type} names {got[0] + ' ' + got[1] if got else 'nothing'}, "
                    f"the facts say the {row.object} in {row.reference} ({m.fact_source(row)})"
                )
    return len(documented)


def _body_for_row(m: Material, row: WebhookEventRow) -> tuple[WebhookCassette, str] | None:
    """A cassette of the row's shape (same object and reference field) turned into the row's event."""
    for cassette in m.cassettes:
        events = m.facts.events_of(cassette.notification())
        template = m.facts.row_for(events[0]) if events else None
        if template is None or (
            row.object is not None and (template.object, template.reference) != (row.object, row.reference)
        ):
            continue

        def become(event: dict[str, Any]) -> None:
            _set(event, m.facts.event_type_field, row.event_type)
            for path, value in row.when.items():
                _set(event, path, value)

        body = _with_events(cassette.body.encode(), m.facts, become).decode()
        if all(m.facts.row_for(e) == row for e in m.facts.events_of(json.loads(body))):
            return cassette, body
    return None


def signature_check(m: Material) -> str:
    signature = m.facts.signature
    tried: list[str] = []

    def refused(
        request: WebhookRequest, what: str, *, at: int | None = None, key: WebhookCertificates | None = None
    ) -> None:
        outcome = m.deliver(request, at=at, key=key)
        if outcome.accepted or outcome.transitions:
            raise Problem(f"{cassette.name}: {what} was accepted; {signature.source}")
        tried.append(what)

    other_secret = run_secret(signature)
    attacker = (
        run_certificate(signature.certificate, signer="attacker")
        if signature.certificate is not None
        else None
    )
    for cassette in m.cassettes:
        good = m.signed(cassette)
        refused(signed_notification(cassette.body, cassette.headers, m.facts, other_secret, m.now),
                "a signature made with another secret")  # fmt: skip
        if signature.location == "header":
            compact = json.dumps(json.loads(cassette.body), separators=(",", ":"))
            refused(WebhookRequest(compact.encode(), good.headers), "the signed body re-serialized")
            refused(
                WebhookRequest(good.body + b"\n", good.headers), "the signed body with a whitespace change"
            )
            for name in signature_headers(signature):
                headers = {k: v for k, v in good.headers.items() if k.lower() != name.lower()}
                refused(WebhookRequest(good.body, headers), f"a notification without {name}")
            if isinstance(m.secret, RunCertificate) and attacker is not None:
                for request, what, key in _certificate_forgeries(m, cassette, good, attacker):
                    refused(request, what, key=key)
        else:
            changed = _with_events(good.body, m.facts, _bump_signed_field(signature.signed_fields))
            refused(WebhookRequest(changed, good.headers), "a signed field changed after signing")
            stripped = _with_events(good.body, m.facts, lambda e: _drop(e, signature.field or ""))
            refused(WebhookRequest(stripped, good.headers), f"a notification without {signature.field}")
        if signature.tolerance_seconds is not None:
            late = m.now - signature.tolerance_seconds - 60
            refused(m.signed(cassette, at=late), f"a timestamp {signature.tolerance_seconds + 60} s old")
            m.accepted(
                m.deliver(m.signed(cassette, at=m.now - signature.tolerance_seconds + 30)),
                f"{cassette.name} signed {signature.tolerance_seconds - 30} s ago (inside the tolerance)",
            )
    kinds = sorted(set(tried))
    return f"{len(tried)} forged or stale notification(s) refused: {'; '.join(kinds)}{_no_tolerance(m)}"


def _no_tolerance(m: Material) -> str:
    """Say that the expired-timestamp case was not tried, and why, instead of passing it silently."""
    if m.facts.signature.tolerance_seconds is not None:
        return ""
    return (
        f"; expired timestamp: not applicable, {m.where} webhooks.signature has no tolerance_seconds "
        f"(the provider documents none: {m.facts.signature.source})"
    )


def _certificate_forgeries(
    m: Material, cassette: WebhookCassette, good: WebhookRequest, attacker: RunCertificate
) -> list[tuple[WebhookRequest, str, WebhookCertificates | None]]:
    """Another algorithm, another listener, and attackers' certificates at URLs off the provider's hosts."""
    signature = m.facts.signature
    assert isinstance(m.secret, RunCertificate) and signature.certificate is not None
    certificate = signature.certificate
    headers = {k: v for k, v in good.headers.items() if k.lower() != certificate.algorithm_header.lower()}
    other_algorithm = {**headers, certificate.algorithm_header: f"{certificate.algorithm_value}X"}
    other_listener = replace(m.secret, webhook_id=f"{m.secret.webhook_id}OTHER")
    forgeries: list[tuple[WebhookRequest, str, WebhookCertificates | None]] = [
        (
            WebhookRequest(good.body, other_algorithm),
            f"{certificate.algorithm_header} naming another algorithm",
            None,
        ),
        (
            signed_notification(cassette.body, cassette.headers, m.facts, other_listener, m.now),
            "a notification signed for another listener's webhook id",
            None,
        ),
    ]
    for what, url in foreign_cert_urls(certificate):
        # the attacker's own key pair and certificate, served at its URL, signing for this listener
        forger = replace(attacker, cert_url=url, webhook_id=m.secret.webhook_id)
        request = certificate_signed_notification(cassette.body, cassette.headers, signature, forger, m.now)
        # the router downloads whatever the header names: the verifier alone must refuse the URL
        key = verification_key(m.secret, {url: forger.certificate_pem})
        forgeries.append((request, f"{what} ({url}), signed with its key", key))
    return forgeries


def replay_check(m: Material) -> str:
    tolerance = m.facts.signature.tolerance_seconds
    for cassette in m.cassettes:
        request = m.signed(cassette)
        ledger = WebhookLedger()
        m.accepted(m.deliver(request, ledger), cassette.name)
        if tolerance is not None:
            replay = m.deliver(request, ledger, at=m.now + tolerance + 1)
            if replay.accepted:
                raise Problem(
                    f"{cassette.name} replayed {tolerance + 1} s later was accepted: the provider's "
                    f"tolerance is {tolerance} s ({m.facts.signature.source})"
                )
        else:
            replay = m.deliver(request, ledger, at=m.now + 86_400)
            m.accepted(replay, f"{cassette.name} replayed a day later")
            if replay.transitions:
                raise Problem(f"{cassette.name} replayed a day later changed a status again")
    how = f"refused after the {tolerance} s tolerance" if tolerance is not None else "acknowledged, no change"
    return f"{len(m.cassettes)} replayed notification(s) {how}{_no_tolerance(m)}"


def duplicate_check(m: Material) -> str:
    seen: dict[tuple[str, ...], str] = {}
    ids: dict[str, tuple[str, ...]] = {}
    for cassette in m.cassettes:
        request = m.signed(cassette)
        ledger = WebhookLedger()
        first = m.deliver(request, ledger)
        m.accepted(first, cassette.name)
        second = m.deliver(request, ledger)
        m.accepted(second, f"{cassette.name} delivered again")
        if [e.event_id for e in first.events] != [e.event_id for e in second.events]:
            raise Problem(
                f"{cassette.name} delivered twice got new event id(s): a re-sent event keeps its id "
                f"({m.where} webhooks.event_id_fields: {', '.join(m.facts.event_id_fields)})"
            )
        if second.transitions:
            raise Problem(
                f"{cassette.name} delivered twice moved a status twice: the event id does not stay the same"
            )
        for event, read in zip(m.facts.events_of(cassette.notification()), first.events, strict=False):
            key = tuple(str(_dotted(event, name)) for name in m.facts.event_id_fields)
            if read.event_id in ids and ids[read.event_id] != key:
                raise Problem(
                    f"{cassette.name}: event id {read.event_id!r} is also given to "
                    f"{seen[ids[read.event_id]]}, which the facts tell apart by "
                    f"{', '.join(m.facts.event_id_fields)}: one of them would be dropped"
                )
            ids[read.event_id] = key
            seen.setdefault(key, cassette.name)
    count = len(m.cassettes)
    return f"{count} notification(s) delivered twice, one transition each; {len(ids)} distinct event ids"


def order_check(m: Material) -> str:
    by_payment: dict[str, list[tuple[WebhookCassette, WebhookEventRow]]] = {}
    for cassette in m.cassettes:
        for event in m.facts.events_of(cassette.notification()):
            row = m.facts.row_for(event)
            if row is not None and row.object == "payment":
                by_payment.setdefault(str(_dotted(event, row.reference or "")), []).append((cassette, row))
    pairs = [
        (early, final)
        for rows in by_payment.values()
        for final in rows
        for early in rows
        if _final(final[1]) and not _final(early[1])
    ]
    if not pairs:
        raise Problem(
            "no payment has both an earlier and a final notification among the webhook cassettes: "
            "author both (e.g. the authorisation and the capture of one payment)"
        )
    for (early, _), (final, final_row) in pairs:
        ledger = WebhookLedger()
        m.accepted(m.deliver(m.signed(final), ledger), final.name)
        m.accepted(m.deliver(m.signed(early), ledger), early.name)
        statuses = set(ledger.statuses.values())
        if statuses != {AttemptStatus(str(final_row.means))}:
            shown = ", ".join(sorted(s.value for s in statuses)) or "nothing"
            raise Problem(
                f"{final.name} then {early.name} (out of order) left {shown}, the facts say "
                f"{final_row.means} stays ({m.fact_source(final_row)})"
            )
    return f"{len(pairs)} out-of-order pair(s): the final status stayed"


def unknown_event_check(m: Material) -> str:
    cassette = m.cassettes[0]
    field = m.facts.event_type_field

    def rename(event: dict[str, Any]) -> None:
        _set(event, field, UNDOCUMENTED_EVENT)

    body = _with_events(cassette.body.encode(), m.facts, rename).decode()
    outcome = m.deliver(m.signed(cassette, body=body))
    m.accepted(outcome, f"{cassette.name} with {field} {UNDOCUMENTED_EVENT}")
    moved = [e for e in outcome.events if e.status is not None]
    if moved or outcome.transitions:
        status = moved[0].status if moved else outcome.transitions[0].after
        raise Problem(f"an undocumented event type was read as {status}: it must change nothing")
    return f"an undocumented {field} is acknowledged and changes nothing"


def constant_time_check(m: Material) -> str:
    function = m.spec.verify_source
    source_file = inspect.getsourcefile(function)
    if source_file is None:
        raise Problem(
            "the verifier's source cannot be found: it cannot be checked for constant-time comparison"
        )
    tree = ast.parse(Path(source_file).read_text(encoding="utf-8"))
    found = [node for node in ast.walk(tree) if isinstance(node, ast.Compare) and _compares_a_mac(node)]
    if found:
        lines = ", ".join(str(node.lineno) for node in found)
        raise Problem(
            f"{Path(source_file).name} line {lines} compares a signature with == or !=, which leaks its "
            "length of match through timing: use hmac.compare_digest"
        )
    return f"no signature compared with == in {Path(source_file).name}"


def capture_chain_check(m: Material, session: ConnectorSession) -> str:
    """capture_acknowledged replayed, then the facts' Charged notification for the payment it made."""
    from harness.certify.catalog import SCENARIOS
    from harness.certify.runner import ScenarioRun

    run = session.scenario_run(SCENARIOS[CHAIN_SCENARIO])
    if not isinstance(run, ScenarioRun) or not run.passed or len(run.executions) < 2:
        raise Problem(f"{CHAIN_SCENARIO} did not replay (scenario:{CHAIN_SCENARIO} says why)")
    authorized, captured = run.executions[0].result, run.executions[-1].result
    payment_id = getattr(authorized, "connector_transaction_id", None)
    acknowledged = getattr(captured, "status", None)
    if not payment_id or not isinstance(acknowledged, AttemptStatus):
        raise Problem(f"{CHAIN_SCENARIO} left no payment id or no capture status to continue from")
    charged = [
        (cassette, event, row)
        for cassette in m.cassettes
        for event in m.facts.events_of(cassette.notification())
        if (row := m.facts.row_for(event)) is not None and row.object == "payment" and row.means == "Charged"
    ]
    if not charged:
        raise Problem(
            "no webhook cassette holds a notification the facts read as Charged: author the capture's"
        )
    cassette, _, row = charged[0]

    def for_this_payment(event: dict[str, Any]) -> None:
        if m.facts.row_for(event) == row:
            _set(event, row.reference or "", payment_id)

    body = _with_events(cassette.body.encode(), m.facts, for_this_payment).decode()
    ledger = WebhookLedger()
    payment = WebhookReference(WebhookObject.PAYMENT, payment_id)
    ledger.statuses[payment] = acknowledged
    outcome = m.deliver(m.signed(cassette, body=body), ledger)
    m.accepted(outcome, f"{cassette.name} for the payment of {CHAIN_SCENARIO}")
    final = ledger.statuses.get(payment)
    if final is not AttemptStatus.CHARGED:
        raise Problem(
            f"after {CHAIN_SCENARIO} ({acknowledged.value}) and {cassette.name} naming its payment in "
            f"{row.reference}, the payment is {final.value if final else 'unknown'}; the facts say Charged "
            f"({m.fact_source(row)})"
        )
    return f"{CHAIN_SCENARIO} ended {acknowledged.value}, then {row.event_type} made it Charged"


CHECKS: dict[str, Callable[[Material], str]] = {
    "mapping": mapping_check,
    "signature": signature_check,
    "replay": replay_check,
    "duplicate": duplicate_check,
    "order": order_check,
    "unknown_event": unknown_event_check,
    "constant_time": constant_time_check,
}


# ------------------------------------------------------------------ helpers


def _final(row: WebhookEventRow) -> bool:
    return AttemptStatus(str(row.means)) in FINAL_ATTEMPT


_MAC_WORDS = ("sig", "digest", "mac", "computed", "expected")


def _compares_a_mac(node: ast.Compare) -> bool:
    if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
        return False
    for side in (node.left, *node.comparators):
        if isinstance(side, ast.Constant):
            continue
        names = [n.id for n in ast.walk(side) if isinstance(n, ast.Name)]
        names += [n.attr for n in ast.walk(side) if isinstance(n, ast.Attribute)]
        if any(word in name.lower() for name in names for word in _MAC_WORDS):
            return True
    return False


def _dotted(tree: Any, path: str) -> Any:
    for part in path.split("."):
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[last] = value


def _drop(tree: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        tree = tree.get(part) or {}
    tree.pop(last, None)


def _bump_signed_field(fields: list[str]) -> Callable[[dict[str, Any]], None]:
    """Change the amount when it is signed (the forgery that matters), else the first signed field."""
    target = next((f for f in fields if f.endswith("value")), fields[0])

    def bump(event: dict[str, Any]) -> None:
        value = _dotted(event, target)
        _set(event, target, value + 1 if isinstance(value, int) else f"{value}X")

    return bump


def _with_events(body: bytes, facts: WebhookFacts, change: Callable[[dict[str, Any]], None]) -> bytes:
    tree = json.loads(body)
    for event in facts.events_of(tree):
        change(event)
    return json.dumps(tree, indent=2).encode()
