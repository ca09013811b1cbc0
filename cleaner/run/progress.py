"""Progress for people: a tqdm bar on a terminal, plain timestamped lines in a log file.

`tail -f r.log` shows one line every few seconds (no carriage returns), and the same figures are
written to DEST/_state/progress.json for `cleaner status`. Everything the run prints goes through
`log`, so `-q` (only the final summary; errors go to stderr) and `-v` (also one line per unit) are
decided here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cleaner.io.fsutil import write_json_atomic

#: Verbosity levels: a message is printed when its level is at most the chosen one.
QUIET, NORMAL, VERBOSE = 0, 1, 2
_verbosity = NORMAL
#: Called at every progress report while a run is active (its invocation record's heartbeat).
_heartbeat: Callable[[], None] | None = None


def set_verbosity(level: int) -> None:
    global _verbosity
    _verbosity = level


def set_heartbeat(beat: Callable[[], None] | None) -> None:
    global _heartbeat
    _heartbeat = beat


def heartbeat() -> None:
    """Record that the run is still active where no progress lines are printed (finalise phase)."""
    if _heartbeat is not None:
        _heartbeat()


def log(message: str, level: int = NORMAL, stamp: bool = True) -> None:
    """Print `message` (timestamped unless `stamp` is False) if the verbosity asks for `level`."""
    if level <= _verbosity:
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}" if stamp else message, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    def __init__(self, phase: str, units_total: int, bytes_total: int, state_file: Path, every: float) -> None:
        """`bytes_total` 0: not known in advance (a `--limit` trial), so the ETA counts units instead."""
        self.phase, self.units_total, self.bytes_total = phase, units_total, bytes_total
        self.state_file = state_file
        self.every = every
        self.started = time.monotonic()
        self.units_done = 0
        self.docs = self.bytes = self.kept = self.read_done = self.bytes_done = self.kept_done = 0
        show_bar = sys.stdout.isatty() and _verbosity >= NORMAL
        self.bar = tqdm(total=bytes_total or None, unit="B", unit_scale=True, desc=phase) if show_bar else None

    def snapshot(self) -> dict[str, Any]:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.bytes / elapsed
        if self.bytes_total:
            remaining = (self.bytes_total - self.bytes) / rate if rate > 0 else None
        else:
            done = self.units_done
            remaining = (self.units_total - done) * elapsed / done if done else None
        return {
            "phase": self.phase,
            "units_done": self.units_done,
            "units_total": self.units_total,
            "docs": self.docs,
            "docs_per_s": round(self.docs / elapsed, 1),
            "mb_per_s": round(rate / 1e6, 2),
            "eta_s": None if remaining is None else round(remaining),
            "kept_share": round(self.kept / self.docs, 4) if self.docs else None,
            "elapsed_s": round(elapsed, 1),
            "updated": time.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def update(self, live: tuple[int, int, int] | None) -> None:
        """Take the workers' live (docs, bytes, kept) counters, or finished units' totals without them."""
        docs, nbytes, kept = live if live is not None else (self.read_done, self.bytes_done, self.kept_done)
        if self.bar is not None:
            self.bar.update(nbytes - self.bytes)
        self.docs, self.bytes, self.kept = docs, nbytes, kept

    def unit_done(self, read: int, kept: int, nbytes: int, name: str = "") -> None:
        """Count a finished unit; with its `name`, also a line for `-v`."""
        self.units_done += 1
        self.read_done += read
        self.kept_done += kept
        self.bytes_done += nbytes
        if name:
            share = f"{kept / read:.1%}" if read else "-"
            log(f"[{self.phase}] {name} done: {read:,} read, {kept:,} kept ({share}), {nbytes / 1e6:,.1f} MB", VERBOSE)

    def report(self) -> None:
        snap = self.snapshot()
        write_json_atomic(self.state_file, snap)
        heartbeat()
        if self.bar is not None:
            return
        eta = "?" if snap["eta_s"] is None else _duration(snap["eta_s"])
        kept = "-" if snap["kept_share"] is None else f"{snap['kept_share']:.1%}"
        log(
            f"[{self.phase}] {self.units_done}/{self.units_total} units | {self.docs:,} docs | "
            f"{snap['docs_per_s']:,.0f} docs/s | {snap['mb_per_s']:.1f} MB/s | kept {kept} | ETA {eta}"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
