"""The Ray executor gives output byte-identical to the local executor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import corpus_records
from tests.helpers import cli, make_source, output_bytes, write_lines, write_recipe

pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")


def test_ray_output_matches_local(corpus_dir: Path, tmp_path: Path) -> None:
    source = make_source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "r.yaml", chunk_bytes="64KiB", batch_rows=100)
    common = ["--recipe", str(recipe), "--workers", "2", "--runs-dir", str(tmp_path / "runs")]
    local = cli("run", str(source), str(tmp_path / "local"), *common)
    assert local.returncode == 0, local.stderr
    on_ray = cli("run", str(source), str(tmp_path / "ray"), *common, "--executor", "ray")
    assert on_ray.returncode == 0, on_ray.stderr
    assert "(ray)" in on_ray.stdout
    assert output_bytes(tmp_path / "ray") == output_bytes(tmp_path / "local")
    assert len(output_bytes(tmp_path / "local")) == 8


# A budget small enough that the dedup index is split into several partitions (Ray tasks).
DEDUP_RECIPE = """
input: {text_field: text, chunk_bytes: 64KiB}
stages: [unicode_normalise, whitespace_normalise, {length_filter: {min_chars: 50, min_words: 20}}]
output: {batch_rows: 100}
dedup: {threshold: 0.8, memory_budget_mb: 0.05}
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
