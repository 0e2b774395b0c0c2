"""Ctrl-C that ends a whole job (a CLI command), not only the fit that was running.

Inside a library call, :func:`netreg.train.fit` treats a ``KeyboardInterrupt`` as "stop
training now": it returns the weights reached, with ``stop_reason == "interrupted"``. A
command that trains dozens of fits and then writes files needs the opposite: the first Ctrl-C
must unwind everything and nothing may be written. :func:`ending_the_job` installs a SIGINT
handler that raises :class:`JobInterrupted` (a ``KeyboardInterrupt``, so every library's
clean-up still runs), which ``fit`` lets through, and records the request so that a publish
step (:func:`publishing`) refuses to start even if some code swallowed the exception.

This module imports nothing heavy: the CLI installs the handler before importing torch, so a
Ctrl-C during the (seconds-long) import is handled too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any


class JobInterrupted(KeyboardInterrupt):
    """Ctrl-C under :func:`ending_the_job`: end the job; ``fit`` does not swallow it."""


class _State:
    def __init__(self) -> None:
        self.requested = False  # a Ctrl-C came under ending_the_job()
        self.deferring = 0  # depth of publishing() blocks: a Ctrl-C waits for them to end
        self.written: list[str] = []  # files published before the Ctrl-C was honoured
        self.message: Callable[[], str] = str  # what an immediate quit prints
        self.starting = False  # still importing: quit at once (see ending_the_job)


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.starting or (_state.requested and _state.deferring == 0):
        # Still importing (an exception inside a C extension's import turns into an
        # ImportError, and nothing is open yet), or a second Ctrl-C while the first is still
        # unwinding (a stuck clean-up): quit now.
        sys.stderr.write(_state.message())
        sys.stderr.flush()
        os._exit(130)
    _state.requested = True
    if _state.deferring == 0:
        raise JobInterrupted()


@contextlib.contextmanager
def ending_the_job(message: Callable[[], str] = str, *, starting: bool = False) -> Iterator[None]:
    """While inside, Ctrl-C raises :class:`JobInterrupted`; a second one quits at once.

    ``message()`` is what an immediate quit prints on stderr. With ``starting``, Ctrl-C quits
    at once until :func:`started` is called (the imports of a command line). Outside the main thread (where Python
    delivers signals) this does nothing but still yields.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: Any = signal.signal(signal.SIGINT, _handler)
    _state.requested, _state.deferring, _state.written = False, 0, []
    _state.message, _state.starting = message, starting
    try:
        yield
    finally:
        _state.starting, _state.requested = False, False
        signal.signal(signal.SIGINT, previous)


def started() -> None:
    """The imports are done: from now on Ctrl-C raises :class:`JobInterrupted`."""
    _state.starting = False


def interrupt_requested() -> bool:
    """A Ctrl-C arrived under :func:`ending_the_job` (even if its exception was swallowed)."""
    return _state.requested


def written_before_interrupt() -> list[str]:
    """Paths published by :func:`publishing` blocks in this job (for the final message)."""
    return list(_state.written)


@contextlib.contextmanager
def publishing() -> Iterator[list[str]]:
    """Write a job's outputs: refused after a Ctrl-C, not cut short by one.

    On entry a Ctrl-C that already came raises :class:`JobInterrupted` (nothing is written).
    Inside, a Ctrl-C only is recorded, so a set of files is never half written; it is raised
    when the outermost block ends. Append each path written to the yielded list, so that the
    interruption message can name what was already complete.
    """
    if _state.requested:
        raise JobInterrupted()
    _state.deferring += 1
    paths: list[str] = []
    try:
        yield paths
    finally:
        _state.deferring -= 1
        _state.written += paths
    if _state.requested and _state.deferring == 0:
        raise JobInterrupted()
