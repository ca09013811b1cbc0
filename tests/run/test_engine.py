"""End-to-end runs of the engine on real text: accounting, determinism, resume, failures."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.helpers import crash_run, make_source, output_bytes, start_cli, wait_for, write_lines, write_recipe
from tests.helpers import run_recipe as _run


@pytest.fixture(scope="module")
def source(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_source(corpus_dir, tmp_path_factory.mktemp("engine"))


def test_every_line_accounted_for(source: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    result = _run(source, dest, write_recipe(tmp_path / "r.yaml"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((dest / "summary.json").read_text())
    totals = summary["totals"]
    input_lines = 300 + 7 + 5 + 400 + 200 + 300 + 3  # wiki + malformed + short, news, web, usenet + malformed
    assert totals["read"] == input_lines
    assert totals["read"] == totals["kept"] + totals["rejected"] + totals["malformed"]
    assert totals["malformed"] == 7 + 3
    assert totals["kept"] > 800  # real encyclopedic/news/web text mostly survives a length window
    kept_rows = rejected_rows = 0
    for stats_file in (dest / "stats").rglob("*.json"):
        stats = json.loads(stats_file.read_text())
        shard = stats["shard"]
        kept = pq.read_table(dest / "kept" / f"{shard}.parquet")
        rejected = pq.read_table(dest / "rejected" / f"{shard}.parquet")
        assert kept.num_rows == stats["kept"]
        assert rejected.num_rows == stats["rejected"] + stats["malformed"]
        kept_rows += kept.num_rows
        rejected_rows += rejected.num_rows
    assert kept_rows + rejected_rows == input_lines
    assert "TOTAL" in result.stdout and "malformed" in result.stdout


def test_columns_malformed_rows_and_carried_fields(source: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    assert _run(source, dest, write_recipe(tmp_path / "r.yaml")).returncode == 0
    kept = pq.read_table(dest / "kept" / "zh" / "wiki.parquet")
    assert kept.column_names[:4] == ["id", "text", "source_file", "line"]
    assert {"title", "source"} <= set(kept.column_names)  # input fields carried unchanged
    first = kept.slice(0, 1).to_pylist()[0]
    assert first["id"] == "zh-cmrc-DEV_0" and first["source_file"] == "zh/wiki.jsonl" and first["line"] == 1
    rejected = pq.read_table(dest / "rejected" / "zh" / "wiki.parquet").to_pylist()
    malformed = {r["reason"]: r for r in rejected if r["reason"].startswith("malformed:")}
    assert set(malformed) == {
        "malformed:invalid_json",
        "malformed:invalid_utf8",
        "malformed:not_object",
        "malformed:missing_text",
        "malformed:empty_text",
        "malformed:text_not_string",
        "malformed:empty_line",
    }
    assert malformed["malformed:invalid_utf8"]["raw"] == b'{"text": "bad \xff\xfe bytes"}'
    assert malformed["malformed:invalid_json"]["line"] == 301
    assert all(r["stage"] == "read" for r in malformed.values())
    too_short = [r for r in rejected if r["reason"] == "too_short"]
    assert len(too_short) >= 5
    assert all(r["stage"] == "length_filter" and "<" in r["detail"] for r in too_short)
    stats = json.loads((dest / "stats" / "zh" / "wiki.json").read_text())
    assert [s["stage"] for s in stats["stages"]] == ["unicode_normalise", "whitespace_normalise", "length_filter"]
    assert stats["stages"][2]["rejected"].get("too_short", 0) == len(too_short)


def test_same_output_for_1_and_2_workers_and_any_chunking(source: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="64KiB", batch_rows=100)
    assert _run(source, one, recipe, 1).returncode == 0
    assert _run(source, two, recipe, 2).returncode == 0
    assert output_bytes(one) == output_bytes(two)
    plan = json.loads((one / "_state" / "plan.json").read_text())
    assert max(len(s["chunks"]) for s in plan) > 3  # the plain shards really were split
    # Split and unsplit runs keep the same documents in the same order.
    whole = tmp_path / "whole"
    assert _run(source, whole, write_recipe(tmp_path / "w.yaml", batch_rows=100), 2).returncode == 0
    for name in ("kept/zh/wiki.parquet", "rejected/en/usenet.parquet"):
        assert pq.read_table(one / name).to_pylist() == pq.read_table(whole / name).to_pylist()


def test_kill_then_resume_is_byte_identical(source: Path, tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="16KiB", batch_rows=50)
    reference = tmp_path / "reference"
    assert _run(source, reference, recipe, 2).returncode == 0

    dest = tmp_path / "killed"
    runs = tmp_path / "runs"
    proc = start_cli("run", str(source), str(dest), "--recipe", str(recipe), "--workers", "1", "--runs-dir", str(runs))
    parts = dest / "_state" / "parts"
    wait_for(lambda: len([p for p in parts.glob("s*") if not p.name.endswith(".tmp")]) >= 5)
    crash_run(dest, proc)
    assert not (dest / "summary.json").exists(), "the run finished before it could be killed"

    resumed = _run(source, dest, recipe, 2)
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stdout
    assert output_bytes(dest) == output_bytes(reference)
    totals = json.loads((dest / "summary.json").read_text())["totals"]
    assert totals == {
        **json.loads((reference / "summary.json").read_text())["totals"],
        "seconds": totals["seconds"],
        "stages": totals["stages"],
    }


def test_resume_refuses_changed_recipe_or_inputs(source: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    recipe = write_recipe(tmp_path / "r.yaml")
    assert _run(source, dest, recipe).returncode == 0
    other = write_recipe(tmp_path / "other.yaml", batch_rows=7)
    refused = _run(source, dest, other)
    assert refused.returncode == 2 and "--restart" in refused.stderr
    assert "different recipe settings (output.batch_rows: 5000 then, 7 now)" in refused.stderr
    assert _run(source, dest, other, 1, "--restart").returncode == 0

    changed = tmp_path / "changed"
    changed_src = changed / "src"
    write_lines(changed_src / "a.jsonl", [b'{"text": "one two three"}'])
    assert _run(changed_src, changed / "out", recipe).returncode == 0
    write_lines(changed_src / "b.jsonl", [b'{"text": "four five six"}'])
    refused = _run(changed_src, changed / "out", recipe)
    assert refused.returncode == 2 and "b.jsonl is new" in refused.stderr


def test_write_failure_names_the_file_and_a_rerun_completes(source: Path, tmp_path: Path) -> None:
    """A real EFBIG from the kernel (file size limit) stands in for a full disk."""
    dest = tmp_path / "out"
    recipe = write_recipe(tmp_path / "r.yaml")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    failed = _run(source, dest, recipe, 1, preexec_fn=small_files)
    assert failed.returncode == 1
    assert "cannot write" in failed.stderr and "File too large" in failed.stderr
    assert "Traceback" not in failed.stderr
    for sub in ("kept", "rejected"):
        for path in (dest / sub).rglob("*"):
            if path.is_file():
                pq.read_metadata(path)  # anything under a final name is complete
    assert _run(source, dest, recipe, 1).returncode == 0
    assert json.loads((dest / "summary.json").read_text())["totals"]["read"] == 1215


def test_empty_and_odd_inputs(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "empty.jsonl").write_bytes(b"")
    (src / "notes.txt").write_text("not an input")
    write_lines(src / "sub" / "one.jsonl.gz", [b'{"text": "a document that is long enough to keep around here, yes"}'])
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages: [unicode_normalise, whitespace_normalise]\n")
    dest = tmp_path / "out"
    result = _run(src, dest, recipe)
    assert result.returncode == 0, result.stderr
    assert "skipping notes.txt" in result.stdout
    assert pq.read_table(dest / "kept" / "empty.parquet").num_rows == 0
    assert pq.read_table(dest / "kept" / "sub" / "one.parquet").num_rows == 1
