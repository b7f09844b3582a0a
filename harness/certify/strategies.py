"""Hypothesis strategies in payment terms: currencies, amounts, reference ids."""

from __future__ import annotations

from hypothesis import strategies as st

from harness.domain.amounts import CurrencyTable
from harness.domain.currency import Currency
from harness.domain.money import MinorUnit

EDGE_AMOUNTS = (
    1,
    5,
    9,
    10,
    11,
    49,
    50,
    99,
    100,
    101,
    999,
    1000,
    1005,
    5124,
    9999,
    10000,
    99999999,
    100000000,
)


def currencies(table: CurrencyTable | None = None) -> st.SearchStrategy[Currency]:
    """Any currency the provider accepts, with its deviating rows drawn more often."""
    supported = table.supported_currencies() if table is not None else list(Currency)
    deviating = [c for c in supported if table is not None and c in table.rules]
    if deviating:
        return st.one_of(st.sampled_from(deviating), st.sampled_from(supported))
    return st.sampled_from(supported)


def minor_amounts(max_value: int = 10**12) -> st.SearchStrategy[MinorUnit]:
    """Positive amounts, biased to the edges where exponents and multiples bite."""
    return st.one_of(
        st.sampled_from([a for a in EDGE_AMOUNTS if a <= max_value]),
        st.integers(min_value=1, max_value=10**6),
        st.integers(min_value=1, max_value=max_value),
    ).map(MinorUnit)


REFERENCE_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."


def reference_ids(min_size: int = 1, max_size: int = 64) -> st.SearchStrategy[str]:
    """Merchant references as merchants write them: letters, digits, '-', '_', '.'.

    Short and long ones are drawn equally often (hypothesis alone favours short text), so the
    lengths where providers cut off are always reached.
    """
    middle = max(min_size, min(max_size, (min_size + max_size) // 2))
    short = st.text(alphabet=REFERENCE_ALPHABET, min_size=min_size, max_size=middle)
    long = st.text(alphabet=REFERENCE_ALPHABET, min_size=middle, max_size=max_size)
    return st.one_of(short, long).filter(lambda s: s.strip(".") != "")


def references_around(limit: int | None) -> st.SearchStrategy[str]:
    """References within a documented length limit and just beyond it, half and half."""
    if limit is None:
        return reference_ids()
    return st.one_of(reference_ids(max_size=limit), reference_ids(min_size=limit + 1, max_size=limit + 40))


def unknown_statuses() -> st.SearchStrategy[str]:
    """Status values no provider documents."""
    return st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=16).map(
        lambda s: f"certify_unknown_{s}"
    )
