"""stopall.sh stops exactly the runs this checkout started, by recorded PID; the start command resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.run.records import process_start_time
from tests.helpers import PROJECT, cli, output_bytes, real_lines, start_cli, wait_for, write_lines, write_recipe


@pytest.fixture
def decoy():
    """A process that looks like a cleaner run to anything matching on names."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", "-m", "cleaner", "run", "run_data_cleaning.sh"]
    )
    yield proc
    proc.kill()
    proc.wait()


def _source(corpus_dir: Path, root: Path, shards: int = 24) -> Path:
    lines = real_lines(corpus_dir, "zh/zh_court_judgments.jsonl", 1500) + real_lines(
        corpus_dir, "en/en_usenet_20newsgroups.jsonl", 500
    )
    for i in range(shards):
        write_lines(root / "src" / f"part_{i:02d}.jsonl", lines[i * 37 :] + lines[: i * 37])
    return root / "src"


def test_stopall_stops_own_run_spares_decoy_and_start_resumes(corpus_dir: Path, tmp_path: Path, decoy) -> None:
    source = _source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "r.yaml", batch_rows=200)
    dest = tmp_path / "out"
    env = {
        **os.environ,
        "SOURCE_DIR": str(source),
        "DEST_DIR": str(dest),
        "RECIPE": str(recipe),
        "NUM_WORKERS": "1",
        "CLEANER_RUNS_DIR": str(tmp_path / "runs"),
        "PYTHON": sys.executable,
    }
    log = open(tmp_path / "r.log", "w")
    start = ["bash", str(PROJECT / "run_data_cleaning.sh")]
    run = subprocess.Popen(start, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    parts = dest / "_state" / "parts"
    wait_for(lambda: len([p for p in parts.glob("s*") if not p.name.endswith(".tmp")]) >= 3)
    record = json.loads((dest / "_state" / "run.json").read_text())

    stop = subprocess.run(["bash", str(PROJECT / "stopall.sh")], env=env, capture_output=True, text=True)
    assert stop.returncode == 0, stop.stderr
    assert f"stopped pid {record['pid']} and its 1 worker processes" in stop.stdout
    assert run.wait(timeout=30) == 143
    assert process_start_time(record["pid"]) is None
    assert record["workers"] and all(process_start_time(w["pid"]) is None for w in record["workers"])
    assert decoy.poll() is None, "the decoy was killed"
    assert not (dest / "summary.json").exists()
    assert "stopped; run the same command again to resume" in (tmp_path / "r.log").read_text()

    again = subprocess.run(start, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "shards already done" in again.stdout and "finished, output in" in again.stdout

    reference = tmp_path / "reference"
    assert (
        cli(
            "run",
            str(source),
            str(reference),
            "--recipe",
            str(recipe),
            "--workers",
            "2",
            "--runs-dir",
            str(tmp_path / "runs2"),
        ).returncode
        == 0
    )
    assert output_bytes(dest) == output_bytes(reference)
    totals = json.loads((dest / "summary.json").read_text())["totals"]
    assert totals["read"] == 24 * 2000 == totals["kept"] + totals["rejected"] + totals["malformed"]
    assert list((tmp_path / "runs").glob("*.json")) == []  # the registry is clean after the run


def test_stale_record_is_removed_never_killed(tmp_path: Path, decoy) -> None:
    dest = tmp_path / "out"
    (dest / "_state").mkdir(parents=True)
    stale = {
        "pid": decoy.pid,
        "start_time": (process_start_time(decoy.pid) or 0) + 12345,  # the PID was reused by someone else
        "workers": [{"pid": decoy.pid, "start_time": 1}],
        "dest": str(dest),
        "started": "earlier",
    }
    (dest / "_state" / "run.json").write_text(json.dumps(stale))
    result = cli("stop", str(dest), "--runs-dir", str(tmp_path / "runs"))
    assert result.returncode == 0
    assert "stale record" in result.stdout
    assert decoy.poll() is None
    assert not (dest / "_state" / "run.json").exists()


def test_second_run_on_same_dest_is_refused(corpus_dir: Path, tmp_path: Path) -> None:
    source = _source(corpus_dir, tmp_path, shards=12)
    dest = tmp_path / "out"
    runs = str(tmp_path / "runs")
    first = start_cli("run", str(source), str(dest), "--workers", "1", "--runs-dir", runs)
    try:
        wait_for(lambda: (dest / "_state" / "run.json").exists())
        second = cli("run", str(source), str(dest), "--workers", "1", "--runs-dir", runs)
        assert second.returncode == 2 and "already active" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 143


def test_sigterm_wrapped_by_a_library_still_stops_the_run(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ray turns the Stopped raised by the SIGTERM handler into its own error when the signal lands
    while it deserialises a result; the run must still end as stopped (143) and resume."""
    from cleaner.cli import main
    from cleaner.run import engine
    from cleaner.run.stopping import Stopped

    class WrapsTheSignal:
        """Delegates to a real executor; its first progress call takes SIGTERM as Ray's get would."""

        def __init__(self, inner: object) -> None:
            self.inner, self.signalled = inner, False

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def progress(self) -> object:
            if not self.signalled:
                self.signalled = True
                try:
                    os.kill(os.getpid(), signal.SIGTERM)
                except Stopped as err:
                    raise RuntimeError("System error: deserialisation failed") from err
            return self.inner.progress()

    real = engine.make_executor
    monkeypatch.setattr(engine, "make_executor", lambda *args: WrapsTheSignal(real(*args)))
    write_lines(tmp_path / "src" / "a.jsonl", real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 50))
    recipe = write_recipe(tmp_path / "r.yaml")
    args = ["run", str(tmp_path / "src"), str(tmp_path / "out"), "--recipe", str(recipe), "--workers", "1"]
    args += ["--runs-dir", str(tmp_path / "runs")]
    assert main(args) == 143
    invocations = json.loads((tmp_path / "out" / "_state" / "invocations.json").read_text())
    assert invocations[-1]["outcome"] == "stopped"
    monkeypatch.setattr(engine, "make_executor", real)
    assert main(args) == 0
