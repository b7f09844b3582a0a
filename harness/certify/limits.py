"""Connector code bounded in time: a check that hangs, forks or swallows its time-out ends; the run goes on.

`time_limit(seconds)` arms SIGALRM in the main thread: the handler raises `CheckTimeout` into
whatever connector code is running (a busy loop, a sleep, a lock acquire, a waitpid all return to
the interpreter for it). Child processes the check started are killed when it ends, and a forked
child that returns into the harness exits at once instead of running the rest of the suite twice.
What a signal cannot stop (a C loop, a handler that swallows every time-out) is ended by a watchdog
thread that kills the process `ESCALATE_AFTER` seconds past the limit: under pytest-xdist that is a
crashed worker, whose planned checks the controller reports as `error` (harness/certify/plugin.py).

Ctrl-C from the user raises `UserInterrupt`, which the suite lets through (exit 130); a
`KeyboardInterrupt` raised by connector code itself is just another fault of that connector.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NoReturn

DEFAULT_CHECK_TIMEOUT = 60.0  # seconds per check; the shipped connectors' slowest check takes well under 1 s
ESCALATE_AFTER = 5.0  # seconds past the limit before the watchdog gives up on the signal and kills
KILLED_EXIT_CODE = 70  # the process exit code when the watchdog kills it (EX_SOFTWARE)
_RE_ARM = 1.0  # a connector that catches the time-out gets it again this often


class CheckTimeout(BaseException):
    """A check overran its time limit (a BaseException: a connector's `except Exception` cannot eat it)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no result within {seconds:g} s")
        self.seconds = seconds


class ProcessExit(BaseException):
    """Connector code called `os._exit` during a check: stopped here instead of ending the run."""

    def __init__(self, status: int) -> None:
        super().__init__(f"os._exit({status})")
        self.status = status


_REAL_EXIT = os._exit


@contextlib.contextmanager
def exits_contained() -> Iterator[None]:
    """`os._exit` called by the check's own thread and process raises `ProcessExit` instead.

    A forked child and the harness's other threads (the watchdog) still exit for real.
    """
    pid, thread = os.getpid(), threading.current_thread()

    def contained(status: int) -> NoReturn:
        if os.getpid() == pid and threading.current_thread() is thread:
            raise ProcessExit(status)
        _REAL_EXIT(status)

    os._exit = contained
    try:
        yield
    finally:
        os._exit = _REAL_EXIT


class UserInterrupt(KeyboardInterrupt):
    """Ctrl-C from the user during a check: stops the run, never blamed on the connector."""


def supported() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str = "check") -> Iterator[None]:
    """Run the body with at most `seconds` of wall time; raises `CheckTimeout` when it overruns."""
    if not seconds or not supported():
        yield
        return
    pid = os.getpid()
    mark = last_created_pid()
    before = _children_before(pid, mark)
    done = threading.Event()

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        if done.is_set():
            return
        signal.setitimer(signal.ITIMER_REAL, _RE_ARM)
        raise CheckTimeout(seconds)

    def on_interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise UserInterrupt()

    previous_alarm = signal.signal(signal.SIGALRM, on_alarm)
    previous_interrupt = signal.signal(signal.SIGINT, on_interrupt)
    outer = _WATCHDOG.arm(_Armed(done, time.monotonic() + seconds, seconds, what, pid, before))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with exits_contained():
            yield
    finally:
        done.set()
        _WATCHDOG.disarm(outer)
        signal.setitimer(signal.ITIMER_REAL, 0)
        if os.getpid() != pid:
            _REAL_EXIT(0)  # a child forked by connector code came back into the harness: it must not go on
        signal.signal(signal.SIGALRM, previous_alarm)
        signal.signal(signal.SIGINT, previous_interrupt)
        if mark is None or last_created_pid() != mark:  # else no process was created meanwhile
            kill_new_children(pid, before)


_console: list[int] = []  # a copy of the user's stderr, taken before pytest captures it


def keep_console() -> None:
    """Keep a descriptor of the real stderr, so that the watchdog's last line reaches the user even
    while pytest captures output (a process ended with `os._exit` loses whatever was captured)."""
    if not _console:
        _console.append(os.dup(2))


def _say(text: str) -> None:
    sys.stderr.flush()
    os.write(_console[0] if _console else 2, text.encode("utf-8", "replace"))


@dataclass(frozen=True)
class _Armed:
    """The check under way: when its limit passes, and what to kill."""

    done: threading.Event
    deadline: float
    seconds: float
    what: str
    pid: int
    before: set[int]


