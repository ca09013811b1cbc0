"""Executors map a phase function over work units. Nothing in a stage knows which one runs it.

- `LocalExecutor`: worker processes on this machine (multiprocessing, forkserver), the default.
- `RayExecutor`: the same functions as Ray tasks, for a cluster whose nodes share DEST and SOURCE.

Both implement `Executor`, the only thing the engine knows of them. They yield results as units
finish, and `None` every `heartbeat` seconds while waiting, so the caller can print progress.
Units write their own outputs and markers, so the order in which results arrive never changes
the output.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from cleaner.errors import AccountingError, OutputError, UsageError, WorkerError
from cleaner.recipe import Recipe
from cleaner.run.forkserver import fork_context
from cleaner.run.progress import log
from cleaner.run.stopping import stop_signal
from cleaner.run.worker import ensure_worker, init_worker_safely, run_unit, set_progress


class Executor(Protocol):
    #: True when the dedup and repeated-lines phases should run their partition tasks here (each
    #: bounded by `memory_budget_mb`; the budgets add up across workers only on separate machines);
    #: False runs them one by one in the driver, which then holds one task's memory at a time.
    distributes_partitions: bool

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


#: Ray's switch for a runtime confined to this machine. Without it Ray replaces any 127.0.0.1 it is
#: given (node address, GCS address) by the machine's external address: a local runtime then binds
#: to that interface, and a driver cannot reach a cluster whose nodes listen on 127.0.0.1 only (it
#: waits on the rewritten GCS address for ever). Read once, when `ray` is imported.
RAY_LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def _loopback(address: str) -> bool:
    host = address.removeprefix("ray://").rpartition(":")[0].strip("[]")
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_ray(address: str | None = None) -> Any:
    """The `ray` module, or the one-line usage error saying how to install it. Call it with the run's
    `--ray-address` before anything imports Ray: no address (a local runtime) or a loopback one keeps
    every Ray address on 127.0.0.1."""
    loopback = address is None or _loopback(address)
    if loopback:
        os.environ.setdefault(RAY_LOOPBACK_ENV, "0")
    try:
        import ray
        from ray._private import ray_constants
    except ImportError:
        raise UsageError("--executor ray needs Ray: pip install -e '.[ray]'") from None
    if loopback and os.environ[RAY_LOOPBACK_ENV] == "0":
        ray_constants.ENABLE_RAY_CLUSTER = False  # what the variable sets, for a process that imported Ray before
    return ray


def make_executor(kind: str, recipe: Recipe, workers: int, ray_address: str | None, ray_retries: int = 3) -> Executor:
    if kind == "ray":
        return RayExecutor(recipe, workers, ray_address, ray_retries)
    return LocalExecutor(recipe, workers)


def _init_local_worker(environ: dict[str, str], recipe: Recipe, counters: tuple[Any, Any, Any]) -> None:
    """Pool initializer: the driver's environment as it was when the pool started, as a spawned
    worker would have it (a forked one has the fork server's, from when that started; storage
    options travel in it), then the worker's set-up."""
    os.environ.clear()
    os.environ.update(environ)
    init_worker_safely(recipe, counters)


class LocalExecutor:
    distributes_partitions = False

    def __init__(self, recipe: Recipe, workers: int) -> None:
        context = fork_context()
        self.counters = (context.Value("q", 0), context.Value("q", 0), context.Value("q", 0))
        initargs = (dict(os.environ), recipe, self.counters)
        self.pool = context.Pool(workers, initializer=_init_local_worker, initargs=initargs)

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


class ProgressBoard:
    """A Ray actor holding each unit's (docs, bytes, kept) so far, reported by the tasks as they work
    and summed for the driver's progress lines. Counts are absolute and keyed by unit (map call, task
    index), so a unit rerun after a lost node replaces the lost attempt's counts instead of adding."""

    def __init__(self) -> None:
        self.units: dict[tuple[int, int], tuple[int, int, int]] = {}

    def set(self, key: tuple[int, int], counts: tuple[int, int, int]) -> None:
        self.units[key] = counts

    def totals(self) -> tuple[int, int, int]:
        counts = self.units.values()
        return sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts)


