"""Example tapes: a property replays the examples a passing run recorded, with the same power."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from harness.certify.contracts import VALID_EXCHANGES
from harness.certify.example_tapes import TAPES, TapeStore, cache_root, canonical, tape_key
from harness.certify.properties import PropertyFailure, profile_named, run_property
from harness.domain.currency import Currency
from harness.domain.money import MinorUnit
from tests.conftest import ROOT, certify_command

DRAWN: list[int] = []


def _drawn(n: int) -> MinorUnit:
    DRAWN.append(n)  # counts what hypothesis generates (a replayed tape generates nothing)
    return MinorUnit(n)


def _cases() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "amount": st.integers(1, 10**9).map(_drawn),
            "currency": st.sampled_from([Currency.USD, Currency.JPY]),
        }
    )


CI = profile_named("ci")


def test_a_passing_run_records_and_the_next_replays_the_same_examples_without_generating(tmp_path):
    tapes = TapeStore(tmp_path)
    first: list[dict[str, Any]] = []
    outcome = run_property(lambda case: first.append(case), _cases(), CI, max_examples=40, tapes=tapes)
    assert outcome.passed and outcome.examples == 40 and len(first) == 40
    DRAWN.clear()
    second: list[dict[str, Any]] = []
    again = run_property(lambda case: second.append(case), _cases(), CI, max_examples=40, tapes=tapes)
    assert DRAWN == []  # nothing generated
    assert second == first and again.message == outcome.message == "held for 40 examples"


def test_a_failure_on_a_recorded_example_is_found_and_minimized_as_without_a_tape(tmp_path):
    tapes = TapeStore(tmp_path)
    assert run_property(lambda case: None, _cases(), CI, max_examples=40, tapes=tapes).passed

    def broken(case: dict[str, Any]) -> None:
        if case["amount"].value >= 1000:
            raise PropertyFailure("an amount of 1000 or more is refused")

    without = run_property(broken, _cases(), CI, max_examples=40)
    with_tape = run_property(broken, _cases(), CI, max_examples=40, tapes=tapes)
    assert not without.passed and not with_tape.passed
    assert with_tape.message == without.message and with_tape.example == without.example
    assert "amount=1000" in (with_tape.example or "")  # minimized, as hypothesis does


def test_the_key_changes_with_what_decides_the_examples():
    base = tape_key(_cases(), "ctx", 40)
    assert base is not None and base == tape_key(_cases(), "ctx", 40)
    assert tape_key(_cases(), "other ctx", 40) != base  # what the strategy's filters read
    assert tape_key(_cases(), "ctx", 41) != base
    assert tape_key(st.integers(1, 10).map(_drawn), "ctx", 40) != base
    assert tape_key(_cases(), "ctx", 40, content="a schema's content") != base


def test_a_strategy_shown_by_an_address_is_never_taped(tmp_path):
    class Opaque:
        pass

    strategy = st.fixed_dictionaries({"thing": st.just(Opaque())})
    assert " at 0x" in repr(strategy) and tape_key(strategy, "", 10) is None
    run_property(lambda case: None, strategy, CI, max_examples=10, tapes=TapeStore(tmp_path))
    assert not (tmp_path / TAPES).exists()


def test_the_dev_profile_generates_every_time(tmp_path):
    run_property(
        lambda case: None, _cases(), profile_named("dev", 7), max_examples=10, tapes=TapeStore(tmp_path)
    )
    assert not (tmp_path / TAPES).exists()


class _Boom:
    def __reduce__(self) -> Any:
        return (os.system, ("echo tape-ran >&2",))


def test_a_tape_that_is_corrupt_or_names_a_foreign_callable_is_never_run_and_is_regenerated(tmp_path, capfd):
    tapes = TapeStore(tmp_path)
    key = tape_key(_cases(), "", 20)
    assert key is not None
    path = tapes.folder / key[:2] / f"{key}.pickle"
    path.parent.mkdir(parents=True)
    for poison in (pickle.dumps([{"x": _Boom()}]), b"\x80\x05not a pickle", pickle.dumps({"not": "a list"})):
        path.write_bytes(poison)
        assert tapes.load(key) is None
        DRAWN.clear()
        assert run_property(lambda case: None, _cases(), CI, max_examples=20, tapes=tapes).passed
        assert len(DRAWN) == 20  # generated again
        assert isinstance(tapes.load(key), list)  # and the tape rewritten whole
    assert "tape-ran" not in capfd.readouterr().err


def test_canonical_text_is_the_same_whatever_the_set_order():
    assert canonical(frozenset({Currency.USD, Currency.EUR})) == canonical(
        frozenset({Currency.EUR, Currency.USD})
    )
    assert canonical({"b": 1, "a": {2, 1}}) == "{'a': {1, 2}, 'b': 1}"


def test_cache_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CERTIFY_CACHE_DIR", str(tmp_path / "c"))
    assert cache_root(Path("/project")) == tmp_path / "c"
    monkeypatch.setenv("CERTIFY_CACHE_DIR", "off")
    assert cache_root(Path("/project")) is None
    monkeypatch.delenv("CERTIFY_CACHE_DIR")
    assert cache_root(Path("/project")) == Path("/project/.certify-cache")


def _run(tmp_path: Path, name: str, cache: str) -> dict[str, tuple[str, str]]:
    env = {**os.environ, "CERTIFY_CACHE_DIR": cache}
    report = tmp_path / name
    subprocess.run(
        [*certify_command(), "run", "checkout", "--report-dir", str(report)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    results = json.loads((report / "results.json").read_text())
    return {c["id"]: (c["status"], c["message"]) for c in results["connectors"][0]["checks"]}


@pytest.mark.slow
def test_a_run_from_tapes_gives_the_results_of_a_run_without_them(tmp_path):
    cache = str(tmp_path / "cache")
    off = _run(tmp_path, "off", "off")
    cold = _run(tmp_path, "cold", cache)
    assert any((tmp_path / "cache" / TAPES).rglob("*.pickle"))
    assert any((tmp_path / "cache" / VALID_EXCHANGES).glob("*.digests"))  # the warm run validates less
    warm = _run(tmp_path, "warm", cache)
    assert off == cold == warm


# ------------------------------------------------------------------ parsed cassettes, across runs


def test_a_cassette_parsed_in_an_earlier_run_is_read_back_equal_without_parsing(tmp_path, monkeypatch):
    from harness.certify.cassettes import replay

    cassette = ROOT / "cassettes" / "stripe" / "authorize_auto_capture.yaml"
    replay.keep_parsed_cassettes(tmp_path)
    try:
        replay.clear_parse_cache()
        first = replay.load_cassette(cassette)
        assert any((tmp_path / replay.READY_CASSETTES).rglob("*.pickle"))
        replay.clear_parse_cache()  # a new process

        def no_yaml(text: str) -> Any:
            raise AssertionError("parsed again")

        monkeypatch.setattr(replay.SAFE_SERIALIZER, "deserialize", no_yaml)
        again = replay.load_cassette(cassette)

        def exchanges(loaded: Any) -> list[Any]:
            return [(r.method, r.uri, r.body, r.header_items(), answer) for r, answer in loaded.exchanges]

        assert exchanges(again) == exchanges(first) and again.interactions == first.interactions > 0
        assert again.provenance == first.provenance
    finally:
        replay.keep_parsed_cassettes(None)
        replay.clear_parse_cache()


def test_a_spec_parsed_in_an_earlier_run_is_read_back_equal_without_parsing(tmp_path, monkeypatch):
    from harness.certify import contracts

    spec = ROOT / "specs" / "checkout.yaml"
    contracts.keep_parsed_specs(tmp_path)
    try:
        contracts._parsed_document.cache_clear()
        first = contracts.load_spec(spec).document
        assert any((tmp_path / contracts.PARSED_SPECS).rglob("*.pickle"))
        contracts._parsed_document.cache_clear()  # a new process

        def no_yaml(*_args: Any, **_kwargs: Any) -> Any:
            raise AssertionError("parsed again")

        monkeypatch.setattr(contracts.yaml, "load", no_yaml)
        assert contracts.load_spec(spec).document == first
        copy = tmp_path / "changed.yaml"  # other content is another key: parsed, never the kept one
        copy.write_text(spec.read_text() + "\n# changed\n")
        with pytest.raises(AssertionError, match="parsed again"):
            contracts.load_spec(copy)
    finally:
        contracts.keep_parsed_specs(None)
        contracts._parsed_document.cache_clear()


def test_an_alias_bomb_is_refused_with_a_cache_and_never_kept(tmp_path):
    from harness.certify.cassettes import replay
    from harness.certify.cassettes.format import CassetteError

    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    bomb.write_text("\n".join(lines) + "\ninteractions: *a7\n")
    replay.keep_parsed_cassettes(tmp_path / "cache")
    try:
        for _ in range(2):
            replay.clear_parse_cache()
            with pytest.raises(CassetteError, match="alias bomb"):
                replay.load_cassette(bomb)
        assert not list((tmp_path / "cache").rglob("*.pickle"))
    finally:
        replay.keep_parsed_cassettes(None)
        replay.clear_parse_cache()
