"""What lives to the end of a run is left out of the cyclic garbage collector's passes, and given
back to it when the run (or the session, in every process) ends."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

from harness.certify import plugin
from harness.certify.limits import frozen_heap


def test_the_heap_is_frozen_within_the_block_and_given_back_even_when_it_raises():
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), frozen_heap():
        assert gc.get_freeze_count() > 0
        raise RuntimeError("a run that fails")
    assert gc.get_freeze_count() == 0


def test_the_plugin_freezes_after_collection_and_gives_the_heap_back_when_the_session_ends(tmp_path):
    config = SimpleNamespace(stash=pytest.Stash())
    config.stash[plugin.STATE] = plugin.CertifyState(tmp_path, [], "ci", None, None, None, 1.0)
    session = SimpleNamespace(config=config, items=[])
    plugin.pytest_collection_finish(session)  # type: ignore[arg-type]
    assert gc.get_freeze_count() > 0
    config.workerinput = {}  # as in an xdist worker, which reports nothing itself
    plugin.pytest_sessionfinish(session, 0)  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0


def test_nothing_is_frozen_without_the_certify_plugin_in_use():
    config = SimpleNamespace(stash=pytest.Stash())
    plugin.pytest_collection_finish(SimpleNamespace(config=config, items=[]))  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0
