"""The `certify` command ends its process at once after its work and its cleanup: the exit code
kept, the atexit handlers run, the threads it must wait for joined, the output flushed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import atexit, sys, threading, time
from pathlib import Path
out = Path(sys.argv[1])
atexit.register(lambda: (out / "atexit").write_text("ran"))
def late():
    time.sleep(0.3)
    (out / "thread").write_text("done")
threading.Thread(target=late).start()
print("buffered output", end="")
sys.argv = ["certify", *sys.argv[2:]]
from harness.cli import console
console()
"""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_exit_code_the_handlers_the_threads_and_the_output_survive_the_quick_exit(tmp_path):
    done = run(tmp_path, "run", "no_such_connector")
    assert done.returncode == 2 and "unknown connector(s): no_such_connector" in done.stderr
    assert done.stdout.startswith("buffered output")
    assert (tmp_path / "atexit").read_text() == "ran"
    assert (tmp_path / "thread").read_text() == "done"
    assert run(tmp_path, "--help").returncode == 0
