"""What a run tells its operator: whole-run wall time across stop/kill and resume, stopped vs killed
in `cleaner status`, what a resume reused, live kept share, -q/-v, and `--limit N` trials."""

from __future__ import annotations

import json
import multiprocessing
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner.recipe import load_recipe
from cleaner.run.clean import CleanTask, clean_unit
from cleaner.run.engine import RunOptions, prepare
from cleaner.run.layout import RunLayout
from cleaner.run.plan import UnitInput
from cleaner.run.progress import Progress
from cleaner.run.worker import init_worker
from tests.helpers import cli, crash_run, make_source, real_lines, start_cli, wait_for, write_lines, write_recipe

STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", re.MULTILINE)


@pytest.fixture(scope="module")
def source(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_source(corpus_dir, tmp_path_factory.mktemp("operational"))


def _run(source: Path, dest: Path, recipe: Path, *extra: str):
    return cli(*_run_args(source, dest, recipe), *extra)


def _parts(dest: Path) -> int:
    return len([p for p in (dest / "_state" / "parts").glob("s*") if not p.name.endswith(".tmp")])


def _long_source(corpus_dir: Path, root: Path) -> Path:
    lines = real_lines(corpus_dir, "zh/zh_court_judgments.jsonl", 1200)
    for i in range(12):
        write_lines(root / "long" / f"part_{i:02d}.jsonl", lines[i * 50 :] + lines[: i * 50])
    return root / "long"


def test_wall_time_and_status_across_kill_stop_and_resume(corpus_dir: Path, tmp_path: Path) -> None:
    source = _long_source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="256KiB", batch_rows=100)
    dest, runs = tmp_path / "out", tmp_path / "runs"
    args = ("run", str(source), str(dest), "--recipe", str(recipe), "--workers", "1", "--runs-dir", str(runs))
    args += ("--progress-seconds", "0.2")

    proc = start_cli(*args)
    wait_for(lambda: _parts(dest) >= 2)
    crash_run(dest, proc)
    killed = cli("status", str(dest)).stdout
    assert "killed: pid" in killed and "without a clean stop" in killed
    assert "ETA" not in killed and "stopped" not in killed

    proc = start_cli(*args)
    wait_for(lambda: _parts(dest) >= 5 and (dest / "_state" / "run.json").exists())
    stop = cli("stop", str(dest), "--runs-dir", str(runs))
    assert "stopped pid" in stop.stdout and proc.wait(timeout=60) == 143
    stopped = cli("status", str(dest)).stdout
    assert re.search(r"^stopped at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(2 invocations", stopped, re.MULTILINE), stopped
    assert "ETA" not in stopped and "killed" not in stopped
    parts_at_stop = _parts(dest)

    resumed = cli(*args)
    assert resumed.returncode == 0, resumed.stderr
    reused = re.search(r"invocation 3: reused (\d+)/(\d+) clean units; 0/12 shards already done", resumed.stdout)
    units = sum(len(s["chunks"]) for s in json.loads((dest / "_state" / "plan.json").read_text()))
    assert reused and int(reused.group(1)) >= parts_at_stop and int(reused.group(2)) == units > parts_at_stop
    invocations = json.loads((dest / "_state" / "invocations.json").read_text())
    assert [i.get("outcome") for i in invocations] == [None, "stopped", "done"]
    summary = json.loads((dest / "summary.json").read_text())
    earlier = invocations[0]["seconds"] + invocations[1]["seconds"]
    assert summary["invocations"] == 3
    assert earlier < summary["wall_seconds"] <= earlier + invocations[2]["seconds"] + 0.01
    assert summary["docs_per_s"] == round(summary["totals"]["read"] / summary["wall_seconds"], 1)
    assert "over 3 invocations" in resumed.stdout
    report = json.loads((dest / "report.json").read_text())
    assert report["timing"]["wall_seconds"] == summary["wall_seconds"] and report["timing"]["invocations"] == 3
    assert "active time of 3 invocations" in (dest / "report.html").read_text()
    assert "finished: 14,400 read" in cli("status", str(dest)).stdout


