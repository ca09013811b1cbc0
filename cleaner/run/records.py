"""Records of running runs, and stopping them by recorded PID only.

A run writes DEST/_state/run.json with its PID, process group, worker PIDs and each process's
start time (from /proc). `stop` signals only processes whose start time still matches the record,
so a PID reused by another program is never touched; a stale record is just removed. Runs also
leave a pointer in a registry folder so `stopall.sh` can find every run started from a checkout.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path
from typing import Any

from cleaner.io.fsutil import read_json, write_json_atomic
from cleaner.run.layout import RunLayout


def process_start_time(pid: int) -> int | None:
    """The kernel's start time of `pid` (clock ticks since boot), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited; only its parent's wait is pending
        return None
    return int(fields[19])


def is_same_process(pid: int, start_time: int | None) -> bool:
    return start_time is not None and process_start_time(pid) == start_time


def record_path(dest: Path) -> Path:
    return RunLayout(dest).run_record


def default_runs_dir() -> Path:
    if "CLEANER_RUNS_DIR" in os.environ:
        return Path(os.environ["CLEANER_RUNS_DIR"])
    state = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    return state / "cleaner" / "runs"


def _registry_entry(runs_dir: Path, dest: Path) -> Path:
    digest = hashlib.sha1(str(dest.resolve()).encode()).hexdigest()[:16]
    return runs_dir / f"{digest}.json"


def write_record(dest: Path, runs_dir: Path, workers: list[int]) -> None:
    pid = os.getpid()
    record = {
        "pid": pid,
        "start_time": process_start_time(pid),
        "pgid": os.getpgid(0),
        "workers": [{"pid": w, "start_time": process_start_time(w)} for w in workers],
        "dest": str(dest.resolve()),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write_json_atomic(record_path(dest), record)
    write_json_atomic(_registry_entry(runs_dir, dest), {"dest": str(dest.resolve())})


def clear_record(dest: Path, runs_dir: Path) -> None:
    """Remove the run's record; a DEST that became unwritable leaves a stale record (which `stop`
    and the next run recognise as stale) rather than masking the error that ended the run."""
    for path in (record_path(dest), _registry_entry(runs_dir, dest)):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def read_record(dest: Path) -> dict[str, Any] | None:
    try:
        return read_json(record_path(dest))
    except (OSError, ValueError):
        return None


def live_run(dest: Path) -> dict[str, Any] | None:
    """The record of a run that is still alive in DEST, else None."""
    record = read_record(dest)
    if record and is_same_process(record["pid"], record["start_time"]):
        return record
    return None


def stop_orphans(dest: Path) -> int:
    """Kill the recorded workers of a run whose main process is gone (what the OOM killer leaves:
    workers still writing), so a resume never races them. Returns how many were killed."""
    record = read_record(dest)
    if record is None or is_same_process(record["pid"], record["start_time"]):
        return 0
    orphans = _alive([(w["pid"], w["start_time"]) for w in record.get("workers", [])])
    _signal_all(orphans, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(orphans) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(orphans)


def registered_dests(runs_dir: Path) -> list[Path]:
    dests = []
    for entry in sorted(runs_dir.glob("*.json")) if runs_dir.is_dir() else []:
        try:
            dests.append(Path(read_json(entry)["dest"]))
        except (OSError, ValueError, KeyError):
            entry.unlink(missing_ok=True)
    return dests


def _alive(processes: list[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
    return [(pid, start) for pid, start in processes if is_same_process(pid, start)]


def _signal_all(processes: list[tuple[int, int | None]], sig: int) -> None:
    for pid, _ in processes:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop_run(dest: Path, runs_dir: Path, timeout: float = 30.0) -> str:
    """Stop the run recorded in DEST: SIGTERM, wait up to `timeout`, then SIGKILL. Returns a message."""
    record = read_record(dest)
    if record is None:
        _registry_entry(runs_dir, dest).unlink(missing_ok=True)
        return f"{dest}: no run recorded"
    main = (record["pid"], record["start_time"])
    workers = [(w["pid"], w["start_time"]) for w in record.get("workers", [])]
    if not _alive([main]):
        clear_record(dest, runs_dir)
        leftovers = _alive(workers)
        _signal_all(leftovers, signal.SIGKILL)
        note = f", killed {len(leftovers)} orphaned workers" if leftovers else ""
        return f"{dest}: stale record of pid {main[0]} removed (process gone{note})"
    _signal_all([main], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive([main, *workers]):
        time.sleep(0.1)
    survivors = _alive([main, *workers])
    _signal_all(survivors, signal.SIGKILL)
    clear_record(dest, runs_dir)
    if survivors:
        return f"{dest}: pid {main[0]} did not stop within {timeout:.0f}s; killed {len(survivors)} processes"
    helpers = f" and its {len(workers)} worker processes" if workers else ""  # a Ray driver records none
    return f"{dest}: stopped pid {main[0]}{helpers}"
