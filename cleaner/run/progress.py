"""Progress for people: a tqdm bar on a terminal, plain timestamped lines in a log file.

`tail -f r.log` shows one line every few seconds (no carriage returns), and the same figures are
written to DEST/_state/progress.json for `cleaner status`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cleaner.io.fsutil import write_json_atomic


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", flush=True)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    def __init__(self, phase: str, units_total: int, bytes_total: int, state_file: Path, every: float) -> None:
        self.phase, self.units_total, self.bytes_total = phase, units_total, bytes_total
        self.state_file = state_file
        self.every = every
        self.started = time.monotonic()
        self.units_done = 0
        self.docs = self.bytes = self.kept = self.read_done = self.bytes_done = 0
        self.bar = tqdm(total=bytes_total, unit="B", unit_scale=True, desc=phase) if sys.stdout.isatty() else None

    def snapshot(self) -> dict[str, Any]:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.bytes / elapsed
        remaining = (self.bytes_total - self.bytes) / rate if rate > 0 else None
        return {
            "phase": self.phase,
            "units_done": self.units_done,
            "units_total": self.units_total,
            "docs": self.docs,
            "docs_per_s": round(self.docs / elapsed, 1),
            "mb_per_s": round(rate / 1e6, 2),
            "eta_s": None if remaining is None else round(remaining),
            "kept_share": round(self.kept / self.read_done, 4) if self.read_done else None,
            "elapsed_s": round(elapsed, 1),
            "updated": time.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def update(self, live: tuple[int, int] | None) -> None:
        """Take the workers' live (docs, bytes) counters, or finished units' totals without them."""
        docs, nbytes = live if live is not None else (self.read_done, self.bytes_done)
        if self.bar is not None:
            self.bar.update(nbytes - self.bytes)
        self.docs, self.bytes = docs, nbytes

    def unit_done(self, read: int, kept: int, nbytes: int) -> None:
        self.units_done += 1
        self.read_done += read
        self.kept += kept
        self.bytes_done += nbytes

    def report(self) -> None:
        snap = self.snapshot()
        write_json_atomic(self.state_file, snap)
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
