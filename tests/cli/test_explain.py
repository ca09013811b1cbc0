"""`cleaner explain`: rule-by-rule report with measured values, thresholds and normaliser diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.cli.explain import short_diff
from cleaner.resources import RECIPES_DIR
from tests.conftest import corpus_records

RULES = RECIPES_DIR


def explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["explain", *args])
    return code, capsys.readouterr().out


def test_rejected_document_shows_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    toc = "目录\n" + "\n".join(f"第{n}章 风起云涌的故事" for n in range(1, 15))
    code, out = explain(capsys, "--recipe", str(RULES / "zh_ebook.yaml"), "--text", toc * 3)
    assert code == 0
    # The first rejection decides; later rules still run and show their values.
    assert "length_filter: REJECT too_short" in out
    assert "chapter_list: REJECT chapter_list: heading_share" in out and "(after the rejection)" in out
    assert "✗ heading_share" in out and "✓ han_ratio" in out
    assert out.strip().splitlines()[-1].startswith("result: REJECTED by length_filter: too_short")


def test_kept_document_from_jsonl_with_normaliser_diff(
    capsys: pytest.CaptureFixture[str], corpus_dir: Path, tmp_path: Path
) -> None:
    records = corpus_records(corpus_dir, "zh/zh_news_sogoucs.jsonl", 5)
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    code, out = explain(capsys, "--recipe", str(RULES / "zh_news.yaml"), "--jsonl", str(path), "--line", "5")
    assert code == 0
    assert f"document {records[4]['id']!r}" in out
    assert "unicode_normalise: replaced characters (same length)" in out
    assert "~ '２" in out  # full-width digits shown becoming ASCII
    assert "✓ han_ratio" in out and "(rejects if < 0.500)" in out
    assert "result: KEPT" in out


def test_route_is_expanded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text_file = tmp_path / "doc.txt"
    text_file.write_text("The council met today. It agreed on a plan.\n", encoding="utf-8")
    code, out = explain(capsys, "--recipe", str(RULES / "mixed.yaml"), "--file", str(text_file))
    assert code == 0
    assert "route: route 'latin'" in out and "  route/latin/gopher_quality: REJECT gopher_too_few_words" in out
    assert "result: REJECTED by route/latin/gopher_quality: gopher_too_few_words" in out


def test_bad_input_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text('{"text": "x"}\n', encoding="utf-8")
    assert main(["explain", "--jsonl", str(path), "--line", "3"]) == 2
    assert "fewer than 3 lines" in capsys.readouterr().err
    assert main(["explain", "--text", "a", "--file", str(path)]) == 2


def test_short_diff_is_short() -> None:
    assert short_diff("原标题：新闻\n正文！！！", "正文！") == ["- '原标题：新闻\\n'", "- '！！'"]
    many = short_diff("a1b2c3d4e5f6g7", "abcdefg")
    assert len(many) == 6 and many[-1] == "… and 2 more changes"


def test_diff_of_half_a_million_equal_lines_is_one_block() -> None:
    before = "同一行文字\n" * 500_000
    shown = short_diff(before, "同一行文字\n" * 250_000)
    assert len(shown) == 1 and shown[0].startswith("- '同一行文字")


def test_html_only_record_is_extracted_then_judged(
    capsys: pytest.CaptureFixture[str], corpus_dir: Path, tmp_path: Path
) -> None:
    """A record with only an `html` field is read as the engine reads it, so html_extract has its page."""
    from tests.stages.test_html import sidecar_page

    doc_id = "cwced-0ef8393b-0415-494c-b608-1d45bb33c6fb"
    record, html = sidecar_page(corpus_dir, "zh_web_cwced_pages", doc_id)
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"id": doc_id, "html": html}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out = explain(capsys, "--recipe", "zh_web_html", "--jsonl", str(path))
    assert code == 0
    lines = out.splitlines()
    assert doc_id in lines[0] and lines[0].endswith(": 0 chars")  # no text field: the page is all HTML
    added = next(line for line in lines if line.startswith("html_extract: added "))
    assert int(added.split()[2]) > 0.9 * len(record["source_main_text"].strip())
    assert "法国报纸摘要" in out
    assert lines[-1].startswith("result: KEPT")
