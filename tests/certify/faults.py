"""Deliberately faulty connectors: Stripe whose Void request transform hangs, forks, exits or skips.

The fault strikes the first time the transform runs in a process (later calls behave), so that
one check meets it and a short time limit keeps the test quick. `SleepsForever` touches the file
named by `CERTIFY_FAULT_MARKER`, when set, as it gets stuck.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import Flow
from tests.certify.broken import _with

_struck: set[str] = set()


def _first_time(name: str) -> bool:
    if name in _struck:
        return False
    _struck.add(name)
    return True


def _faulty(name: str, fault: Any) -> Any:
    def void_request(rd: Any, ctx: Any) -> t.StripeCancelRequest:
        if _first_time(name):
            fault()
        return t.void_request(rd, ctx)

    return void_request


def busy_loop() -> None:
    while True:
        pass


def sleep_forever() -> None:
    marker = os.environ.get("CERTIFY_FAULT_MARKER")
    if marker:
        Path(marker).touch()  # tells a test that the check is now stuck
    time.sleep(3600)


def deadlock() -> None:
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()


def fork_and_wait() -> None:
    child = os.fork()
    if child == 0:  # the child never ends; the connector waits for it
        time.sleep(3600)
        os._exit(0)
    os.waitpid(child, 0)


def fork_and_return() -> None:
    os.fork()  # both processes return into the harness: only one may go on


class CustomStop(BaseException):
    """A BaseException subclass of the connector's own."""


def _raise(error: BaseException) -> Any:
    def fault() -> None:
        raise error

    return fault


def _connector(name: str, fault: Any) -> type[Stripe]:
    flows = _with(Flow.VOID, build_request=_faulty(name, fault))
    return type(name, (Stripe,), {"id": f"faulty_{name.lower()}", "base_url_key": "stripe", "flows": flows})


BusyLoop = _connector("BusyLoop", busy_loop)
SleepsForever = _connector("SleepsForever", sleep_forever)
Deadlock = _connector("Deadlock", deadlock)
ForksAndWaits = _connector("ForksAndWaits", fork_and_wait)
ForksAndReturns = _connector("ForksAndReturns", fork_and_return)
ExitsTheProcess = _connector("ExitsTheProcess", _raise(SystemExit(3)))
SkipsItsCheck = _connector("SkipsItsCheck", lambda: pytest.skip("not today"))
RaisesKeyboardInterrupt = _connector("RaisesKeyboardInterrupt", _raise(KeyboardInterrupt()))
RaisesCustomBaseException = _connector("RaisesCustomBaseException", _raise(CustomStop("stop")))
HANGS = (BusyLoop, SleepsForever, Deadlock, ForksAndWaits)


def exit_at_once() -> None:
    os._exit(1)  # no exception, no cleanup: without the harness's guard the process is gone


def kill_itself() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as a crash in native code would: nothing can catch it


def swallow_every_time_out() -> None:
    while True:  # the time-out arrives as an exception: this connector eats it, every time
        try:
            while True:
                time.sleep(0.01)  # waits without burning a core the other tests need
        except BaseException:
            pass


def write_to_the_descriptors() -> None:
    canary = os.environ.get("CERTIFY_FAULT_CANARY", "")
    os.write(1, f"fd1 {canary}\n".encode())  # below sys.stdout: as native code or a child writes
    os.write(2, f"fd2 {canary}\n".encode())
    subprocess.run(["echo", f"child {canary}"], check=False)


ExitsAtOnce = _connector("ExitsAtOnce", exit_at_once)
WritesToTheDescriptors = _connector("WritesToTheDescriptors", write_to_the_descriptors)
KillsItsProcess = _connector("KillsItsProcess", kill_itself)
SwallowsTheTimeOut = _connector("SwallowsTheTimeOut", swallow_every_time_out)
