"""Results built in code for the report tests: realistic shapes, planted markup, canaries."""

from __future__ import annotations

from typing import Any

from harness.certify.results import CheckResult, ConnectorResult, Results, RunInfo

FLOWS = ("CreateAccessToken", "Authorize", "Capture", "Void", "Refund", "PSync", "RSync")
INJECTED_SCRIPT = "<script>window.__pwned = 1; alert('xss')</script>"
INJECTED_IMG = '<img src=x onerror="window.__pwned_img = 1; alert(1)">'
PLANTED = f"Insufficient funds {INJECTED_SCRIPT} {INJECTED_IMG}"


def step(
    name: str, flow: str, *, status: str = "Charged", body: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "step": name,
        "flow": flow,
        "expected": f"status {status} with an id",
        "outcome": {
            "status": status,
            "connector_transaction_id": "pay_123",
            "amount": 1000,
            "currency": "USD",
        },
        "problems": [],
        "request": {
            "method": "POST",
            "url": "https://api.example.invalid/v1/payments",
            "headers": {"Authorization": "***", "Content-Type": "application/json"},
            "content_type": "application/json",
            "body": {"amount": 1000, "currency": "USD", "card": {"number": "***", "cvc": "***"}, "ref": name},
            "encoded_body": '{"amount":1000,"currency":"USD","card":{"number":"***","cvc":"***"}}',
        },
        "response": {
            "status_code": 200,
            "headers": {"Content-Type": "application/json"},
            "body": body or {"id": "pay_123", "status": "succeeded", "amount": 1000, "client_secret": "***"},
        },
        "elapsed_ms": 0.5,
    }


def scenario(
    scenario_id: str, flow: str, status: str = "passed", *, message: str = "", steps: list[Any] | None = None
) -> CheckResult:
    return CheckResult(
        id=f"scenario:{scenario_id}",
        family="scenario",
        status=status,
        message=message
        or ("1 step(s) as expected" if status == "passed" else "step authorize: wrong status"),
        title=f"Scenario {scenario_id}",
        flow=flow,
        scenario=scenario_id,
        details={"steps": steps if steps is not None else [step("authorize", "Authorize")]},
    )


def connector(
    name: str,
    checks: list[CheckResult],
    *,
    verdict: str | None = None,
    flows: dict[str, str] | None = None,
    not_supported: dict[str, str] | None = None,
    exemptions: dict[str, str] | None = None,
    cassettes: list[dict[str, Any]] | None = None,
) -> ConnectorResult:
    failing = [c.id for c in checks if c.blocks]
    default_flows = {f: "implemented" for f in FLOWS}
    default_flows["CreateAccessToken"] = "not_supported"
    return ConnectorResult(
        name=name,
        display_name=name.capitalize(),
        verdict=verdict or ("certified" if not failing else "not_certified"),
        score=100 - 20 * len(failing),
        failing=failing,
        flows=flows or default_flows,
        not_supported=not_supported
        if not_supported is not None
        else {"CreateAccessToken": "no token endpoint"},
        exemptions=exemptions or {},
        cassettes=cassettes or [],
        checks=checks,
    )


def cassette(scenario_id: str, authored_at: str = "2026-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "scenario": scenario_id,
        "path": f"cassettes/x/{scenario_id}.yaml",
        "interactions": 1,
        "provenance": {
            "kind": "authored-from-docs",
            "authored_at": authored_at,
            "api_version": "2024-06-20",
            "sources": ["https://docs.example.invalid/api", "https://docs.example.invalid/testing"],
        },
        "age_days": 0,
        "expired": False,
    }


