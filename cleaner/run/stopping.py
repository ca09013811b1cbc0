"""How SIGTERM stops a run: the driver's handler raises `Stopped` wherever the driver is, so that a
blocking wait ends at once; the engine then stops the workers and exits 143 for a rerun to resume.

Inside a call into Ray's client the exception must not be raised: Ray checks for signals in its
waits and deserialisation, and an exception thrown there comes back as a Ray error or leaves Ray's
task bookkeeping half-updated (its core worker then aborts). There the handler only records the
signal, and `Stopped` is raised as the call returns; such calls are kept short for that."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Stopped(Exception):
    """SIGTERM arrived: stop the workers and exit so that a rerun resumes."""


class StopSignal:
    """The SIGTERM handler of a run's driver (signals are per process: one instance, `stop_signal`)."""

    def __init__(self) -> None:
        self.received = False
        self._deferring = 0
        self._unraised = False

    def install(self) -> Any:
        """Handle SIGTERM from now on; return the handler it replaces."""
        self.received = self._unraised = False
        return signal.signal(signal.SIGTERM, self)

    def __call__(self, signum: int, frame: object) -> None:
        self.received = True
        if self._deferring:
            self._unraised = True
        else:
            raise Stopped()

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Within this block a SIGTERM is only recorded; `Stopped` is raised when the block ends."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
        if self._unraised and not self._deferring:
            self._unraised = False
            raise Stopped()


stop_signal = StopSignal()
