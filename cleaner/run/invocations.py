"""One record per `cleaner run` invocation in DEST, so wall time and docs/s cover the whole run.

A run that was stopped and resumed, or rerun once finished, is several invocations; the summary
and report add up their active seconds. Each record is rewritten at every progress report, so a
killed invocation (no clean end) still counts up to its last report, and `cleaner status` can tell
"stopped" (ended by SIGTERM, `cleaner stop`, `stopall.sh` or Ctrl-C) from "killed" (no end written).
"""

from __future__ import annotations

import os
import time
from typing import Any

from cleaner.io.fsutil import read_json, write_json_atomic
from cleaner.run.layout import RunLayout

#: How an invocation ended; an invocation whose process is gone without one of these was killed.
OUTCOMES = ("done", "stopped", "failed")


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def read_invocations(layout: RunLayout) -> list[dict[str, Any]]:
    try:
        return read_json(layout.invocations)
    except (OSError, ValueError):
        return []


def active_seconds(invocations: list[dict[str, Any]]) -> float:
    """The run's wall time: the active seconds of every invocation, not the gaps between them."""
    return sum(entry["seconds"] for entry in invocations)


class Invocation:
    """This process's record, appended to the earlier invocations of the run in DEST."""

    def __init__(self, layout: RunLayout) -> None:
        self.layout = layout
        self.started = time.monotonic()
        self.earlier = read_invocations(layout)
        self.entry: dict[str, Any] = {"pid": os.getpid(), "started": _now(), "last_seen": _now(), "seconds": 0.0}
        self.beat()

    @property
    def number(self) -> int:
        """1 for the first invocation of the run, 2 for the first resume, ..."""
        return len(self.earlier) + 1

    def seconds(self) -> float:
        """Active seconds of the whole run so far, this invocation included."""
        return active_seconds(self.earlier) + time.monotonic() - self.started

    def beat(self) -> None:
        """Record that this invocation is still active (called with every progress report)."""
        self.entry.update(last_seen=_now(), seconds=round(time.monotonic() - self.started, 2))
        write_json_atomic(self.layout.invocations, [*self.earlier, self.entry])

    def end(self, outcome: str) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.entry["ended"], self.entry["outcome"] = _now(), outcome
        self.beat()
