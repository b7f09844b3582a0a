"""The next steps under a not-certified connector, from hand-made check results: working order,
identical failures grouped with a count, nothing dropped without being counted."""

from __future__ import annotations

from harness.certify.results import CheckResult, ConnectorResult
from harness.cli.guide import MAX_GROUPS, guide_lines, next_steps

TODO = "{flow} is not implemented yet: write {function} in connectors/acme/transformers.py"


def check(id_: str, message: str, *, family: str = "scenario", status: str = "failed", **kw) -> CheckResult:
    return CheckResult(id=id_, family=family, status=status, message=message, **kw)


def connector(checks: list[CheckResult]) -> ConnectorResult:
    return ConnectorResult(name="acme", verdict="not_certified", score=0, checks=checks)


def test_steps_come_in_working_order():
    checks = [
        check("scenario:rsync", "rsync is neither supported nor exempt in certification.toml: list",
              scenario="rsync"),
        check("scenario:refund_full", "no cassette at cassettes/acme/refund_full.yaml: record it",
              scenario="refund_full"),
        check("facts:file", "specs/acme.facts.toml: no provider facts file", family="facts"),
        check("property:money:Refund", f"refused ({TODO.format(flow='Refund', function='refund_request')})",
              family="property"),
        check("contract:requests:Authorize", TODO.format(flow="Authorize", function="authorize_request"),
              family="contract"),
    ]  # fmt: skip
    steps, others = next_steps(connector(checks))
    assert steps[0].startswith(
        "Authorize is not implemented yet: write authorize_request in connectors/acme/"
    )
    assert "then refund_request" in steps[0]
    assert steps[1].startswith("facts: specs/acme.facts.toml")
    assert steps[2].startswith("1 supported scenario(s) have no cassette") and "refund_full" in steps[2]
    assert "from connectors/acme/sandbox.py with `certify author acme`" in steps[2]  # where to author them
    assert steps[3].startswith("1 scenario(s) are neither supported nor exempt") and "(rsync)" in steps[3]
    assert others == []


def test_identical_failures_are_grouped_and_the_rest_counted():
    same = [check(f"property:responses:F{i}", "KeyError: 'status'", family="property") for i in range(3)]
    distinct = [check(f"scenario:s{i}", f"expected status {i}") for i in range(MAX_GROUPS + 2)]
    steps, others = next_steps(connector(same + distinct))
    assert steps == []
    assert others[0].startswith("failed x3: property:responses:F0, property:responses:F1")
    assert others[-1] == "... and 3 more failing check(s) with other messages (see the report)"
    assert len(others) == MAX_GROUPS + 1
    assert guide_lines(connector(same))[0] == "  failures:"


def test_facts_checks_that_wait_on_cassettes_come_after_the_cassettes():
    # before: "facts: no documented Authorize status could be checked ..." came first, sending the
    # author to the facts file when what was missing was a recorded answer
    checks = [
        check("facts:statuses:Authorize", "no documented Authorize status could be checked: "
              "status='authorized': no recorded Authorize status response carries status", family="facts"),
        check("facts:currencies", "the table's minimum for USD is 0, the facts say 50", family="facts"),
        check("scenario:refund_full", "no cassette at cassettes/acme/refund_full.yaml: record it",
              scenario="refund_full"),
    ]  # fmt: skip
    steps, others = next_steps(connector(checks))
    assert steps[0] == "facts: the table's minimum for USD is 0, the facts say 50"
    assert steps[1].startswith("1 supported scenario(s) have no cassette")
    assert steps[2].startswith("1 facts check(s) wait on cassettes")
    assert "facts:statuses:Authorize" in steps[2]
    assert others == []
