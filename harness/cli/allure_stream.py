"""allure-results/ written while the suite runs, by a process of its own.

A check is one allure result file, and creating a file costs the kernel 30-300 us on this
machine's disk (from one minute to the next): ~150 files a connector, up to ~45 ms of every
connector when the run wrote them at its end. Here each connector's results go, as soon as its
last check has reported, to a small writer process that creates the files in the run's staged
folder while the checks of the next connectors run (a thread of this process would wait for the
GIL after each system call). What is not written by then (a connector whose checks did not all
report, the checks the plugin adds for them) is written when the suite ends. The files are those
`write_allure_results` writes: same names, same content.

Any failure of the writer process (it cannot start, it dies, the disk fills) falls back to
writing every result here once the suite ends, as before, where an error is raised as ever.
"""

from __future__ import annotations

import contextlib
import struct
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import pytest

from harness.certify.plugin import payload_of
from harness.certify.results import CheckResult, Results
from harness.cli.progress import PlanListener, connector_of
from harness.report.allure import result_file, write_allure_results

# The writer: reads (name length, data length, name, data) records from stdin and creates each file
# in the folder given; imports nothing of the harness (it starts in ~20 ms)
_WRITER = r"""
import os, struct, sys
folder, stdin = sys.argv[1], sys.stdin.buffer
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
while True:
    head = stdin.read(8)
    if len(head) < 8:
        break
    sizes = struct.unpack(">II", head)
    name, data = stdin.read(sizes[0]).decode(), memoryview(stdin.read(sizes[1]))
    if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("."):
        sys.exit("allure writer: refused file name " + repr(name))
    handle = os.open(os.path.join(folder, name), flags, 0o644)
    try:
        while data:
            data = data[os.write(handle, data):]
    finally:
        os.close(handle)
"""


class AllureStream(PlanListener):
    """A pytest plugin of `certify run`: sends each finished connector's allure results to the
    writer process; `finish` writes the rest and waits for the writer."""

    def __init__(self, folder: Path, start_ms: int) -> None:
        self.folder = folder
        self.start_ms = start_ms
        self.totals: Counter[str] = Counter()
        self.reported: Counter[str] = Counter()  # items that reported their results, per connector
        self.pending: dict[str, list[CheckResult]] = {}
        self.sent: set[str] = set()
        self._process: subprocess.Popen[bytes] | None = None
        self._stdin: IO[bytes] | None = None
        self.failed = False
        with contextlib.suppress(OSError):
            self._process = subprocess.Popen(
                [sys.executable, "-c", _WRITER, str(folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            self._stdin = self._process.stdin
        if self._process is None:
            self.failed = True

    # ------------------------------------------------------------ the plan

    def planned(self, nodeids: Sequence[str]) -> None:
        self.totals.update(connector_of(n) for n in nodeids)

    # ------------------------------------------------------------ results

    @pytest.hookimpl(trylast=True)  # after the certify plugin has parsed the payload
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" or self.failed:
            return
        payload = payload_of(report)
        if payload is None:
            return
        name = payload.connector
        self.pending.setdefault(name, []).extend(payload.checks)
        self.reported[name] += 1
        if self.reported[name] == self.totals.get(connector_of(report.nodeid)):
            self._send(name, self.pending.pop(name))

    def _send(self, name: str, checks: list[CheckResult]) -> None:
        if self._stdin is None or self.failed:
            return
        records = bytearray()
        for check in checks:
            file_name, data = result_file(name, check, start_ms=self.start_ms)
            encoded = file_name.encode()
            records += struct.pack(">II", len(encoded), len(data)) + encoded + data
        try:
            self._stdin.write(records)
            self._stdin.flush()
        except OSError:  # the writer is gone: everything is written at the end instead
            self.failed = True
            return
        self.sent.add(name)

    def finish(self, results: Results) -> None:
        """Every result of `results` written in the folder: the connectors not sent yet here, then
        the writer waited for. If the writer failed, the folder is written whole here."""
        for connector in results.connectors:
            if connector.name not in self.sent:
                self._send(connector.name, connector.checks)
        error = self._close()
        if self.failed or error:
            for stale in self.folder.iterdir():
                stale.unlink()
            write_allure_results(results, self.folder, start_ms=self.start_ms)

    def _close(self) -> str:
        """Ends the writer; returns what it said if it failed."""
        if self._process is None:
            return "not started"
        with contextlib.suppress(OSError):
            if self._stdin is not None:
                self._stdin.close()
        err = self._process.stderr.read() if self._process.stderr is not None else b""
        if self._process.wait() != 0:
            self.failed = True
            return err.decode(errors="replace").strip() or f"exit {self._process.returncode}"
        return ""

    def abandon(self) -> None:
        """The run ends without its results: the writer is stopped (the staged folder is discarded)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