class _BoardReporter:
    """A Ray task's progress sink: running totals of its unit, sent to the board without waiting."""

    def __init__(self, board: Any, key: tuple[int, int]) -> None:
        self.board, self.key = board, key
        self.counts = (0, 0, 0)
        self.last: Any = None

    def __call__(self, docs: int, nbytes: int, kept: int) -> None:
        self.counts = (self.counts[0] + docs, self.counts[1] + nbytes, self.counts[2] + kept)
        self.last = self.board.set.remote(self.key, self.counts)

    def flush(self, ray: Any) -> None:
        """Wait (bounded) until the board has the last counts, so they are there before the result."""
        if self.last is not None:
            ray.wait([self.last], timeout=RAY_REPORT_SECONDS)


#: Seconds a finished task waits for the progress board to take its last counts.
RAY_REPORT_SECONDS = 10.0

#: Longest the driver blocks in one call into Ray: a SIGTERM is acted on when the call returns.
RAY_POLL_SECONDS = 1.0


def _ray_call(fn: Callable[[Any], Any], task: Any, recipe: Recipe, board: Any, key: tuple[int, int]) -> Any:
    """Runs inside a Ray worker: build the recipe's stages once per worker process, then work,
    reporting progress to `board` under `key` (which phase, which task)."""
    import ray

    try:
        ensure_worker(recipe)
    except Exception as err:  # noqa: BLE001 (any set-up failure ends the run with its message)
        raise WorkerError(f"a worker could not start: {type(err).__name__}: {err}") from None
    reporter = _BoardReporter(board, key)
    set_progress(reporter)
    try:
        return fn(task)
    finally:
        set_progress(None)
        reporter.flush(ray)


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


class _NotMainThread(logging.Filter):
    """Drops Ray's warning that ray.init in a thread sets no SIGTERM handler: the driver keeps its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "SIGTERM handler is not set" not in record.getMessage()


def _connect(ray: Any, address: str) -> None:
    """Join the cluster at `address` within RAY_CONNECT_SECONDS. ray.init runs in a thread because,
    while a GCS does not answer, it blocks in native code where no signal handler runs: the main
    thread waits in short steps, so SIGTERM (`cleaner stop`) stops a driver that is still connecting."""
    failure: list[BaseException] = []

    def init() -> None:
        try:
            ray.init(address=address, log_to_driver=False)
        except Exception as err:  # noqa: BLE001 (reported by the main thread as one line)
            failure.append(err)

    quiet = _NotMainThread()
    logging.getLogger("ray._private.worker").addFilter(quiet)
    thread = threading.Thread(target=init, name="ray-connect", daemon=True)
    thread.start()
    deadline = time.monotonic() + RAY_CONNECT_SECONDS
    while thread.is_alive() and time.monotonic() < deadline:
        thread.join(0.2)
    logging.getLogger("ray._private.worker").removeFilter(quiet)
    if thread.is_alive():
        raise UsageError(f"--ray-address {address}: no Ray cluster answered within {RAY_CONNECT_SECONDS:.0f}s")
    if failure:
        first = str(failure[0]).strip().splitlines()
        reason = first[0] if first else type(failure[0]).__name__
        raise UsageError(f"--ray-address {address}: cannot join the cluster ({reason})")


def _start_local(ray: Any, workers: int) -> None:
    """A fresh runtime on 127.0.0.1 (address="local": never a cluster some record names). Ray puts
    its own SIGTERM handler in place while starting (exit at once); the driver's is put back."""
    previous = signal.getsignal(signal.SIGTERM)
    try:
        ray.init(
            address="local",
            num_cpus=workers,
            _node_ip_address="127.0.0.1",
            log_to_driver=False,
            include_dashboard=False,
        )
    except BaseException as err:
        ray.shutdown()
        if isinstance(err, SystemExit) and err.code == signal.SIGTERM and callable(previous):
            previous(signal.SIGTERM, None)  # Ray's handler took a `cleaner stop`: stop as the driver does
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


