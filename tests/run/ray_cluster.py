"""Ray test helpers: a cluster of several nodes on this machine (the node-loss test), Ray's processes
found by their RAY_TMPDIR, an address that accepts connections but never answers like a GCS.

Run as a script in its own process (so the test process never imports Ray), it starts a head node
with no CPUs (tasks land on the workers) and WORKERS worker nodes of one CPU each, every one on
127.0.0.1 with a small object store, prints the cluster's address as one JSON line, then obeys one
command a line on stdin:
  kill N   SIGKILLs worker node N's processes and everything they started, all at once, as a lost
           machine would (no draining, no goodbye); answers {"killed": N}
EOF (or a closed stdin) removes every node and SIGKILLs whatever the nodes left, then exits.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NODE = {"node_ip_address": "127.0.0.1", "object_store_memory": 80 * 2**20, "include_dashboard": False}
#: A lost node is declared dead after 3 missed health checks 0.5 s apart, not Ray's default 5 x 3 s.
FAST_DEATH = {"health_check_period_ms": 500, "health_check_failure_threshold": 3}


def descendants(root: int) -> list[int]:
    """PIDs of every live process below `root`, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def processes_in(ray_tmpdir: Path) -> list[int]:
    """PIDs of the processes started with RAY_TMPDIR=`ray_tmpdir`: a driver, the Ray runtime it
    started and everything that started (Ray renames its workers, but they keep the environment)."""
    wanted = f"RAY_TMPDIR={ray_tmpdir}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if wanted in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            pass
    return found


@contextmanager
def ray_tmpdir() -> Iterator[Path]:
    """A fresh RAY_TMPDIR, short enough for Ray's socket paths (107 bytes); on exit the processes
    still running in it are killed and it is removed."""
    folder = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))
    try:
        yield folder
    finally:
        kill_all(processes_in(folder))
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def silent_address() -> Iterator[str]:
    """HOST:PORT of a listener that accepts connections and never answers: what a driver meets at
    a wrong port, or at a GCS that hangs."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        try:
            server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        server.close()
        for conn in accepted:
            conn.close()


def node_processes(node) -> list[int]:
    """The node's own processes (raylet, log monitor, ...) and everything they started."""
    own = [info.process.pid for infos in node.all_processes.values() for info in infos]
    return own + [pid for pid in own for pid in descendants(pid)]


def kill_all(pids: list[int], timeout: float = 10.0) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
        for pid in pids:
            try:
                os.waitpid(pid, os.WNOHANG)  # reap our own children; others are reaped by init
            except ChildProcessError:
                pass
        time.sleep(0.05)


def main(workers: int) -> None:
    # Before Ray is imported: keep 127.0.0.1 as the nodes' and the GCS's address (cleaner/run/executors.py).
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={**NODE, "num_cpus": 0, "_system_config": FAST_DEATH},
        shutdown_at_exit=False,
    )
    nodes = [cluster.add_node(**NODE, num_cpus=1) for _ in range(workers)]
    cluster.wait_for_nodes(timeout=60)
    print(json.dumps({"address": cluster.address, "workers": workers}), flush=True)
    try:
        for line in sys.stdin:
            command, _, arg = line.strip().partition(" ")
            if command == "kill":
                node = nodes[int(arg)]
                kill_all(node_processes(node))
                cluster.remove_node(node, allow_graceful=False)
                print(json.dumps({"killed": int(arg)}), flush=True)
    finally:
        leftovers = descendants(os.getpid())
        for node in list(cluster.worker_nodes) + [cluster.head_node]:
            try:
                cluster.remove_node(node, allow_graceful=False)
            except Exception:  # noqa: BLE001 (whatever is left is killed below)
                pass
        kill_all(leftovers)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
