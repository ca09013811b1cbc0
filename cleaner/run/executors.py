"""Executors map a phase function over work units. Nothing in a stage knows which one runs it.

- `LocalExecutor`: worker processes on this machine (multiprocessing, spawn), the default.
- `RayExecutor`: the same functions as Ray tasks, for a cluster whose nodes share DEST and SOURCE.

Both implement `Executor`, the only thing the engine knows of them. They yield results as units
finish, and `None` every `heartbeat` seconds while waiting, so the caller can print progress.
Units write their own outputs and markers, so the order in which results arrive never changes
the output.
"""

from __future__ import annotations

import functools
import multiprocessing
import socket
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from cleaner.errors import AccountingError, OutputError, UsageError, WorkerError
from cleaner.recipe import Recipe
from cleaner.run.worker import ensure_worker, init_worker_safely, run_unit


class Executor(Protocol):
    #: True when the dedup phase should run its index partitions as tasks here (their memory then
    #: adds up across workers only on separate machines); False runs them one by one in the driver.
    distributes_dedup: bool

    def worker_pids(self) -> list[int]:
        """PIDs of this machine's worker processes, recorded so `cleaner stop` can stop them."""
        ...

    def progress(self) -> tuple[int, int, int] | None:
        """Documents read, input bytes and documents kept so far by running units, when the executor knows."""
        ...

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], heartbeat: float) -> Iterator[Any | None]:
        """Results as units finish, and None every `heartbeat` seconds while waiting."""
        ...

    def close(self) -> None: ...

    def terminate(self) -> None: ...


def require_ray() -> Any:
    """The `ray` module, or the one-line usage error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UsageError("--executor ray needs Ray: pip install -e '.[ray]'") from None
    return ray


def make_executor(kind: str, recipe: Recipe, workers: int, ray_address: str | None, ray_retries: int = 3) -> Executor:
    if kind == "ray":
        return RayExecutor(recipe, workers, ray_address, ray_retries)
    return LocalExecutor(recipe, workers)


class LocalExecutor:
    distributes_dedup = False

    def __init__(self, recipe: Recipe, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.counters = (context.Value("q", 0), context.Value("q", 0), context.Value("q", 0))
        self.pool = context.Pool(workers, initializer=init_worker_safely, initargs=(recipe, self.counters))

    def worker_pids(self) -> list[int]:
        return [process.pid for process in self.pool._pool]

    def progress(self) -> tuple[int, int, int]:
        """Documents read, input bytes and documents kept so far, updated by workers while they work."""
        docs, nbytes, kept = self.counters
        return docs.value, nbytes.value, kept.value

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], heartbeat: float) -> Iterator[Any | None]:
        iterator = self.pool.imap_unordered(functools.partial(run_unit, fn), tasks)
        while True:
            try:
                yield iterator.next(timeout=heartbeat)
            except multiprocessing.TimeoutError:
                yield None
            except StopIteration:
                return

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def terminate(self) -> None:
        self.pool.terminate()
        self.pool.join()


def _ray_call(fn: Callable[[Any], Any], task: Any, recipe: Recipe) -> Any:
    """Runs inside a Ray worker: build the recipe's stages once per worker process, then work."""
    try:
        ensure_worker(recipe)
    except Exception as err:  # noqa: BLE001 (any set-up failure ends the run with its message)
        raise WorkerError(f"a worker could not start: {type(err).__name__}: {err}") from None
    return fn(task)


#: Seconds to reach a cluster's GCS before `--ray-address` is refused (ray.init would wait far longer).
RAY_CONNECT_SECONDS = 15.0


def check_ray_address(address: str) -> None:
    """Refuse an address whose GCS does not answer, in bounded time and with one line."""
    if address == "auto":
        return
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--ray-address {address}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=RAY_CONNECT_SECONDS).close()
    except OSError as err:
        raise UsageError(f"--ray-address {address}: cannot reach the cluster ({err.strerror or err})") from None


class RayExecutor:
    """Shards and finalise units as Ray tasks (one CPU each). Needs `pip install -e .[ray]`.

    Units are idempotent (each writes under temporary names and publishes atomically), so a task
    lost with its worker or node is rerun up to `retries` times; an error raised by the unit
    itself is deterministic and fails the run at once. Without an address a fresh local runtime is
    started, bound to 127.0.0.1, whatever cluster records Ray left on the machine."""

    distributes_dedup = True

    def __init__(self, recipe: Recipe, workers: int, address: str | None, retries: int = 3) -> None:
        self.ray = ray = require_ray()
        self.started_runtime = not ray.is_initialized()
        if self.started_runtime:
            if address:
                check_ray_address(address)
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(
                    address="local",
                    num_cpus=workers,
                    _node_ip_address="127.0.0.1",
                    log_to_driver=False,
                    include_dashboard=False,
                )
        self.recipe = recipe
        self.remote = ray.remote(num_cpus=1, max_retries=retries, retry_exceptions=False)(_ray_call)
        self.pending: list[Any] = []

    def worker_pids(self) -> list[int]:
        return []

    def progress(self) -> None:
        return None

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], heartbeat: float) -> Iterator[Any | None]:
        recipe_ref = self.ray.put(self.recipe)
        self.pending = [self.remote.remote(fn, task, recipe_ref) for task in tasks]
        while self.pending:
            done, self.pending = self.ray.wait(self.pending, num_returns=1, timeout=heartbeat)
            if not done:
                yield None
            for ref in done:
                try:
                    yield self.ray.get(ref)
                except self.ray.exceptions.RayTaskError as err:
                    if isinstance(err.cause, (WorkerError, OutputError, AccountingError)):
                        raise err.cause from None
                    raise

    def close(self) -> None:
        if self.started_runtime:
            self.ray.shutdown()

    def terminate(self) -> None:
        for ref in self.pending:
            self.ray.cancel(ref, force=True)
        self.close()
