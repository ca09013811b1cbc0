"""Faults of long unattended runs: each ends in one clear line, loses nothing, never hangs."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import cli, real_lines, write_lines


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
