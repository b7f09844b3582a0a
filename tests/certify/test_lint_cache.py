"""The lint check's findings kept across runs by the content of a connector's files."""

from __future__ import annotations

from harness.certify.checks import lint as lint_check
from harness.lint.engine import connector_files
from tests.lint.snippets import CASES
from tests.lint.test_rules import write_connector


def counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = lint_check.lint_package

    def linted(files, name):
        calls.append(name)
        return real(files, name)

    monkeypatch.setattr(lint_check, "lint_package", linted)
    return calls


def test_a_package_linted_before_is_answered_from_the_cache_with_the_same_findings(tmp_path, monkeypatch):
    case = CASES[0]
    package = write_connector(tmp_path / "project", case.bad)
    files = connector_files(package)
    fresh = lint_check.lint_package(files, "demo")
    assert case.rule in {f.rule for f in fresh}
    calls = counting(monkeypatch)
    linter = lint_check.cached_package_linter(tmp_path / "cache")
    assert linter(files, "demo") == fresh
    assert lint_check.cached_package_linter(tmp_path / "cache")(files, "demo") == fresh  # a later run
    assert calls == ["demo"]
    assert lint_check.cached_package_linter(None)(files, "demo") == fresh  # no cache folder: linted
    assert calls == ["demo", "demo"]


def test_a_changed_file_or_another_name_is_linted_again(tmp_path, monkeypatch):
    case = CASES[0]
    package = write_connector(tmp_path / "project", case.bad)
    calls = counting(monkeypatch)
    linter = lint_check.cached_package_linter(tmp_path / "cache")
    assert case.rule in {f.rule for f in linter(connector_files(package), "demo")}
    write_connector(tmp_path / "project", case.good)  # the violation fixed
    assert linter(connector_files(package), "demo") == []
    assert calls == ["demo", "demo"]
    write_connector(tmp_path / "project", case.bad)  # broken again: its findings were kept
    findings = linter(connector_files(package), "demo")
    assert case.rule in {f.rule for f in findings} and calls == ["demo", "demo"]
    renamed = linter(connector_files(package), "other")
    assert {f.connector for f in renamed} == {"other"} and calls[-1] == "other"


def test_an_unreadable_cache_entry_is_linted_again(tmp_path, monkeypatch):
    package = write_connector(tmp_path / "project", CASES[0].bad)
    linter = lint_check.cached_package_linter(tmp_path / "cache")
    first = linter(connector_files(package), "demo")
    for kept in (tmp_path / "cache" / lint_check.LINT_FINDINGS).rglob("*.pickle"):
        kept.write_bytes(b"not a pickle")
    calls = counting(monkeypatch)
    assert linter(connector_files(package), "demo") == first and calls == ["demo"]
