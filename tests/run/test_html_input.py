"""A run over records given as raw HTML (`input.html_field`, the shipped zh_web_html recipe): the
main text is extracted and cleaned, and the stats count the HTML's characters as the input's."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from tests.conftest import corpus_records
from tests.helpers import cli
from tests.stages.test_html import sidecar_page

#: An RFI Chinese page whose HTML sidecar holds one article inside menus in many languages.
PAGE = "cwced-0ef8393b-0415-494c-b608-1d45bb33c6fb"


def test_html_records_are_extracted_cleaned_and_counted(corpus_dir: Path, tmp_path: Path) -> None:
    record, html = sidecar_page(corpus_dir, "zh_web_cwced_pages", PAGE)
    text_only = next(r for r in corpus_records(corpus_dir, "web/zh_web_cwced_pages.jsonl", 3) if r["id"] != PAGE)
    source = tmp_path / "src"
    source.mkdir()
    lines = [{"id": PAGE, "html": html}, {"id": text_only["id"], "text": text_only["text"]}]
    (source / "pages.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    dest = tmp_path / "out"
    done = cli("run", str(source), str(dest), "--recipe", "zh_web_html", "--workers", "1")
    assert done.returncode == 0, done.stderr

    stats = json.loads((dest / "stats" / "pages.json").read_text())
    assert stats["read"] == 2 and stats["malformed"] == 0
    assert stats["chars_in"] == len(html) + len(text_only["text"])
    kept = pq.read_table(dest / "kept" / "pages.parquet").to_pylist()
    rejected = pq.read_table(dest / "rejected" / "pages.parquet").to_pylist()
    assert len(kept) + len(rejected) == 2
    page = next(row for row in kept + rejected if row["id"] == PAGE)
    assert "法国报纸摘要" in page["text"] and "Português do Brasil" not in page["text"]
    assert "<" not in page["text"] and "html" not in page
    assert record["source_main_text"].strip()[:10] in page["text"]