def sample_results(*, planted: bool = True) -> Results:
    """Two connectors: `good` certified, `bad` not, with every kind of finding the report shows."""
    body = {"id": "pay_9", "status": "failed", "failure_message": PLANTED if planted else "declined"}
    good = connector(
        "good",
        [
            CheckResult(id="load", family="load", status="passed", message="loaded"),
            scenario("authorize_manual_capture", "Authorize"),
            scenario(
                "capture_full", "Capture", steps=[step("authorize", "Authorize"), step("capture", "Capture")]
            ),
            CheckResult(
                id="scenario:access_token",
                family="scenario",
                status="skipped",
                exempt=True,
                message="exempt: no token endpoint",
                flow="CreateAccessToken",
                scenario="access_token",
            ),
            CheckResult(
                id="property:money:Authorize",
                family="property",
                status="passed",
                message="held for 100 examples",
                flow="Authorize",
            ),
            CheckResult(id="lint:clean", family="lint", status="passed", message="no findings"),
        ],
        cassettes=[cassette("authorize_manual_capture"), cassette("capture_full", "2020-01-01T00:00:00Z")],
    )
    bad = connector(
        "bad",
        [
            CheckResult(id="load", family="load", status="passed", message="loaded"),
            scenario(
                "decline_generic",
                "Authorize",
                "failed",
                message=f"step authorize: expected Failure, got Charged {INJECTED_SCRIPT if planted else ''}",
                steps=[step("authorize", "Authorize", status="Failure", body=body)],
            ),
            scenario("refund_full", "Refund"),
            CheckResult(
                id="property:money:Capture",
                family="property",
                status="failed",
                message="sent 1000 JPY as 100000 (must be 1000)",
                flow="Capture",
                details={"minimized_example": f"currency=JPY, amount=1000 {INJECTED_IMG if planted else ''}"},
            ),
            CheckResult(
                id="contract:refund_full",
                family="contract",
                status="failed",
                message="step refund: request /amount: 'x' is not of type 'integer'",
                flow="Refund",
                scenario="refund_full",
                details={
                    "violations": [
                        "step refund: request /amount: 'x' is not of type 'integer'",
                        f"step refund: response /status: {INJECTED_SCRIPT if planted else 'bad'} is not "
                        "one of ['pending', 'succeeded']",
                    ]
                },
            ),
            CheckResult(
                id="lint:CFG003:config/production.toml:5",
                family="lint",
                status="failed",
                severity="critical",
                message="bad production base_url equals its sandbox base_url",
                title="use the provider's live host",
                details={
                    "path": "config/production.toml",
                    "line": 5,
                    "col": 1,
                    "rule": "CFG003",
                    "source_line": f'bad.base_url = "https://x/" # {INJECTED_IMG if planted else ""}',
                    "hint": "use the provider's live host",
                },
            ),
            CheckResult(
                id="not_supported:Void",
                family="scenario",
                status="skipped",
                message="not supported: the provider cannot void",
                flow="Void",
            ),
        ],
        flows={**{f: "implemented" for f in FLOWS}, "CreateAccessToken": "missing", "Void": "not_supported"},
        not_supported={"Void": "the provider cannot void"},
        cassettes=[
            cassette("decline_generic"),
            {"scenario": "refund_full", "path": "cassettes/bad/r.yaml", "missing": True},
        ],
    )
    return Results(
        generated_at="2026-11-27T00:00:00+00:00", run=RunInfo(profile="ci"), connectors=[good, bad]
    )


def certified_connector(name: str, *, scenarios: int = 30, facts: int = 45) -> ConnectorResult:
    """A certified connector of the shipped size (about 140 checks, nearly all passed)."""
    checks = [CheckResult(id="load", family="load", status="passed", message="loaded")]
    for index in range(scenarios):
        flow = FLOWS[1 + index % 4]
        checks.append(
            scenario(f"scenario_{index}", flow, steps=[step("authorize", "Authorize"), step("next", flow)])
        )
    checks += [
        CheckResult(id=f"facts:fact_{i}", family="facts", status="passed", message="as documented")
        for i in range(facts)
    ]
    checks += [
        CheckResult(id=f"contract:op_{i}", family="contract", status="passed", message="request and response")
        for i in range(30)
    ]
    checks += [
        CheckResult(
            id=f"property:p{i}:Authorize", family="property", status="passed", message="ok", flow="Authorize"
        )
        for i in range(25)
    ]
    checks += [
        CheckResult(id="scenario:access_token", family="scenario", status="skipped", exempt=True,
                    message="exempt: no token endpoint", flow="CreateAccessToken", scenario="access_token"),
        CheckResult(id="not_supported:RSync", family="scenario", status="skipped",
                    message="not offered by the provider", flow="RSync"),
    ]  # fmt: skip
    return connector(name, checks)
