"""report.json adds up to the stats files and the input; report.html is complete, offline and escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner.errors import UsageError
from cleaner.report.build import build_report
from cleaner.report.html import SECTIONS
from cleaner.run.tokens import TokenCounter
from tests.helpers import cli
from tests.report.conftest import input_lines


@pytest.fixture(scope="module")
def report(run_dest: tuple[Path, Path]) -> dict:
    return build_report(run_dest[1])


def _stats(dest: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((dest / "stats").rglob("*.json"))]


def test_totals_add_up_to_the_stats_files_and_the_input(run_dest: tuple[Path, Path], report: dict) -> None:
    src, dest = run_dest
    totals = report["totals"]
    stats = _stats(dest)
    assert totals["read"] == sum(input_lines(src).values()) == sum(s["read"] for s in stats)
    for key in ("kept", "rejected", "malformed", "chars_in", "chars_out", "bytes_read"):
        assert totals[key] == sum(s[key] for s in stats), key
    assert totals["read"] == totals["kept"] + totals["rejected"] + totals["malformed"]
    assert sum(r["count"] for r in report["reasons"]) == totals["rejected"] + totals["malformed"]
    assert report["malformed_by_kind"] and sum(report["malformed_by_kind"].values()) == totals["malformed"]
    assert report["checks"] and all(check["ok"] for check in report["checks"]), report["checks"]
    assert json.loads((dest / "report.json").read_text(encoding="utf-8"))["totals"] == totals


def test_per_shard_rows_match_stats_and_input(run_dest: tuple[Path, Path], report: dict) -> None:
    src, dest = run_dest
    lines = input_lines(src)
    assert {row["source_file"]: row["read"] for row in report["shards"]} == lines
    for row in report["shards"]:
        assert row["kept_rows"] == row["kept"]
        assert row["rejected_rows"] == row["rejected"] + row["malformed"]


def test_funnel_and_histograms_count_every_document(report: dict) -> None:
    totals, funnel = report["totals"], report["funnel"]
    assert funnel[0] == {**funnel[0], "step": "read", "docs": totals["read"]}
    assert funnel[1]["docs"] == totals["read"] - totals["malformed"]
    assert funnel[-1]["docs"] == totals["kept"]
    assert sum(step["removed"] for step in funnel) == totals["rejected"] + totals["malformed"]
    lengths = report["length_chars"]
    assert sum(b["count"] for b in lengths["after"]) == totals["kept"]
    assert sum(b["count"] for b in lengths["before"]) == totals["read"] - totals["malformed"]
    # No language-ID stage in this recipe, but one input file carries its own `lang` field.
    assert sum(x["docs"] for x in report["languages"]) == totals["read"] - totals["malformed"]
    assert report["quality_score"] is None and report["dedup"] is None and report["blacklist"] is None


def test_tokens_match_the_tokenizer_on_kept_text(run_dest: tuple[Path, Path], report: dict) -> None:
    dest = run_dest[1]
    counter = TokenCounter()
    meta = json.loads((dest / report["meta_info_file"]).read_text(encoding="utf-8"))
    assert report["meta_info_file"] == "demo-meta-info-v3.json"
    by_file = {f["filename"]: f for f in meta["files"]}
    for path in sorted((dest / "kept").rglob("*.parquet")):
        texts = pq.read_table(path, columns=["text"]).column("text").to_pylist()
        entry = by_file[path.relative_to(dest).as_posix()]
        assert entry["tokens"] == sum(counter.count(t) for t in texts)
        assert entry["total_samples"] == len(texts)
    assert meta["total_tokens"] == report["totals"]["tokens_out"] == sum(f["tokens"] for f in meta["files"])
    assert meta["total_samples"] == report["totals"]["kept"]


def test_html_has_every_section_no_url_and_escaped_text(run_dest: tuple[Path, Path], report: dict) -> None:
    html = (run_dest[1] / "report.html").read_text(encoding="utf-8")
    for key, title in SECTIONS:
        assert f'<section id="{key}"><h2>{title}</h2>' in html
    assert "://" not in html
    assert not re.search(r"(?i)\b(src|srcset|action|xmlns)\s*=|url\(|@import|<script|<link|<iframe", html)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(not h.startswith("/") and ":" not in h for h in hrefs)
    for sample in report["samples"]["rejected"]:
        assert f'href="{sample["file"]}"' in html


def test_hostile_document_is_escaped_in_the_examples(run_dest: tuple[Path, Path]) -> None:
    """Force the hostile (kept) document into the examples by making it a rejected sample."""
    from cleaner.report.html import render_html

    report = json.loads((run_dest[1] / "report.json").read_text(encoding="utf-8"))
    report["reasons"][0]["examples"] = [
        {
            "id": "h",
            "ref": "x/hostile.jsonl:1",
            "detail": "<b onclick=x>",
            "snippet": '<script>alert("x")</script> https://e.x',
        }
    ]
    html = render_html(report)
    assert "<script>" not in html and "<b onclick" not in html and "://" not in html
    assert "&lt;b onclick=x&gt;" in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; https:&#47;&#47;e.x" in html


def test_report_command_and_a_dest_without_a_run(run_dest: tuple[Path, Path], tmp_path: Path) -> None:
    result = cli("report", str(run_dest[1]))
    assert result.returncode == 0, result.stderr
    assert "report.html" in result.stdout
    with pytest.raises(UsageError, match="no finished run"):
        build_report(tmp_path)
    missing = cli("report", str(tmp_path))
    assert missing.returncode == 2 and "no finished run" in missing.stderr
