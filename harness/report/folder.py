"""One certify run at a time per report folder, and allure-results swapped in whole.

The lock is an OS-level `flock` on `<folder>/.certify.lock`: the kernel drops it when the
process ends, kill -9 included, so a crashed run never leaves the folder locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from harness.domain.errors import HarnessError

LOCK_FILE = ".certify.lock"
ALLURE_RESULTS = "allure-results"
ALLURE_STAGING_PREFIX = ".allure-results."


class ReportFolderError(HarnessError):
    """The report folder cannot be used: not a folder, not writable, or in use by another run."""


def usable_folder(path: Path, option: str = "--report-dir") -> Path:
    """Create `path` if needed; a file, or a place that cannot hold a folder, is a one-line error."""
    if path.exists() and not path.is_dir():
        raise ReportFolderError(
            f"{option} {path} is a file, not a folder", hint="pass a folder for the reports"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportFolderError(
            f"{option} {path}: cannot create the folder ({error.strerror or type(error).__name__})",
            hint="pass a writable folder for the reports",
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ReportFolderError(
            f"{option} {path} is not writable", hint="pass a writable folder for the reports"
        )
    return path


@dataclass
class ReportFolderLock:
    path: Path
    _handle: IO[str] | None = None

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the descriptor drops the flock
            self._handle = None


def lock_folder(path: Path, option: str = "--report-dir") -> ReportFolderLock:
    """Take the folder for this process, or refuse at once if another run holds it."""
    usable_folder(path, option)
    lock_path = path / LOCK_FILE
    try:
        handle = lock_path.open("a+", encoding="utf-8")
    except OSError as error:
        raise ReportFolderError(
            f"{option} {path}: cannot open {LOCK_FILE} ({error.strerror or type(error).__name__})",
            hint="pass a writable folder for the reports",
        ) from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise ReportFolderError(
            f"{option} {path} is in use by another certify run ({holder})",
            hint="wait for it to finish or pass another --report-dir",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return ReportFolderLock(path, handle)


def staged_allure_dir(report_dir: Path) -> Path:
    """A fresh hidden folder for this run's allure results; leftovers of earlier runs (killed, or
    whose retired folder was still being removed) are removed in the background first (the caller
    holds the folder's lock, so no live run owns them; the leak scan skips them)."""
    for leftover in report_dir.glob(f"{ALLURE_STAGING_PREFIX}*"):
        remove_in_background(leftover)
    return Path(tempfile.mkdtemp(prefix=ALLURE_STAGING_PREFIX, dir=report_dir))


def swap_in_allure(staged: Path, report_dir: Path) -> tuple[Path, subprocess.Popen[bytes] | None]:
    """Replace allure-results/ with the staged folder: two renames. The old one is removed in the
    background (`remove_in_background`): returns the new folder and that removal, if any."""
    final = report_dir / ALLURE_RESULTS
    retired = None
    if final.exists():
        retired = Path(tempfile.mkdtemp(prefix=ALLURE_STAGING_PREFIX + "old.", dir=report_dir))
        os.replace(final, retired / ALLURE_RESULTS)
    os.replace(staged, final)
    return final, remove_in_background(retired) if retired is not None else None


# removes the folder given, whatever this process does meanwhile; imports nothing of the harness
_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def remove_in_background(folder: Path) -> subprocess.Popen[bytes] | None:
    """Remove a folder by a process of its own, which outlives this one. An allure folder holds a
    file per check: removing that of 100 connectors took ~3.5 s of kernel time on this machine's
    disk, which a run waited for before it could end (its files are no artifact of the run). Ended
    early, the folder is a leftover the next run removes the same way. Returns the process (None
    when it could not start: then removed here)."""
    try:
        return subprocess.Popen(
            [sys.executable, "-c", _REMOVE, str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C meant for the run does not stop it
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None


def discard(staged: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(staged)
