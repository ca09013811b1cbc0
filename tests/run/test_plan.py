"""Which files become shards: odd paths are listed as skipped with their reason, never a traceback;
the order units are run in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner.errors import UsageError
from cleaner.run.plan import UnitInput, discover_inputs, largest_first, make_plan

LINE = b'{"text": "a document"}\n'


def test_odd_paths_are_skipped_with_their_reason(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / ".hidden_dir").mkdir()
    (src / "good.jsonl").write_bytes(LINE)
    (src / "sub" / "a.jsonl").write_bytes(LINE)
    (src / ".hidden_dir" / "b.jsonl").write_bytes(LINE)
    (src / ".hidden.jsonl").write_bytes(LINE)
    (src / "notes.txt").write_bytes(b"x")
    os.symlink("loop.jsonl", src / "loop.jsonl")
    os.symlink("missing.jsonl", src / "dangling.jsonl")
    os.symlink(src / "sub", src / "linked")
    (src / os.fsdecode(b"bad\xffname.jsonl")).write_bytes(LINE)
    found, skipped = discover_inputs(src)
    assert [rel for rel, _ in found] == ["good.jsonl", "sub/a.jsonl"]
    reasons = dict(skipped)
    assert reasons[".hidden_dir/"] == "hidden folder"
    assert reasons["linked/"].startswith("symlinked folder")
    assert reasons[".hidden.jsonl"] == "hidden file"
    assert reasons["notes.txt"].startswith("not a .jsonl")
    assert reasons["dangling.jsonl"] == "dangling symlink"
    assert "symbolic links" in reasons["loop.jsonl"]
    assert reasons["bad\\udcffname.jsonl"].startswith("file name is not UTF-8")


def test_a_file_and_a_folder_of_one_output_name_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "x.parquet").mkdir(parents=True)
    (src / "x.jsonl").write_bytes(LINE)
    (src / "x.parquet" / "a.jsonl").write_bytes(LINE)
    found, _ = discover_inputs(src)
    with pytest.raises(UsageError, match=r"x.jsonl and x.parquet/a.jsonl would write a file and a folder"):
        make_plan(found, 1 << 20)


def test_units_run_largest_first_ties_in_plan_order(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name, lines in (("a.jsonl", 3), ("b.jsonl", 40), ("c.jsonl", 3), ("d.jsonl", 200)):
        (src / name).write_bytes(LINE * lines)
    found, _ = discover_inputs(src)
    shards = make_plan(found, 1024)  # d is cut into chunks of about 1 KiB
    units = [UnitInput.of(shard, chunk, 0) for shard in shards for chunk in shard.chunks]
    ordered = largest_first(units)
    sizes = [(u.end or u.size) - u.start for u in ordered]
    assert sorted(u.unit for u in ordered) == sorted(u.unit for u in units)
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]
    assert [u.source_file for u in ordered][-2:] == ["a.jsonl", "c.jsonl"]
