"""The facts family: the connector's tables are checked against the provider facts, and the money
properties take their expected values from the facts, so a wrong row that agrees with itself is
refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.certify.checks.facts import currency_differences
from harness.certify.checks.plan import certify_workspace
from harness.certify.facts import FactsError, load_facts
from harness.certify.workspace import Workspace
from harness.domain import Currency, CurrencyRule, table_for
from tests.certify import broken

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[provider]
name = "Acme"

[currencies]
supported = ["USD", "JPY", "KWD", "ISK"]
source = "https://acme.example/currencies"

[[currencies.rules]]
currencies = ["ISK"]
exponent = 2
multiple_of = 100
source = "https://acme.example/currencies#isk"

[[currencies.rules]]
currencies = ["KWD"]
multiple_of = 10
minimum = 100
source = "https://acme.example/currencies#kwd"

[[statuses]]
flow = "Capture"
field = "status"
values = ["done", "pending", "never"]

  [[statuses.rows]]
  value = "done"
  means = "Charged"

  [[statuses.rows]]
  value = "pending"
  means = "CaptureInitiated"
  acknowledgement = true

  [[statuses.not_returned]]
  value = "never"
  reason = "only for another operation"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acme.facts.toml"
    path.write_text(text)
    return path


def certify(cls, root: Path = ROOT):
    return certify_workspace(
        cls.id, lambda: Workspace(name=cls.id, connector_cls=cls, root=root, data_name="stripe")
    )


def test_the_shipped_facts_files_load():
    for name in ("stripe", "adyen", "checkout", "paypal", "authorizedotnet"):
        facts = load_facts(ROOT / "specs" / f"{name}.facts.toml")
        assert facts.statuses and facts.currencies.source


def test_a_missing_facts_file_names_the_file(tmp_path):
    with pytest.raises(FactsError, match=r"acme.facts.toml: no provider facts file"):
        load_facts(tmp_path / "acme.facts.toml")


def test_a_documented_value_neither_mapped_nor_excluded_is_refused(tmp_path):
    path = write(
        tmp_path,
        MINIMAL.replace(
            'values = ["done", "pending", "never"]', 'values = ["done", "pending", "never", "held"]'
        ),
    )
    with pytest.raises(FactsError, match=r"\['held'\] are neither mapped"):
        load_facts(path)


def test_a_row_that_means_no_ucs_status_is_refused(tmp_path):
    path = write(tmp_path, MINIMAL.replace('means = "Charged"', 'means = "Captured"'))
    with pytest.raises(FactsError, match="'Captured' is no AttemptStatus"):
        load_facts(path)


def test_a_digit_class_covers_its_values(tmp_path):
    text = MINIMAL.replace(
        'values = ["done", "pending", "never"]', 'values = ["done", "pending", "never", "20051"]'
    )
    text += '\n  [[statuses.not_returned]]\n  value = "20xxx"\n  reason = "declines"\n'
    assert load_facts(write(tmp_path, text)).statuses[0].values[-1] == "20051"


MEANINGS = """
[errors]
code = "error.code"

