"""The dedup phase's steps as resumable tasks: each task fills a fresh folder and publishes it.

Every step of the global phase (cluster.py) is a list of tasks, each naming the folder it
produces. A task writes into `<folder>.tmp/`, ends with `summary.json` (its small per-partition
figures) and renames the folder into place, so a folder under its final name is a finished task
and a killed phase resumes by running only the tasks whose folder is missing. The driver keeps
nothing but those summaries between steps. Tasks run through a `Mapper`: builtin `map` in the
driver one after another, or an executor's parallel map (Ray), which must see the work folder.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

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


def perform(task: Task) -> dict[str, Any]:
    """Run one task into a fresh temporary folder and publish it (module-level: Ray and process
    pools pickle it by name)."""
    folder = start_folder(task.out)
    summary = task.run(folder)
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
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


def bins(values: np.ndarray, bounds: np.ndarray) -> list[np.ndarray]:
    """Indices of `values` falling in each [bounds[i], bounds[i+1]) (bounds sorted; values outside
    none), in their original order, from one stable sort."""
    which = np.searchsorted(bounds, values, side="right") - 1
    order = np.argsort(which, kind="stable")
    edges = np.searchsorted(which[order], np.arange(len(bounds)))
    return [order[edges[i] : edges[i + 1]] for i in range(len(bounds) - 1)]


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """(n, 2) uint64 pairs sorted by (first, second) without repeats."""
    if len(pairs) == 0:
        return np.zeros((0, 2), np.uint64)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    new = np.ones(len(pairs), dtype=bool)
    new[1:] = (pairs[1:] != pairs[:-1]).any(axis=1)
    return np.ascontiguousarray(pairs[new])


def load_pairs(paths: Iterable[Path]) -> np.ndarray:
    """The (n, 2) pairs of the existing files among `paths`, concatenated."""
    parts = [load(path) for path in paths if path.exists()]
    return np.concatenate(parts) if parts else np.zeros((0, 2), np.uint64)