def test_limit_reads_n_lines_per_shard_and_is_part_of_the_manifest(source: Path, tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="16KiB", batch_rows=50)
    dest = tmp_path / "out"
    result = _run(source, dest, recipe, "--limit", "150")
    assert result.returncode == 0, result.stderr
    assert "limited run: only the first 150 lines of each shard were read" in result.stdout
    plan = json.loads((dest / "_state" / "plan.json").read_text())
    wiki = next(s for s in plan if s["name"] == "zh/wiki")
    assert len(wiki["chunks"]) > 2 and wiki["chunks"][1]["first_line"] <= 150  # the limit spans chunks
    summary = json.loads((dest / "summary.json").read_text())
    assert summary["limit"] == 150
    for row in summary["shards"]:
        assert row["read"] == 150 == row["kept"] + row["rejected"] + row["malformed"], row
        lines = [
            *pq.read_table(dest / "kept" / f"{row['shard']}.parquet", columns=["line"]).column("line").to_pylist(),
            *pq.read_table(dest / "rejected" / f"{row['shard']}.parquet", columns=["line"]).column("line").to_pylist(),
        ]
        assert sorted(lines) == list(range(1, 151))
    assert summary["totals"]["read"] == 4 * 150

    full = _run(source, dest, recipe)
    assert full.returncode == 2 and "made with --limit 150, now without --limit" in full.stderr
    other = _run(source, dest, recipe, "--limit", "10")
    assert other.returncode == 2 and "made with --limit 150, now with --limit 10" in other.stderr


def test_quiet_prints_only_the_summary_and_verbose_adds_unit_lines(source: Path, tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="16KiB")
    quiet = _run(source, tmp_path / "quiet", recipe, "--progress-seconds", "0.05", "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert not STAMPED.search(quiet.stdout), quiet.stdout  # no progress, header or phase lines
    assert "TOTAL" in quiet.stdout and "done in" in quiet.stdout and "report:" in quiet.stdout

    verbose = cli("-v", *_run_args(source, tmp_path / "verbose", recipe))
    assert verbose.returncode == 0, verbose.stderr
    units = sum(len(s["chunks"]) for s in json.loads((tmp_path / "verbose" / "_state" / "plan.json").read_text()))
    assert len(re.findall(r"\[clean\] s\d{6}-c\d{4} done: [\d,]+ read, [\d,]+ kept", verbose.stdout)) == units
    normal = _run(source, tmp_path / "normal", recipe)
    assert "[clean]" in normal.stdout and " done: " not in normal.stdout


def _run_args(source: Path, dest: Path, recipe: Path) -> list[str]:
    runs = str(dest.parent / "runs")
    return ["run", str(source), str(dest), "--recipe", str(recipe), "--workers", "1", "--runs-dir", runs]


def test_worker_counts_kept_documents_as_it_goes(source: Path, tmp_path: Path) -> None:
    """The shared kept counter (what moves the progress line's kept share between unit ends)."""
    recipe = load_recipe(write_recipe(tmp_path / "r.yaml"))
    options = RunOptions(source, tmp_path / "out", recipe, 1, False, tmp_path / "runs")
    options.dest.mkdir()
    shard = next(s for s in prepare(options) if s.name == "zh/wiki")
    chunk = shard.chunks[0]
    counters = tuple(multiprocessing.Value("q", 0) for _ in range(3))
    init_worker(recipe, counters)
    layout = RunLayout(options.dest)
    task = CleanTask(UnitInput.of(shard, chunk, 0), str(layout.part(chunk.unit)), str(layout.signatures(chunk.unit)))
    stats = clean_unit(task)["stats"]
    docs, nbytes, kept = (c.value for c in counters)
    assert (docs, nbytes, kept) == (stats["read"], stats["bytes_read"], stats["kept"])
    assert 0 < kept < docs  # malformed and too-short lines are not kept

    progress = Progress("clean", 4, 10**6, tmp_path / "progress.json", 5.0)
    progress.update((1000, 200_000, 600))
    assert progress.snapshot()["kept_share"] == 0.6  # before any unit has finished
    progress.update((3000, 500_000, 2400))
    assert progress.snapshot()["kept_share"] == 0.8

    limited = Progress("clean", 4, 0, tmp_path / "progress.json", 5.0)  # --limit: bytes to read unknown
    limited.update((1000, 200_000, 600))
    assert limited.snapshot()["eta_s"] is None  # not the bytes-based ETA of whole files
    limited.unit_done(150, 90, 200_000)
    assert limited.snapshot()["eta_s"] is not None
