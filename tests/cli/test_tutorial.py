"""The README's tutorial, run: its commands through the console script and its edits, read from
README.md, in a copy of the project, from `certify new acme_pay` to "certified". At each
`certify run` the first next step must name the file (and function) the tutorial edits next, and
every output line the README shows must be in the real output: the tutorial cannot rot."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from tests.cli.tutorial import (
    Command,
    Edit,
    Tutorial,
    apply_edit,
    copy_project,
    first_next_step,
    merge_python,
    names_the_next_edit,
    read_tutorial,
    shown_lines_missing,
)

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CERTIFY = str(Path(sys.executable).parent / "certify")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_readme_holds_the_tutorial_from_new_to_a_certified_run():
    steps = read_tutorial(README)
    commands = [s for s in steps if isinstance(s, Command)]
    edits = [s for s in steps if isinstance(s, Edit)]
    assert commands[0].argv[:3] == ["certify", "new", "acme_pay"]
    assert commands[-1].is_run and any("certified" in line for line in commands[-1].shown)
    assert {e.path for e in edits} >= {
        "connectors/acme_pay/transformers.py",
        "connectors/acme_pay/sandbox.py",
        "connectors/acme_pay/certification.toml",
        "specs/acme_pay.facts.toml",
    }
    # every function the scaffold leaves unwritten is written by some edit
    written = set().union(*(e.functions() for e in edits))
    for flow in ("authorize", "capture", "void", "refund"):
        assert {f"{flow}_request", f"{flow}_response"} <= written
    assert {"psync_response", "rsync_response", "error_response"} <= written


@pytest.mark.slow
def test_the_tutorial_takes_acme_pay_from_new_to_certified(tmp_path: Path):
    steps = read_tutorial(README)
    root = copy_project(ROOT, tmp_path / "project")
    tutorial = Tutorial(root, CERTIFY, free_port())
    runs = 0
    try:
        for index, step in enumerate(steps):
            if isinstance(step, Edit):
                apply_edit(root, step)
                continue
            played = tutorial.run(step)
            shown_port = played.output.replace(tutorial.port, "8765")
            where = f"`{' '.join(step.argv)}` (step {index})"
            assert not shown_lines_missing(step.shown, shown_port), (
                f"{where}: the README shows lines its output lacks: "
                f"{shown_lines_missing(step.shown, shown_port)}\n{played.output}"
            )
            if step.background:
                assert played.returncode is None, f"{where} stopped: {played.output}"
                continue
            if not step.is_run:
                assert played.returncode == 0, f"{where}: exit {played.returncode}\n{played.output}"
                continue
            runs += 1
            following = next((s for s in steps[index + 1 :] if isinstance(s, Edit)), None)
            if following is None:
                assert played.returncode == 0, played.output
                assert "acme_pay         certified" in played.output, played.output
                continue
            assert played.returncode == 1, played.output
            first = first_next_step(played.output)
            assert first is not None, f"{where}: no next steps\n{played.output}"
            assert names_the_next_edit(first, following) is None, names_the_next_edit(first, following)
    finally:
        tutorial.stop()
    assert runs >= 6


# ------------------------------------------------------------------ the tutorial's own machinery


def test_a_shown_line_the_output_lacks_is_reported():
    output = "acme_pay         not_certified  score   0  5 passed\nreport: reports/index.html\n"
    assert shown_lines_missing(["report: reports/index.html", "[...]"], output) == []
    assert shown_lines_missing(["acme_pay not_certified [...]"], output) == []
    assert shown_lines_missing(["acme_pay certified [...]"], output) == ["acme_pay certified [...]"]
    assert shown_lines_missing(["report: [...]/index.html"], output) == []


def test_a_next_step_that_names_another_file_or_function_is_refused():
    edit = Edit("edit", "connectors/acme_pay/transformers.py", "def capture_request():\n    pass\n")
    named = "Capture is not implemented yet: write capture_request in connectors/acme_pay/transformers.py"
    assert names_the_next_edit(named, edit) is None
    other = "Void is not implemented yet: write void_request in connectors/acme_pay/transformers.py"
    assert "void_request" in (names_the_next_edit(other, edit) or "")
    facts = "facts: specs/acme_pay.facts.toml: no provider facts file"
    assert "does not name connectors/acme_pay/transformers.py" in (names_the_next_edit(facts, edit) or "")


def test_an_edit_merges_by_name_and_keeps_the_rest():
    source = (
        "from a import (\n    x,\n)\n\n# money\nTABLE = 1\n\n\nclass Sandbox:\n    x = 1\n\n"
        "    def f(self):\n        return 1\n\n\ndef g():\n    raise NotImplementedError\n"
    )
    block = (
        "from a import (\n    x,\n    y,\n)\n\nNEW = 2\n\n\nclass Sandbox:\n    x = 2\n\n"
        "    def h(self):\n        return 3\n\n\ndef g():\n    return NEW\n"
    )
    merged = merge_python(source, block)
    namespace: dict[str, object] = {}
    exec(compile(merged.replace("from a import (\n    x,\n    y,\n)\n", ""), "merged", "exec"), namespace)
    sandbox = namespace["Sandbox"]()  # type: ignore[operator]
    assert (sandbox.x, sandbox.f(), sandbox.h()) == (2, 1, 3)  # x replaced, f kept, h added
    assert namespace["g"]() == 2 and namespace["TABLE"] == 1  # type: ignore[operator]
    assert "    y,\n" in merged and merged.count("from a import") == 1
    with pytest.raises(ValueError, match="without a name"):
        merge_python(source, "print('no name')\n")