class RayExecutor:
    """Shards and finalise units as Ray tasks (one CPU each). Needs `pip install -e .[ray]`.

    Units are idempotent (each writes under temporary names and publishes atomically), so a task
    lost with its worker or node is rerun up to `retries` times; an error raised by the unit
    itself is deterministic and fails the run at once. Without an address a fresh local runtime is
    started, bound to 127.0.0.1, whatever cluster records Ray left on the machine. Ray is joined or
    started on first use, not here: the engine has recorded the run and handles SIGTERM by then."""

    distributes_partitions = True

    def __init__(self, recipe: Recipe, workers: int, address: str | None, retries: int = 3) -> None:
        self.ray = ray = require_ray(address)
        self.recipe, self.workers, self.address, self.retries = recipe, workers, address, retries
        self.started_runtime = False
        self.remote = ray.remote(num_cpus=1, max_retries=retries, retry_exceptions=False)(_ray_call)
        self.board: Any = None
        self.pending: list[Any] = []
        self.maps = 0
        #: The last totals read from the board: shown again when it does not answer in time.
        self.live = (0, 0, 0)

    def _start(self) -> None:
        if self.board is not None:
            return
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        ray = self.ray
        if not ray.is_initialized():
            if self.address:
                log(f"ray: joining {self.address}")
                _connect(ray, self.address)
            else:
                _start_local(ray, self.workers)
            self.started_runtime = True
        nodes = [node for node in ray.nodes() if node["Alive"]]
        addresses = ", ".join(sorted({node["NodeManagerAddress"] for node in nodes}))
        where = f"joined {self.address}" if self.address else "started a local runtime"
        count = f"{len(nodes)} node" + ("s" if len(nodes) != 1 else "")
        log(f"ray: {where}: {count} at {addresses}, {ray.cluster_resources().get('CPU', 0):g} CPUs")
        # On the driver's node, which lives as long as the run does (a worker node may be lost).
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        self.board = ray.remote(num_cpus=0, scheduling_strategy=here)(ProgressBoard).remote()

    def worker_pids(self) -> list[int]:
        return []

    def progress(self) -> tuple[int, int, int] | None:
        """Running units' (docs, bytes, kept) from the progress board, as the tasks report them."""
        if self.board is None:
            return None
        with stop_signal.deferred():
            totals = self.board.totals.remote()
        if self._ready_within(totals, RAY_REPORT_SECONDS):
            try:
                with stop_signal.deferred():
                    self.live = self.ray.get(totals)
            except self.ray.exceptions.RayActorError:
                pass
        return self.live

    def _ready_within(self, ref: Any, seconds: float) -> bool:
        """Wait up to `seconds` for `ref`, in calls of at most RAY_POLL_SECONDS (SIGTERM deferred)."""
        deadline = time.monotonic() + seconds
        while True:
            with stop_signal.deferred():
                ready, _ = self.ray.wait([ref], timeout=min(RAY_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            if ready or time.monotonic() >= deadline:
                return bool(ready)

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], heartbeat: float) -> Iterator[Any | None]:
        """Once Ray is joined (SIGTERM stops a driver still joining: `_connect`), calls into it are
        made with SIGTERM deferred (cleaner/run/stopping.py), none longer than RAY_POLL_SECONDS."""
        self._start()
        with stop_signal.deferred():
            self.maps += 1
            recipe_ref = self.ray.put(self.recipe)
            self.pending = [
                self.remote.remote(fn, task, recipe_ref, self.board, (self.maps, index))
                for index, task in enumerate(tasks)
            ]
        quiet_since = time.monotonic()
        while self.pending:
            with stop_signal.deferred():
                done, self.pending = self.ray.wait(
                    self.pending, num_returns=1, timeout=min(heartbeat, RAY_POLL_SECONDS)
                )
            if not done and time.monotonic() - quiet_since >= heartbeat:
                quiet_since = time.monotonic()
                yield None
            for ref in done:
                quiet_since = time.monotonic()
                yield self._result(ref)

    def _result(self, ref: Any) -> Any:
        try:
            with stop_signal.deferred():
                return self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as err:
            if isinstance(err.cause, (WorkerError, OutputError, AccountingError)):
                raise err.cause from None
            raise
        except self.ray.exceptions.RayError as err:  # lost with its worker or node, retries used up
            reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
            times = f"{self.retries + 1} time" + ("s" if self.retries else "")
            raise WorkerError(f"a unit was lost {times} with its Ray worker or node: {reason}") from None

    def close(self) -> None:
        if self.started_runtime:
            self.ray.shutdown()

    def terminate(self) -> None:
        """A runtime this run started goes down with its workers; on a joined cluster the run's
        tasks are cancelled (cancelling them too races Ray's bookkeeping of tasks that finish)."""
        with stop_signal.deferred():
            if not self.started_runtime:
                for ref in self.pending:
                    self.ray.cancel(ref, force=True)
            self.close()