class _Watchdog:
    """One thread per process for every check, started with the first: arming and disarming it is
    an assignment (a thread started per check cost ~0.1 ms, ~15 ms a connector). It looks every
    `POLL` seconds, which is all the precision its two acts need: past the limit it kills the
    check's new children (so that a waitpid returns); `ESCALATE_AFTER` seconds later it ends the
    process. The time-out itself is SIGALRM's, on time."""

    POLL = 0.2

    def __init__(self) -> None:
        self._armed: _Armed | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def arm(self, armed: _Armed) -> _Armed | None:
        """Watch `armed`; returns what was watched before, for `disarm` to restore."""
        previous, self._armed = self._armed, armed
        if self._pid != os.getpid():  # the first check of this process (a forked one included)
            with self._lock:
                if self._pid != os.getpid():
                    self._pid = os.getpid()
                    threading.Thread(target=self._watch, name="certify-watchdog", daemon=True).start()
        return previous

    def disarm(self, previous: _Armed | None = None) -> None:
        self._armed = previous

    def _watch(self) -> None:
        pid = os.getpid()
        while os.getpid() == pid:
            time.sleep(self.POLL)
            armed = self._armed
            if armed is None or time.monotonic() < armed.deadline or armed.done.is_set():
                continue
            kill_new_children(armed.pid, armed.before)  # a child the check waits on: waitpid returns
            if armed.done.wait(ESCALATE_AFTER):
                continue
            _say(
                f"certify: {armed.what} did not stop {ESCALATE_AFTER:g} s after its {armed.seconds:g} s "
                "limit (stuck where a signal cannot reach, or it swallows the time-out); "
                "killing this process\n"
            )
            _REAL_EXIT(KILLED_EXIT_CODE)


_WATCHDOG = _Watchdog()


_LOADAVG: list[int] = []  # a descriptor of /proc/loadavg, opened once
_KNOWN_CHILDREN: list[tuple[int, bytes, frozenset[int]]] = []  # (pid, mark, its descendants then)


def last_created_pid() -> bytes | None:
    """The id of the process (or thread) created last in this PID namespace (Linux: the last field
    of /proc/loadavg, read through one open descriptor, under a microsecond); None elsewhere. While
    it is unchanged nothing was created, so no process can have been started: a check then needs
    neither list of the processes below this one (two walks of /proc a check, ~45 us each)."""
    if not _LOADAVG:
        try:
            _LOADAVG.append(os.open("/proc/loadavg", os.O_RDONLY))
        except OSError:
            _LOADAVG.append(-1)
    if _LOADAVG[0] < 0:
        return None
    try:
        return os.pread(_LOADAVG[0], 128, 0).rsplit(None, 1)[-1]
    except (OSError, IndexError):
        return None


def _children_before(pid: int, mark: bytes | None) -> set[int]:
    """The processes below `pid` now: listed again unless nothing was created since the last list
    (`mark`, read before this call, equal to the mark read before that list; processes that ended
    since may still be in it, which only means they are not counted as new)."""
    if mark is not None and _KNOWN_CHILDREN and _KNOWN_CHILDREN[0][:2] == (pid, mark):
        return set(_KNOWN_CHILDREN[0][2])
    found = set(descendants(pid))
    if mark is not None:
        _KNOWN_CHILDREN[:] = [(pid, mark, frozenset(found))]
    return found


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc; elsewhere none are known)."""
    found: list[int] = []
    queue = [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")  # os calls, not pathlib: this runs twice a check
        except OSError:
            continue  # no /proc (not Linux), or the process is gone
        for task in tasks:
            with contextlib.suppress(OSError, ValueError):
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as handle:
                    children = [int(p) for p in handle.read().split()]
                found.extend(children)
                queue.extend(children)
    return found


def kill_new_children(pid: int, before: set[int]) -> list[int]:
    """Kill the processes started below `pid` since `before` was taken; returns their ids."""
    killed = [child for child in descendants(pid) if child not in before]
    for child in killed:
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    for child in killed:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(child, 0)  # direct children only; the others are reaped by init
    return killed


_SKIPPED_ROOTS = tuple(
    str(Path(p).resolve()) for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (p := sysconfig.get_paths().get(key))
)  # fmt: skip
_HARNESS = Path(__file__).resolve().parents[1]


def where(error: BaseException, root: Path | None = None) -> str:
    """`path:line` of the innermost frame of connector code (not the harness, stdlib or libraries)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename).resolve()
        text = str(path)
        if text.startswith(_SKIPPED_ROOTS) and "connectors" not in path.parts:
            continue
        if path.is_relative_to(_HARNESS) or frame.filename.startswith("<"):
            continue
        if root is not None and path.is_relative_to(root):
            text = str(path.relative_to(root))
        return f"{text}:{frame.lineno}"
    return ""


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """What is alive now is left out of the cyclic garbage collector's passes until the block ends
    (`gc.freeze`): a run's imports, plan, loaded connectors and results live to its end, and every
    full pass walked them again (~5% of a run of 20 connectors). Freed by reference counting as
    ever; cycles among them are collected again once the block ends (`gc.unfreeze`)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
