"""Faults of long unattended runs: each ends in one clear line, loses nothing, never hangs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner.errors import WorkerError
from cleaner.run.plan import verify_unchanged
from cleaner.run.records import process_start_time
from tests.helpers import PROJECT, cli, output_bytes, real_lines, start_cli, wait_for, write_lines


def _source(corpus_dir: Path, root: Path, lines: int = 40) -> Path:
    src = root / "src"
    write_lines(src / "a.jsonl", real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", lines))
    return src


def test_a_worker_that_cannot_start_ends_the_run_at_once(corpus_dir: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.ftz"
    garbage.write_bytes(os.urandom(5000))
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"stages:\n  - quality_score:\n      model: {garbage}\n")
    result = cli(
        "run",
        str(_source(corpus_dir, tmp_path)),
        str(tmp_path / "out"),
        "--recipe",
        str(recipe),
        "--workers",
        "2",
        "--runs-dir",
        str(tmp_path / "runs"),
        timeout=120,
    )
    assert result.returncode == 1
    assert "a worker could not start" in result.stderr and "garbage.ftz" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def _changed_during_run(corpus_dir: Path, tmp_path: Path, change: str) -> subprocess.CompletedProcess:
    """Plan a run over two shards with one worker, then change the second before its unit starts."""
    src = tmp_path / "src"
    wiki = real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 2000)
    write_lines(src / "a.jsonl", wiki * 3)
    second = write_lines(src / "b.jsonl", wiki[:500])
    dest = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cleaner",
            "run",
            str(src),
            str(dest),
            "--recipe",
            "zh_web",
            "--workers",
            "1",
            "--runs-dir",
            str(tmp_path / "runs"),
        ],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: (dest / "_state" / "plan.json").exists())
    if change == "truncated":
        with open(second, "r+b") as fh:
            fh.truncate(second.stat().st_size // 3)
    elif change == "appended":
        with open(second, "ab") as fh:
            fh.write(wiki[0] + b"\n")
    else:
        second.unlink()
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("change", ["truncated", "appended", "deleted"])
def test_input_changed_during_the_run_fails_it_with_one_line(corpus_dir: Path, tmp_path: Path, change: str) -> None:
    result = _changed_during_run(corpus_dir, tmp_path, change)
    assert result.returncode == 1, result.stderr
    assert "input b.jsonl" in result.stderr and ("changed" in result.stderr or "deleted" in result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "out" / "kept" / "b.parquet").exists()
    if change != "deleted":
        rerun = cli(
            "run",
            str(tmp_path / "src"),
            str(tmp_path / "out"),
            "--recipe",
            "zh_web",
            "--runs-dir",
            str(tmp_path / "runs"),
        )
        assert rerun.returncode == 2 and "b.jsonl changed" in rerun.stderr


def test_a_chunk_that_no_longer_ends_on_its_newline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "one"}\n{"text": "two"}\n')
    stat = path.stat()
    verify_unchanged(path, "a.jsonl", stat.st_size, stat.st_mtime_ns, 16)
    with pytest.raises(WorkerError, match="no newline at byte 14"):
        verify_unchanged(path, "a.jsonl", stat.st_size, stat.st_mtime_ns, 15)


def _debris(dest: Path) -> list[str]:
    """Temporary files and part folders a finished run must not leave behind."""
    temporary = [p for p in dest.rglob(".*.tmp*") if "_state" not in p.parts]
    parts = list((dest / "_state" / "parts").glob("*")) if (dest / "_state" / "parts").exists() else []
    return sorted(str(p.relative_to(dest)) for p in [*temporary, *parts])


def test_killing_only_the_main_process_then_resuming(corpus_dir: Path, tmp_path: Path) -> None:
    """What the OOM killer does: the workers outlive the main process. The resume stops them by
    their recorded PIDs and start times, removes what they left, and gives the same output."""
    src = tmp_path / "src"
    wiki = real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 600)
    for i in range(6):
        write_lines(src / f"s{i}.jsonl", wiki[i * 100 : (i + 1) * 100])
    recipe = ["--recipe", "zh_web", "--runs-dir", str(tmp_path / "runs")]
    reference = tmp_path / "reference"
    assert cli("run", str(src), str(reference), *recipe, "--workers", "2").returncode == 0

    dest = tmp_path / "killed"
    proc = start_cli("run", str(src), str(dest), *recipe, "--workers", "2")
    parts = dest / "_state" / "parts"
    wait_for(lambda: parts.exists() and any(p.name.endswith(".tmp") for p in parts.iterdir()))
    record = json.loads((dest / "_state" / "run.json").read_text())
    os.kill(record["pid"], signal.SIGKILL)
    proc.wait()
    assert record["workers"]
    resumed = cli("run", str(src), str(dest), *recipe, "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert all(process_start_time(w["pid"]) != w["start_time"] for w in record["workers"])
    assert output_bytes(dest) == output_bytes(reference)
    assert _debris(dest) == []


def test_a_document_over_its_time_budget_is_rejected_and_the_run_goes_on(tmp_path: Path) -> None:
    """A user pattern that backtracks exponentially on one document holds no worker for long."""
    src = tmp_path / "src"
    good = "这是一个正常的中文文档，内容足够长，用来检查其他文档照常处理。" * 5
    write_lines(
        src / "a.jsonl",
        [json.dumps({"id": i, "text": t}, ensure_ascii=False).encode() for i, t in enumerate([good, "1," * 30, good])],
    )
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "input:\n  max_seconds_per_document: 1\nstages:\n  - promotions:\n"
        '      patterns: ["(.*?,){11}P"]\n      min_matches: 1\n      timeout_seconds: 1000\n'
    )
    dest = tmp_path / "out"
    result = cli(
        "run", str(src), str(dest), "--recipe", str(recipe), "--workers", "1", "--runs-dir", str(tmp_path / "r")
    )
    assert result.returncode == 0, result.stderr
    (row,) = pq.read_table(dest / "rejected" / "a.parquet").to_pylist()
    assert (row["id"], row["stage"], row["reason"]) == ("1", "promotions", "timeout")
    assert row["raw"] == b'{"id": 1, "text": "' + b"1," * 30 + b'"}'
    assert pq.read_table(dest / "kept" / "a.parquet").num_rows == 2
