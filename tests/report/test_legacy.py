"""The legacy good/bad layout holds every input line exactly once, with the old field contract."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from cleaner.run.legacy import legacy_policy, write_legacy_layout
from tests.helpers import cli
from tests.report.conftest import input_lines


def _records(folder: Path) -> dict[str, list[dict]]:
    return {
        p.relative_to(folder).as_posix(): [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
        for p in sorted(folder.rglob("*.jsonl"))
    }


def test_every_input_line_lands_once_in_good_or_bad(run_dest: tuple[Path, Path]) -> None:
    src, dest = run_dest
    write_legacy_layout(dest)
    good, bad = _records(dest / "good"), _records(dest / "bad")
    seen = [(r["source_file"], r["line"]) for records in (*good.values(), *bad.values()) for r in records]
    expected = [(name, n) for name, count in input_lines(src).items() for n in range(1, count + 1)]
    assert sorted(seen) == sorted(expected)
    assert "zh/news.jsonl" in good and "zh/wiki.jsonl" in bad
    assert sum(map(len, good.values())) and sum(map(len, bad.values()))
    for records in good.values():
        assert all(r["clean_status"] == 1 and r["clean_policy"] == "" for r in records)
    for records in bad.values():
        assert all(r["clean_status"] == 0 and r["clean_policy"] for r in records)
    policies = {r["clean_policy"] for records in bad.values() for r in records}
    assert "TooShortSentence" in policies and "too_short" not in policies
    assert "malformed:invalid_json" in policies


def test_good_content_is_the_kept_text_and_input_fields_survive(run_dest: tuple[Path, Path]) -> None:
    dest = run_dest[1]
    write_legacy_layout(dest)
    kept = pq.read_table(dest / "kept" / "zh" / "news.parquet").to_pylist()
    good = _records(dest / "good")["zh/news.jsonl"]
    assert [r["content"] for r in good] == [row["text"] for row in kept]
    # Run-wide columns this shard lacks are null, so they are left out of good/ as absent fields.
    carried = {name for name, value in kept[0].items() if value is not None} - {"text", "source_file", "line"}
    assert carried and carried <= set(good[0])
    assert "text" not in good[0]


def test_policy_names_map_to_the_old_ones_where_they_exist() -> None:
    assert legacy_policy("too_short") == "TooShortSentence"
    assert legacy_policy("blacklist:porn") == "has_sensitive_words:sex"
    assert legacy_policy("blacklist:drugs") == "blacklist:drugs"
    assert legacy_policy("near_duplicate") == "near_duplicate"


def test_report_command_writes_the_legacy_layout(run_dest: tuple[Path, Path]) -> None:
    dest = run_dest[1]
    result = cli("report", str(dest), "--legacy-layout")
    assert result.returncode == 0, result.stderr
    assert (dest / "good" / "en" / "web.jsonl").exists() and (dest / "bad" / "zh" / "wiki.jsonl").exists()
