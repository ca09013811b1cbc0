"""A Ray cluster of three nodes on this machine loses a worker node mid-run: its units are rerun on
the other node and the output is byte-identical to an undisturbed local run."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PROJECT, cli, make_source, output_bytes, wait_for, write_recipe
from tests.run.ray_cluster import kill_all, processes_in, ray_tmpdir

pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")

HELPER = Path(__file__).with_name("ray_cluster.py")
#: Seconds any one step may take on a loaded 2-core machine before the test gives up.
STEP = 90


class RayCluster:
    """The cluster process of tests/run/ray_cluster.py: its address, and a way to lose a node."""

    def __init__(self, ray_tmpdir: Path, workers: int) -> None:
        self.ray_tmpdir = ray_tmpdir
        env = {**os.environ, "RAY_TMPDIR": str(ray_tmpdir)}  # the cluster's files and its processes' mark
        self.process = subprocess.Popen(
            [sys.executable, str(HELPER), str(workers)],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout], daemon=True).start()
        self.address = self._answer()["address"]

    def _answer(self) -> dict:
        try:
            return json.loads(self.lines.get(timeout=STEP))
        except queue.Empty:
            raise AssertionError(f"the cluster process did not answer within {STEP}s") from None

    def kill_node(self, index: int) -> None:
        self.process.stdin.write(f"kill {index}\n")
        self.process.stdin.flush()
        assert self._answer() == {"killed": index}

    def shutdown(self) -> list[int]:
        """Remove every node; return the PIDs of the Ray processes that outlived it (then killed)."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=STEP)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        leftovers = processes_in(self.ray_tmpdir)
        kill_all(leftovers)
        return leftovers


@pytest.fixture
def ray_cluster() -> Iterator[RayCluster]:
    with ray_tmpdir() as folder:
        cluster = RayCluster(folder, workers=2)
        try:
            yield cluster
        finally:
            leftovers = cluster.shutdown()
        assert not leftovers, f"{len(leftovers)} Ray processes outlived the cluster"


def _units(dest: Path) -> tuple[int, int]:
    """(finished, running) clean units: a part folder is published under its final name when done."""
    parts = list((dest / "_state" / "parts").glob("*"))
    running = sum(p.name.endswith(".tmp") for p in parts)
    return len(parts) - running, running


def test_a_lost_node_is_rerun_elsewhere_and_output_matches_local(
    corpus_dir: Path, tmp_path: Path, ray_cluster: RayCluster
) -> None:
    source = make_source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="32KiB", batch_rows=100)  # 34 small units
    common = ["--recipe", str(recipe), "--workers", "2", "--runs-dir", str(tmp_path / "runs")]
    local = cli("run", str(source), str(tmp_path / "local"), *common, timeout=STEP * 2)
    assert local.returncode == 0, local.stderr

    dest = tmp_path / "ray"
    log = tmp_path / "ray.log"
    with open(log, "w") as out:
        driver = subprocess.Popen(
            [sys.executable, "-m", "cleaner", "run", str(source), str(dest), *common]
            + ["--executor", "ray", "--ray-address", ray_cluster.address, "--progress-seconds", "1"],
            cwd=PROJECT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # Both one-CPU worker nodes busy (two units in flight) after a few units: node 0 is mid-unit.
        wait_for(lambda: driver.poll() is not None or (_units(dest)[0] >= 3 and _units(dest)[1] == 2), STEP)
        assert driver.poll() is None, log.read_text()
        finished, _ = _units(dest)
        ray_cluster.kill_node(0)
        assert driver.wait(timeout=STEP * 2) == 0, log.read_text()
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    text = log.read_text()
    assert f"joined {ray_cluster.address}: 3 nodes at 127.0.0.1, 2 CPUs" in text
    assert finished < 34 and "dead" in text and "retried" in text, text  # a unit really was lost and rerun
    assert output_bytes(dest) == output_bytes(tmp_path / "local")
    assert len(output_bytes(dest)) == 8
