"""TOML files parsed once per content, in a process and across runs."""

from __future__ import annotations

import tomllib

import pytest

from harness.certify import tomlfiles


@pytest.fixture
def parses(monkeypatch):
    monkeypatch.setattr(tomlfiles, "_PARSED", type(tomlfiles._PARSED)())
    monkeypatch.setattr(tomlfiles, "_across_runs", [])
    calls: list[str] = []
    real = tomllib.loads

    def counted(text: str):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(tomlfiles.tomllib, "loads", counted)
    return calls


def test_the_same_content_is_parsed_once_and_each_caller_gets_its_own_copy(tmp_path, parses):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    for path in (first, second):
        path.write_text('[cards.ok]\nnumber = "4242"\nwhen = 2026-01-01T00:00:00Z\n')
    data = tomlfiles.read_toml(first)
    data["cards"]["ok"]["number"] = "changed by a caller"
    assert tomlfiles.read_toml(second)["cards"]["ok"]["number"] == "4242"
    assert len(parses) == 1
    first.write_text('[cards.ok]\nnumber = "5555"\n')  # same name, new content: parsed again
    assert tomlfiles.read_toml(first)["cards"]["ok"]["number"] == "5555" and len(parses) == 2


def test_a_parse_kept_in_the_cache_folder_serves_a_later_process(tmp_path, parses):
    path = tmp_path / "facts.toml"
    path.write_text('provider = "x"\n[[statuses]]\nvalue = "ok"\nwhen = 2026-01-01T10:00:00+02:00\n')
    tomlfiles.keep_parsed_toml(tmp_path / "cache")
    expected = tomlfiles.read_toml(path)
    tomlfiles._PARSED.clear()  # a new process: nothing parsed in it yet
    assert tomlfiles.read_toml(path) == expected and len(parses) == 1
    for kept in (tmp_path / "cache" / tomlfiles.PARSED_TOML).rglob("*.pickle"):
        kept.write_bytes(b"garbage")  # a cache that cannot be read costs a parse, never a result
    tomlfiles._PARSED.clear()
    assert tomlfiles.read_toml(path) == expected and len(parses) == 2


def test_a_malformed_file_raises_every_time_and_is_never_kept(tmp_path, parses):
    path = tmp_path / "bad.toml"
    path.write_text("[cards\n")
    tomlfiles.keep_parsed_toml(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(tomllib.TOMLDecodeError):
            tomlfiles.read_toml(path)
    assert len(parses) == 2 and not list((tmp_path / "cache").rglob("*.pickle"))
    path.write_bytes(b'name = "\xff"\n')
    with pytest.raises(UnicodeDecodeError):
        tomlfiles.read_toml(path)


def test_line_ends_are_read_as_text_mode_reads_them(tmp_path, parses):
    path = tmp_path / "crlf.toml"
    path.write_bytes(b'text = """\r\none\r\ntwo"""\r\n')
    assert tomlfiles.read_toml(path) == tomllib.loads(path.read_text(encoding="utf-8"))
