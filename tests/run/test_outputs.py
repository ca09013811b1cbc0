"""The run deletes and replaces only what it wrote itself; SOURCE and DEST may not overlap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import cli, real_lines, write_lines, write_recipe


def _source(corpus_dir: Path, root: Path) -> Path:
    src = root / "src"
    write_lines(src / "a.jsonl", real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 30))
    return src


def _run(src: Path, dest: Path, recipe: Path, *extra: str):
    return cli(
        "run",
        str(src),
        str(dest),
        "--recipe",
        str(recipe),
        "--workers",
        "1",
        "--runs-dir",
        str(dest.parent / "runs"),
        *extra,
    )


def test_dest_equal_to_source_is_refused_and_nothing_is_touched(corpus_dir: Path, tmp_path: Path) -> None:
    src = _source(corpus_dir, tmp_path)
    (src / "samples").mkdir()
    write_lines(src / "samples" / "a.jsonl", real_lines(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 3))
    before = sorted(p.relative_to(src) for p in src.rglob("*"))
    result = _run(src, src, write_recipe(tmp_path / "r.yaml"))
    assert result.returncode == 2 and "same folder" in result.stderr
    assert sorted(p.relative_to(src) for p in src.rglob("*")) == before


def test_source_inside_an_output_folder_of_dest_is_refused(corpus_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    src = _source(corpus_dir, dest / "samples")
    result = _run(src, dest, write_recipe(tmp_path / "r.yaml"))
    assert result.returncode == 2 and "output folder" in result.stderr
    assert (src / "a.jsonl").exists()


def test_report_and_restart_spare_files_the_run_did_not_write(corpus_dir: Path, tmp_path: Path) -> None:
    src, dest = _source(corpus_dir, tmp_path), tmp_path / "out"
    mine = [
        dest / "samples" / "notes.jsonl",
        dest / "kept" / "README.txt",
        dest / "stats" / "mine.json",
        dest / "x.txt",
    ]
    for path in mine:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the user's own file\n")
    recipe = write_recipe(tmp_path / "r.yaml")
    assert _run(src, dest, recipe).returncode == 0
    assert (dest / "kept" / "a.parquet").exists() and (dest / "samples" / "kept.jsonl").exists()
    restarted = _run(src, dest, recipe, "--restart", "--legacy-layout")
    assert restarted.returncode == 0, restarted.stderr
    assert _run(src, dest, recipe, "--restart").returncode == 0
    assert all(path.read_text() == "the user's own file\n" for path in mine)
    assert not (dest / "good").exists()  # the earlier call's legacy files were the run's own
    owned = json.loads((dest / "_state" / "outputs.json").read_text())
    assert "samples/kept.jsonl" in owned and "samples/notes.jsonl" not in owned


def test_a_fresh_run_does_not_overwrite_a_file_it_did_not_write(corpus_dir: Path, tmp_path: Path) -> None:
    src, dest = _source(corpus_dir, tmp_path), tmp_path / "out"
    (dest / "kept").mkdir(parents=True)
    (dest / "kept" / "a.parquet").write_bytes(b"someone else's data")
    result = _run(src, dest, write_recipe(tmp_path / "r.yaml"))
    assert result.returncode == 2 and "kept/a.parquet" in result.stderr
    assert (dest / "kept" / "a.parquet").read_bytes() == b"someone else's data"
    shutil.rmtree(dest / "kept")
    assert _run(src, dest, write_recipe(tmp_path / "r.yaml")).returncode == 0


def test_resume_removes_temporary_state_files_a_kill_left(corpus_dir: Path, tmp_path: Path) -> None:
    """A kill while `_state/invocations.json` or a done marker in `_state/done/` was being replaced
    leaves `.NAME.tmp-PID`; the next run removes both (and only such names: a user's file in `_state`
    is not ours to judge)."""
    src = _source(corpus_dir, tmp_path)
    recipe = write_recipe(tmp_path / "recipe.yaml")
    dest = tmp_path / "out"
    assert _run(src, dest, recipe).returncode == 0
    expected = {p.name: p.read_bytes() for p in (dest / "kept").iterdir()}
    left = dest / "_state" / ".invocations.json.tmp-4242"
    left.write_text('{"invocations": [', encoding="utf-8")
    marker = next((dest / "_state" / "done").glob("*.json"))
    half_marker = marker.with_name(f".{marker.name}.tmp-4243")
    half_marker.write_text('{"sid": ', encoding="utf-8")
    done = _run(src, dest, recipe)
    assert done.returncode == 0, done.stderr
    assert not left.exists() and not half_marker.exists()
    assert {p.name: p.read_bytes() for p in (dest / "kept").iterdir()} == expected
