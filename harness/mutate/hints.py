"""What would have caught a surviving mutant: a scenario or a fact, named from its operator and place.

A hint is derived from the operator family, the mutant's description and location, the provider
facts (which tables document a status value) and the equivalence evidence (the first input on which
the survivor answers otherwise than the original: the exact input a new check could start from).
"""

from __future__ import annotations

import re
from typing import Any

from harness.domain.flows import Flow

UNREACHED = "no input reaches"  # the evidence of a survivor no input could tell from the original

FLOW_WORDS = {
    "authorize": Flow.AUTHORIZE,
    "capture": Flow.CAPTURE,
    "void": Flow.VOID,
    "cancel": Flow.VOID,
    "refund": Flow.REFUND,
    "rsync": Flow.RSYNC,
    "psync": Flow.PSYNC,
    "sync": Flow.PSYNC,
    "token": Flow.CREATE_ACCESS_TOKEN,
}


def flow_named_in(text: str) -> str:
    """The flow a function name or description is about ("capture_response" -> Capture)."""
    lowered = text.lower()
    for word, flow in FLOW_WORDS.items():
        if word in lowered:
            return flow.value
    return "every flow"


def _function(description: str) -> str:
    match = re.search(r" in (\w+)", description)
    return match.group(1) if match else ""


def status_value(description: str) -> str | None:
    match = re.match(r"""\s*['"]?([^'":]+)['"]?\s*:""", description)
    return match.group(1) if match else None


def status_table_hint(description: str, facts: Any) -> str:
    value = status_value(description)
    if value is None:
        return "a facts status row for the moved entry"
    if facts is None:
        return f"a facts status row for {value!r}"
    mapped = sorted({t.label for t in facts.statuses for r in t.rows if r.matches(value)})
    absent = sorted({t.label for t in facts.statuses for n in t.not_returned if str(n.value) == value})
    if mapped:
        return f"a facts status row for {value!r} that a recorded answer can reach ({'; '.join(mapped)})"
    if absent:
        return (
            f"a facts status row for {value!r}: the facts mark it not_returned ({'; '.join(absent)}), "
            "so any non-terminal class passes; a row stating its meaning would decide"
        )
    return f"a facts status row for {value!r} (the facts document no such value: is it the provider's?)"


def hint_for(result: Any, facts: Any = None) -> str:
    """The scenario or fact that would have caught the survivor `result`."""
    description, family = result.description, result.family
    function = _function(description)
    flow = flow_named_in(function or description)
    if family == "status-table":
        hint = status_table_hint(description, facts)
    elif family == "condition":
        if any(w in function for w in ("error", "decline", "refusal", "failed")):
            hint = f"a scenario that takes the error path of {flow} (a recorded decline or error answer)"
        else:
            hint = f"a scenario or facts status row of {flow} that turns the condition in {function} around"
    elif family == "header":
        name = description.split()[1] if len(description.split()) > 1 else "the header"
        hint = f"replay comparing recorded request headers ({name} on {flow}), or a facts header entry"
    elif family == "id-source":
        hint = f"a scenario of {flow} with distinct ids (the swapped id reaches the wire)"
    elif family == "amount-source":
        hint = f"a partial capture or refund scenario of {flow} (an amount below the payment amount)"
    elif family == "error-field":
        hint = f"a facts [errors] path for the field and a recorded error answer of {flow}"
    elif family == "converter":
        hint = "a money property over currencies whose wire unit differs from the amount's minor unit"
    elif family == "currency-row":
        hint = "a facts currency rule (supported set, exponent, multiple, minimum, maximum) for the row"
    elif family == "capture-method":
        hint = f"a scenario of {flow} with the other capture method, or a facts row with that context"
    elif family == "declaration":
        hint = f"a check reading the declaration of {flow} against the spec or the facts ({description})"
    elif family == "config":
        hint = "a facts entry for the production base URL"
    else:
        hint = "a scenario or fact that reaches the mutated line"
    if result.evidence.startswith(UNREACHED):
        hint += f"; not judged equivalent: {result.evidence}"
    elif result.evidence:
        hint += f"; it first differs from the original on: {result.evidence}"
    return hint
