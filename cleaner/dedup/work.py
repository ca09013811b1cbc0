"""The dedup phase's steps as resumable tasks: each task fills a fresh folder and publishes it.

Every step of the global phase (cluster.py) is a list of tasks, each naming the folder it
produces. A task writes into `<folder>.tmp/`, ends with `summary.json` (its small per-partition
figures) and renames the folder into place, so a folder under its final name is a finished task
and a killed phase resumes by running only the tasks whose folder is missing. The driver keeps
nothing but those summaries between steps. Tasks run through a `Mapper`: builtin `map` in the
driver one after another, or an executor's parallel map (Ray), which must see the work folder.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from cleaner.io.fsutil import publish_folder, read_json, start_folder, write_atomic, write_json_atomic

#: Runs a function over tasks and yields its results in any order (builtin `map`, or an executor).
Mapper = Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[Any]]

SUMMARY = "summary.json"


class Task(Protocol):
    #: The folder the task publishes.
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        """Write the task's files into `folder`; return its summary (JSON values)."""
        ...


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM on Linux (ru_maxrss there also counts what the parent held
    before it forked and exec'd this process), ru_maxrss elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _reset_peak_rss() -> None:
    """Start a new VmHWM high-water mark (Linux), so a worker reports each task's own peak."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass


def perform(task: Task) -> dict[str, Any]:
    """Run one task into a fresh temporary folder and publish it (module-level: Ray and process
    pools pickle it by name). Its summary gains its seconds, bytes written and peak RSS."""
    _reset_peak_rss()
    started = time.monotonic()
    folder = start_folder(task.out)
    summary = task.run(folder)
    summary["seconds"] = round(time.monotonic() - started, 3)
    pa.default_memory_pool().release_unused()  # Arrow keeps freed buffers; the next task's peak is its own
    summary["bytes"] = folder_bytes(folder)
    summary["peak_rss_mb"] = peak_rss_mb()
    write_json_atomic(folder / SUMMARY, summary)
    publish_folder(folder, task.out)
    return summary


def run_step(tasks: Sequence[Task], mapper: Mapper) -> list[dict[str, Any]]:
    """Run the tasks whose folder is not yet published; every task's summary, in task order."""
    pending = [task for task in tasks if not (task.out / SUMMARY).exists()]
    for _ in mapper(perform, pending):
        pass
    return [read_json(task.out / SUMMARY) for task in tasks]


def save(path: Path, values: np.ndarray) -> None:
    """np.save through a temporary name (a reader never sees half an array)."""
    write_atomic(path, lambda fh: np.save(fh, values))


def load(path: Path, mmap: bool = False) -> np.ndarray:
    return np.load(path, mmap_mode="r" if mmap else None)


def bucket_of(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Index i of the interval [bounds[i], bounds[i+1]) holding each value (sorted bounds)."""
    return np.searchsorted(bounds, values, side="right") - 1


def bins(values: np.ndarray, bounds: np.ndarray) -> list[np.ndarray]:
    """Indices of `values` falling in each [bounds[i], bounds[i+1]) (bounds sorted; values outside
    none), in their original order, from one stable sort."""
    which = bucket_of(values, bounds)
    order = np.argsort(which, kind="stable")
    edges = np.searchsorted(which[order], np.arange(len(bounds)))
    return [order[edges[i] : edges[i + 1]] for i in range(len(bounds) - 1)]


def _bounds_path(path: Path) -> Path:
    return path.with_name(path.stem + ".bounds.npy")


def save_buckets(path: Path, rows: np.ndarray, bucket: np.ndarray, count: int) -> None:
    """Rows grouped by their bucket (0 .. count - 1, order kept within a bucket) in one file, and
    where each bucket starts beside it: one file per task instead of one per task and bucket, and
    each reader memory-maps only its slice (`load_bucket`)."""
    order = np.argsort(bucket, kind="stable")
    save(path, rows[order])
    save(_bounds_path(path), np.searchsorted(bucket[order], np.arange(count + 1)))


def load_bucket(path: Path, index: int) -> np.ndarray:
    """Bucket `index` of a file written by `save_buckets`."""
    bounds = load(_bounds_path(path))
    return np.array(load(path, mmap=True)[bounds[index] : bounds[index + 1]])


def load_buckets(paths: Iterable[Path], index: int) -> np.ndarray:
    """Bucket `index` of every file, concatenated."""
    return np.concatenate([load_bucket(path, index) for path in paths])


def folder_bytes(folder: Path) -> int:
    """Bytes of a task's data files (not its JSON summary, whose size varies with its figures)."""
    return sum(e.stat().st_size for e in os.scandir(folder) if e.is_file() and not e.name.endswith(".json"))


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """(n, 2) uint64 pairs sorted by (first, second) without repeats."""
    if len(pairs) == 0:
        return np.zeros((0, 2), np.uint64)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    new = np.ones(len(pairs), dtype=bool)
    new[1:] = (pairs[1:] != pairs[:-1]).any(axis=1)
    return np.ascontiguousarray(pairs[new])
