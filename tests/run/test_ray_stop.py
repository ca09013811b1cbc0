"""stopall.sh and `cleaner stop` stop a Ray driver wherever it is, joining a cluster included, and
leave no Ray process behind; the same command resumes with output identical to an undisturbed run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.run.records import process_start_time
from tests.helpers import PROJECT, cli, make_source, output_bytes, wait_for, write_recipe
from tests.run.ray_cluster import processes_in, ray_tmpdir, silent_address

pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")


def _driver(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cleaner", "run", *args],
            cwd=PROJECT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_stopall_stops_a_ray_run_and_the_rerun_resumes(corpus_dir: Path, tmp_path: Path) -> None:
    source = make_source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="32KiB", batch_rows=100)  # 34 small units
    runs = tmp_path / "runs"
    common = [str(source), str(tmp_path / "ray"), "--recipe", str(recipe), "--workers", "1", "--runs-dir", str(runs)]
    dest, log = tmp_path / "ray", tmp_path / "ray.log"
    with ray_tmpdir() as folder:
        driver = _driver([*common, "--executor", "ray"], log, {"RAY_TMPDIR": str(folder)})
        parts = dest / "_state" / "parts"
        wait_for(lambda: driver.poll() is not None or len([p for p in parts.glob("*") if p.suffix != ".tmp"]) >= 3, 90)
        assert driver.poll() is None, log.read_text()
        record = json.loads((dest / "_state" / "run.json").read_text())
        env = {**os.environ, "CLEANER_RUNS_DIR": str(runs), "PYTHON": sys.executable, "STOP_TIMEOUT": "60"}
        stop = subprocess.run(["bash", str(PROJECT / "stopall.sh")], env=env, capture_output=True, text=True)
        assert stop.returncode == 0, stop.stderr
        assert f"stopped pid {record['pid']}" in stop.stdout, stop.stdout  # by SIGTERM, not killed
        assert "worker" not in stop.stdout, stop.stdout  # Ray's workers are the cluster's, not recorded
        assert driver.wait(timeout=30) == 143, log.read_text()
        assert process_start_time(record["pid"]) is None
        wait_for(lambda: not processes_in(folder), 30)  # the runtime the driver started went with it
        assert "stopped; rerun the same command to resume" in log.read_text()
        assert not (dest / "summary.json").exists()

        again = cli("run", *common, "--executor", "ray", env={"RAY_TMPDIR": str(folder)}, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "invocation 2: reused" in again.stdout and "done in" in again.stdout
    local = cli("run", str(source), str(tmp_path / "local"), *common[2:], timeout=300)
    assert local.returncode == 0, local.stderr
    assert output_bytes(dest) == output_bytes(tmp_path / "local")
    assert len(output_bytes(dest)) == 8


def test_cleaner_stop_stops_a_driver_still_joining_its_cluster(corpus_dir: Path, tmp_path: Path) -> None:
    """A cluster that accepts the connection and never answers: the driver waits in ray.init."""
    source = make_source(corpus_dir, tmp_path)
    dest, log, runs = tmp_path / "out", tmp_path / "run.log", str(tmp_path / "runs")
    with silent_address() as address:
        args = [str(source), str(dest), "--executor", "ray", "--ray-address", address, "--runs-dir", runs]
        driver = _driver(args, log)
        try:
            wait_for(lambda: driver.poll() is not None or f"ray: joining {address}" in log.read_text(), 60)
            assert driver.poll() is None, log.read_text()
            stop = cli("stop", str(dest), "--runs-dir", runs, "--timeout", "10")
            assert driver.wait(timeout=30) == 143, log.read_text()
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.wait()
    assert stop.returncode == 0 and f"stopped pid {driver.pid}" in stop.stdout, stop.stdout
    assert "stopped; rerun the same command to resume" in log.read_text()
