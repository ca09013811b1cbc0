"""The Ray executor: output byte-identical to the local executor's, a local runtime on 127.0.0.1,
live progress, failures and bad addresses as one line."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import corpus_records
from tests.helpers import PROJECT, cli, make_source, output_bytes, real_lines, wait_for, write_lines, write_recipe
from tests.run.ray_cluster import ray_tmpdir, silent_address

pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")


def test_ray_output_matches_local(corpus_dir: Path, tmp_path: Path) -> None:
    """On a fresh local runtime bound to 127.0.0.1, though Ray's record of a stopped cluster is there."""
    source = make_source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="64KiB", batch_rows=100)
    common = ["--recipe", str(recipe), "--workers", "2", "--runs-dir", str(tmp_path / "runs")]
    local = cli("run", str(source), str(tmp_path / "local"), *common)
    assert local.returncode == 0, local.stderr
    with ray_tmpdir() as folder:
        (folder / "ray").mkdir()
        (folder / "ray" / "ray_current_cluster").write_text("127.0.0.1:1")  # left by a cluster long stopped
        on_ray = cli(
            "run", str(source), str(tmp_path / "ray"), *common, "--executor", "ray", env={"RAY_TMPDIR": str(folder)}
        )
    assert on_ray.returncode == 0, on_ray.stderr
    assert "(ray)" in on_ray.stdout
    assert "ray: started a local runtime: 1 node at 127.0.0.1, 2 CPUs" in on_ray.stdout
    assert output_bytes(tmp_path / "ray") == output_bytes(tmp_path / "local")
    assert len(output_bytes(tmp_path / "local")) == 8


# A budget small enough that the dedup index is split into several partitions (Ray tasks).
DEDUP_RECIPE = """
input: {text_field: text, chunk_bytes: 64KiB}
stages: [unicode_normalise, whitespace_normalise, {length_filter: {min_chars: 50, min_words: 20}}]
output: {batch_rows: 100}
dedup: {threshold: 0.8, memory_budget_mb: 0.2}
"""


def test_ray_dedup_matches_local(corpus_dir: Path, tmp_path: Path) -> None:
    source = make_source(corpus_dir, tmp_path)
    wiki = corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 40)
    web = corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 40)
    copies = [{**r, "id": f"{r['id']}-copy"} for r in wiki[::4] + web[::4]]
    near = [{**r, "id": f"{r['id']}-near", "text": r["text"] + "\n本文来源：网络"} for r in wiki[1::4]]
    write_lines(source / "dup" / "copies.jsonl", [json.dumps(r, ensure_ascii=False).encode() for r in copies + near])
    recipe = tmp_path / "dedup.yaml"
    recipe.write_text(DEDUP_RECIPE, encoding="utf-8")
    common = ["--recipe", str(recipe), "--workers", "2", "--runs-dir", str(tmp_path / "runs")]
    local = cli("run", str(source), str(tmp_path / "local"), *common)
    assert local.returncode == 0, local.stderr
    on_ray = cli("run", str(source), str(tmp_path / "ray"), *common, "--executor", "ray")
    assert on_ray.returncode == 0, on_ray.stderr
    summaries = [json.loads((tmp_path / d / "_state" / "dedup" / "summary.json").read_text()) for d in ("local", "ray")]
    assert summaries[1]["partitions"] >= 4 and summaries[1]["removed_exact"] >= 10 and summaries[1]["removed_near"] > 0
    assert {k: v for k, v in summaries[0].items() if k != "seconds"} == {
        k: v for k, v in summaries[1].items() if k != "seconds"
    }
    assert output_bytes(tmp_path / "ray") == output_bytes(tmp_path / "local")


def test_progress_lines_count_documents_while_ray_units_run(corpus_dir: Path, tmp_path: Path) -> None:
    """One unit of 9,000 documents: any document count before it ends comes from the running task."""
    write_lines(tmp_path / "src" / "reviews.jsonl", real_lines(corpus_dir, "zh/zh_reviews_online_shopping.jsonl", 9000))
    recipe = write_recipe(tmp_path / "r.yaml")
    result = cli(
        "run", str(tmp_path / "src"), str(tmp_path / "out"), "--recipe", str(recipe), "--workers", "1",
        "--executor", "ray", "--progress-seconds", "0.2", "--runs-dir", str(tmp_path / "runs"), timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "[clean]" in line]
    running = [line for line in lines if "[clean] 0/1 units" in line and "| 0 docs |" not in line]
    assert running, result.stdout
    # The local executor's line: units, documents (reported every 2,000), rate, kept share, ETA.
    line = r"0/1 units \| [2468],000 docs \| [\d,]+ docs/s \| [\d.]+ MB/s \| kept \d+\.\d% \| ETA \d+:\d\d:\d\d$"
    assert re.search(line, running[0]), running[0]
    assert "[clean] 1/1 units | 9,000 docs" in lines[-1]


def test_a_unit_that_fails_deterministically_fails_the_ray_run_with_its_error(corpus_dir: Path, tmp_path: Path) -> None:
    wiki = real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 100)
    write_lines(tmp_path / "src" / "a.jsonl", wiki)
    second = write_lines(tmp_path / "src" / "b.jsonl", wiki[:50])
    dest = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "run", str(tmp_path / "src"), str(dest), "--recipe",
         str(write_recipe(tmp_path / "r.yaml")), "--executor", "ray", "--runs-dir", str(tmp_path / "runs")],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_for(lambda: (dest / "_state" / "plan.json").exists())
    with open(second, "ab") as fh:  # before Ray has started: every attempt at b's unit finds it changed
        fh.write(wiki[0] + b"\n")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    last = err.strip().splitlines()[-1]  # (Ray's own start-up lines come before it)
    assert "input b.jsonl" in last and "changed" in last and "Traceback" not in err, err
    assert "retried" not in out + err  # an error of the unit itself is not retried


def test_an_address_nobody_listens_on_is_refused_at_once(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: connections are refused
    result = cli("run", str(tmp_path), str(tmp_path / "out"), "--executor", "ray", "--ray-address", f"127.0.0.1:{port}")
    assert result.returncode == 2 and "cannot reach the cluster" in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "out").exists()


def test_an_address_that_never_answers_as_a_cluster_fails_within_bounds(corpus_dir: Path, tmp_path: Path) -> None:
    source = make_source(corpus_dir, tmp_path)
    with silent_address() as address:
        result = cli(
            "run", str(source), str(tmp_path / "out"), "--executor", "ray", "--ray-address", address,
            "--runs-dir", str(tmp_path / "runs"), timeout=120,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"--ray-address {address}: no Ray cluster answered within" in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr, result.stderr
