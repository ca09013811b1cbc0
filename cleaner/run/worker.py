"""A worker process's state: the recipe's stages, built once per process and reused for every unit.

Both executors set it up here: the local pool as its initializer, a Ray worker on its first task
(Ray reuses worker processes, so a recipe already built is not built again).
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cleaner.errors import WorkerError
from cleaner.recipe import Recipe
from cleaner.run.tokens import TokenCounter
from cleaner.stages.base import Stage

#: Where a running unit reports documents read, input bytes and documents kept since its last report.
ProgressSink = Callable[[int, int, int], None]


@dataclass
class SharedCounters:
    """The local executor's sink: (docs, bytes, kept) multiprocessing Values shared by the pool."""

    values: tuple[Any, Any, Any]

    def __call__(self, docs: int, nbytes: int, kept: int) -> None:
        for counter, amount in zip(self.values, (docs, nbytes, kept)):
            with counter.get_lock():
                counter.value += amount


@dataclass
class WorkerState:
    recipe: Recipe
    stages: list[Stage]
    tokens: TokenCounter | None
    #: Set by the executor (shared counters locally, the progress board's reporter under Ray).
    progress: ProgressSink | None = None

    def report_progress(self, docs: int, nbytes: int, kept: int) -> None:
        if self.progress is not None:
            self.progress(docs, nbytes, kept)


_state: WorkerState | None = None
#: Why set-up failed in this process: every unit then fails with it, instead of the pool
#: respawning workers that fail again forever.
_startup_error: str | None = None


def init_worker(recipe: Recipe, progress: tuple[Any, Any, Any] | None = None) -> None:
    """Build and set up the recipe's stages in this process; `progress` holds the shared (docs,
    bytes, kept) counters of the local executor."""
    global _state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    stages = recipe.build_stages()
    for stage in stages:
        stage.setup()
    tokens = None if recipe.output.tokenizer == "none" else TokenCounter(recipe.output.tokenizer)
    _state = WorkerState(recipe, stages, tokens, SharedCounters(progress) if progress else None)


def init_worker_safely(recipe: Recipe, progress: tuple[Any, Any, Any] | None = None) -> None:
    """Pool initializer: `init_worker`, with a failure kept for the first unit to report."""
    global _startup_error
    try:
        init_worker(recipe, progress)
    except Exception as err:  # noqa: BLE001 (any set-up failure ends the run with its message)
        _startup_error = f"a worker could not start: {type(err).__name__}: {err}"


def run_unit(fn: Callable[[Any], Any], task: Any) -> Any:
    """Run one unit in this worker, or fail with the reason set-up failed."""
    if _startup_error is not None:
        raise WorkerError(_startup_error)
    return fn(task)


def ensure_worker(recipe: Recipe) -> None:
    """Set this process up for `recipe` unless it already is (Ray reuses worker processes)."""
    if _state is None or _state.recipe.fingerprint != recipe.fingerprint:
        init_worker(recipe)


def set_progress(sink: ProgressSink | None) -> None:
    """Report this process's next units to `sink` (Ray sets one per task: each task has its own key)."""
    current().progress = sink


def current() -> WorkerState:
    if _state is None:
        raise RuntimeError("worker not initialised: call init_worker(recipe) first")
    return _state