[[errors.meanings]]
code = "5400"
meaning = "EXPIRED_CARD"
source = "https://acme.example/declines"
"""


def test_a_code_meaning_is_read_and_a_code_documented_twice_is_refused(tmp_path):
    facts = load_facts(write(tmp_path, MINIMAL + MEANINGS))
    assert facts.errors is not None and facts.errors.meaning_of("5400").meaning == "EXPIRED_CARD"
    assert facts.errors.meaning_of("5120") is None
    twice = MEANINGS + '\n[[errors.meanings]]\ncode = "5400"\nmeaning = "CARD_EXPIRED"\nsource = "x"\n'
    with pytest.raises(FactsError, match=r"errors.meanings: code\(s\) \['5400'\] listed twice"):
        load_facts(write(tmp_path, MINIMAL + twice))


def test_a_code_meaning_without_a_source_is_refused(tmp_path):
    with pytest.raises(FactsError, match="source"):
        load_facts(
            write(tmp_path, MINIMAL + MEANINGS.replace('source = "https://acme.example/declines"\n', ""))
        )


def test_currency_table_matching_the_facts_has_no_difference(tmp_path):
    facts = load_facts(write(tmp_path, MINIMAL))
    table = table_for(
        ([Currency.ISK], CurrencyRule(exponent=2, multiple_of=100)),
        ([Currency.KWD], CurrencyRule(multiple_of=10, minimum=100)),
        supported=[Currency.USD, Currency.JPY, Currency.KWD, Currency.ISK],
    )
    assert currency_differences(table, facts) == []


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (  # an exponent off by one
            table_for(
                ([Currency.ISK], CurrencyRule(exponent=0, multiple_of=100)),
                ([Currency.KWD], CurrencyRule(multiple_of=10, minimum=100)),
                supported=[Currency.USD, Currency.JPY, Currency.KWD, Currency.ISK],
            ),
            "ISK exponent: the facts say 2 (https://acme.example/currencies#isk), the connector's table "
            "says 0",
        ),
        (  # the last-digit rule dropped
            table_for(
                ([Currency.ISK], CurrencyRule(exponent=2, multiple_of=100)),
                ([Currency.KWD], CurrencyRule(minimum=100)),
                supported=[Currency.USD, Currency.JPY, Currency.KWD, Currency.ISK],
            ),
            "KWD multiple_of: the facts say 10",
        ),
        (  # a minimum dropped
            table_for(
                ([Currency.ISK], CurrencyRule(exponent=2, multiple_of=100)),
                ([Currency.KWD], CurrencyRule(multiple_of=10)),
                supported=[Currency.USD, Currency.JPY, Currency.KWD, Currency.ISK],
            ),
            "KWD minimum: the facts say 100",
        ),
        (  # a supported currency removed
            table_for(
                ([Currency.ISK], CurrencyRule(exponent=2, multiple_of=100)),
                ([Currency.KWD], CurrencyRule(multiple_of=10, minimum=100)),
                supported=[Currency.USD, Currency.KWD, Currency.ISK],
            ),
            "JPY: the facts say supported",
        ),
        (  # every ISO currency claimed
            table_for(
                ([Currency.ISK], CurrencyRule(exponent=2, multiple_of=100)),
                ([Currency.KWD], CurrencyRule(multiple_of=10, minimum=100)),
            ),
            "EUR: the facts say not supported",
        ),
    ],
)
def test_each_wrong_currency_row_is_named_with_its_source(tmp_path, table, expected):
    facts = load_facts(write(tmp_path, MINIMAL))
    differences = currency_differences(table, facts)
    assert any(expected in line for line in differences), differences


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (broken.MgaRowDropped, {"facts:currencies", "property:money:Authorize"}),
        # ISK has no decimals in ISO 4217: x100 on the wire is always a multiple of 100, so only the
        # table comparison sees the dropped rule (a mutant the money property cannot tell apart)
        (broken.IskMultipleDropped, {"facts:currencies"}),
        (broken.PendingCaptureCharged, {"facts:statuses:Capture"}),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_a_bug_that_agrees_with_itself_is_refused_by_the_facts(cls, expected):
    result = certify(cls)
    assert result.verdict != "certified"
    assert expected <= set(result.failing), result.failing


def test_the_wrong_status_row_is_named_with_the_fact(tmp_path):
    result = certify(broken.PendingCaptureCharged)
    check = next(c for c in result.checks if c.id == "facts:statuses:Capture")
    assert "status='processing' became Charged; the facts say CaptureInitiated" in check.message


def test_a_connector_without_facts_is_not_certified(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for part in ("cassettes", "config", "connectors"):
        (root / part).symlink_to(ROOT / part, target_is_directory=True)
    (root / "specs").mkdir()
    shutil.copy(ROOT / "specs" / "stripe.yaml", root / "specs" / "stripe.yaml")
    result = certify(broken.MgaRowDropped, root=root)
    check = next(c for c in result.checks if c.id == "facts:file")
    assert check.status == "failed" and "no provider facts file" in check.message
    assert result.verdict != "certified"


@pytest.mark.parametrize(
    ("cls", "expected", "words"),
    [
        (broken.ErrorCodeAndMessageSwapped, "facts:outcome:decline_generic", "error code"),
        (broken.ErrorTypeAsCode, "facts:outcome:decline_generic", "the recorded answer says 'card_declined'"),
        (
            broken.DeclineCodeDropped,
            "facts:outcome:decline_insufficient_funds",
            "decline code 'insufficient_funds'",
        ),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_an_error_read_wrong_is_refused_against_the_recorded_body(cls, expected, words):
    result = certify(cls)
    assert expected in result.failing, result.failing
    check = next(c for c in result.checks if c.id == expected)
    assert words in check.message, check.message


def test_an_authorize_flow_without_a_declared_currency_field_fails_rather_than_skips():
    result = certify(broken.NoCurrencyFieldDeclared)
    check = next(c for c in result.checks if c.id == "property:money:Authorize")
    assert check.status == "failed" and "declares no currency_field" in check.message
