"""The throughput benchmark of `certify mutate` measures both operator kinds."""

from __future__ import annotations

import pytest

from benchmarks import mutate_bench


@pytest.mark.slow
def test_the_benchmark_gives_a_rate_for_table_and_ast_operators():
    rows = mutate_bench.measure("adyen", 1)
    assert [r["kind"] for r in rows] == ["table", "ast"]
    for row in rows:
        assert row["mutants"] == 1
        assert (
            isinstance(row["mutants_per_second_per_core"], float) and row["mutants_per_second_per_core"] > 0
        )
