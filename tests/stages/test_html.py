"""html_extract: real sidecar pages lose their navigation and keep their article; broken HTML is
rejected with a reason, never raised."""

from __future__ import annotations

import gzip
import json
import random
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import regex

from cleaner.document import Document, Rejection
from cleaner.errors import RecipeError
from cleaner.recipe import load_recipe
from cleaner.resources import RECIPES_DIR
from cleaner.stages.base import validate_stage
from cleaner.stages.html import HtmlExtract
from tests.conftest import corpus_records
from tests.helpers import cli, write_lines

_TOKEN = regex.compile(r"[\p{Han}]|[\p{L}\p{N}--\p{Han}]++", regex.V1)


def _stage(**params: object) -> HtmlExtract:
    stage = HtmlExtract(**params)
    validate_stage(stage, Path("."))
    stage.setup()
    return stage


def _doc(html: object, text: str = "") -> Document:
    return Document("d", text, "f.jsonl", 1, {"html": html, "url": "http://x"})


def _precision_recall(got: str, reference: str) -> tuple[float, float]:
    """Token-multiset precision and recall (Han characters and other words), as bench/html_extract_eval.py."""
    a, b = Counter(_TOKEN.findall(got)), Counter(_TOKEN.findall(reference))
    shared = sum((a & b).values())
    return shared / sum(a.values()), shared / sum(b.values())


def sidecar_page(corpus_dir: Path, name: str, doc_id: str) -> tuple[dict, str]:
    """The record of `doc_id` in web/<name>.jsonl and its HTML from the sidecar."""
    record = next(r for r in corpus_records(corpus_dir, f"web/{name}.jsonl") if r["id"] == doc_id)
    with gzip.open(corpus_dir / "web" / "html" / f"{name}.html.jsonl.gz", "rt", encoding="utf-8") as fh:
        html = next(side["html"] for line in fh if (side := json.loads(line))["id"] == doc_id)
    return record, html


@pytest.mark.parametrize(
    ("name", "doc_id", "nav_line", "min_precision", "min_recall"),
    [
        # RFI Chinese page with a hand-copied main text: a language menu and section lists around one article.
        ("zh_web_cwced_pages", "cwced-0ef8393b-0415-494c-b608-1d45bb33c6fb", "Português do Brasil", 0.93, 0.99),
        # BBC business article (reference: cx-extractor's output): BBC navigation and footer around it.
        ("en_news_bbc_cx", "cx-bbc-business-27107354", "Accessibility Help", 0.98, 0.93),
    ],
)
def test_sidecar_page_keeps_article_drops_navigation(
    corpus_dir: Path, name: str, doc_id: str, nav_line: str, min_precision: float, min_recall: float
) -> None:
    record, html = sidecar_page(corpus_dir, name, doc_id)
    doc = Document(doc_id, record["text"], name, 1, {"html": html})
    assert _stage().process(doc) is None
    precision, recall = _precision_recall(doc.text, record["source_main_text"])
    visible_precision, _ = _precision_recall(record["text"], record["source_main_text"])
    assert precision >= min_precision and recall >= min_recall
    assert visible_precision < 0.65  # the page's visible text was mostly navigation
    assert nav_line in record["text"] and nav_line not in doc.text
    assert record["source_main_text"].strip()[:60] in doc.text  # the article's opening, verbatim
    assert "html" not in doc.meta


def test_output_is_deterministic(corpus_dir: Path) -> None:
    _, html = sidecar_page(corpus_dir, "en_news_bbc_cx", "cx-bbc-business-27107354")
    stage = _stage()
    first, second = _doc(html), _doc(html)
    stage.process(first)
    _stage().process(second)
    assert first.text == second.text and len(first.text) > 1000


def _random_bytes(n: int) -> str:
    return random.Random(7).randbytes(n).decode("latin-1")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "html_no_text"),
        ("  \n\t ", "html_no_text"),
        ("<script>var a = 1;</script><style>p {}</style>", "html_no_text"),
        ("<!-- an unterminated comment " + "x" * 1000, "html_no_text"),
        ("<div>" * 20_000 + "deep text" + "</div>" * 20_000, "html_too_deep"),
        (_random_bytes(100_000), "html_unparseable"),
        ("\x00" * 5000, "html_unparseable"),
        ("<p>a lone surrogate \udc80 cannot be encoded</p>", "html_unparseable"),
        (12345, "html_unparseable"),
        ({"not": "html"}, "html_unparseable"),
    ],
    ids=["empty", "blank", "script-only", "open-comment", "deep", "binary", "nul", "surrogate", "int", "object"],
)
def test_broken_html_is_a_rejection(html: object, reason: str) -> None:
    started = time.process_time()
    rejection = _stage().process(_doc(html))
    assert isinstance(rejection, Rejection) and rejection.reason == reason, rejection
    assert rejection.detail
    assert time.process_time() - started < 5  # the deep page would take minutes without the depth check


def test_too_large_rejected_before_parsing() -> None:
    rejection = _stage(max_chars=1000).process(_doc("<p>" + "word " * 1000 + "</p>"))
    assert rejection == Rejection("html_too_large", "5007 chars > 1000")


def test_malformed_but_real_markup_still_extracts() -> None:
    html = "<html><body><p>第一段没有闭合<div><b>加粗的正文内容在这里，<i>还有斜体" + "<td>单元格</tr></table></p>"
    doc = _doc(html)
    assert _stage(main_content=False).process(doc) is None
    assert "第一段没有闭合" in doc.text and "加粗的正文内容在这里，还有斜体" in doc.text


def test_deep_page_is_fine_without_main_content() -> None:
    doc = _doc("<div>" * 20_000 + "deep text" + "</div>" * 20_000)
    assert _stage(main_content=False).process(doc) is None
    assert doc.text.strip() == "deep text"


_ARTICLE = (
    "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>A title</h1>"
    "<p>The first paragraph of the article is long enough to be the main content of the page.</p>"
    "<table><tr><td>cell a1</td><td>cell b1</td></tr></table><img alt='a photo caption'>"
    "<p class='partner-box'>Partner offer: a discount on every second item ordered this week only.</p>"
    "</article></body></html>"
)


def test_options_tables_alt_texts_skip_elements() -> None:
    default = _doc(_ARTICLE)
    _stage().process(default)
    assert "cell a1" in default.text and "first paragraph" in default.text
    assert "a photo caption" not in default.text and "Home" not in default.text
    no_tables = _doc(_ARTICLE)
    _stage(tables=False, alt_texts=True, skip_elements=[".partner-box"]).process(no_tables)
    assert "cell a1" not in no_tables.text and "a photo caption" in no_tables.text
    assert "Partner offer" in default.text and "Partner offer" not in no_tables.text


def test_document_without_html_keeps_its_text() -> None:
    doc = Document("d", "already plain text", "f", 1, {"url": "u"})
    assert _stage().process(doc) is None and doc.text == "already plain text"
    doc = Document("d", "text", "f", 1, {"html": None})
    assert _stage().process(doc) is None and doc.text == "text" and "html" not in doc.meta


def test_keep_html_and_field_name() -> None:
    doc = Document("d", "", "f", 1, {"page": _ARTICLE})
    assert _stage(field="page", keep_html=True).process(doc) is None
    assert doc.meta["page"] == _ARTICLE and "first paragraph" in doc.text


def test_validate_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="skip_elements"):
        validate_stage(HtmlExtract(skip_elements=["div[["]), Path("."))
    with pytest.raises(ValueError, match="max_depth"):
        validate_stage(HtmlExtract(max_depth=0), Path("."))


def test_html_recipe_is_zh_web_after_extraction() -> None:
    html_recipe = load_recipe(RECIPES_DIR / "zh_web_html.yaml")
    text_recipe = load_recipe(RECIPES_DIR / "zh_web.yaml")
    assert html_recipe.input.html_field == "html" and html_recipe.stages[0].name == "html_extract"
    assert html_recipe.stages[1:] == text_recipe.stages
    assert html_recipe.output == text_recipe.output and html_recipe.dedup == text_recipe.dedup


def test_recipe_requires_html_extract_first(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("input: {html_field: html}\nstages: [unicode_normalise, html_extract]\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="input.html_field"):
        load_recipe(recipe)
    recipe.write_text("input: {html_field: page}\nstages: [html_extract]\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="field: page"):
        load_recipe(recipe)
    recipe.write_text("stages: [html_extract]\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="input.html_field"):
        load_recipe(recipe)


def test_engine_cleans_html_records_end_to_end(corpus_dir: Path, tmp_path: Path) -> None:
    """Records with only an html field go through zh_web_html.yaml; kept text is the article."""
    name = "zh_web_cwced_pages"
    records = {r["id"]: r for r in corpus_records(corpus_dir, f"web/{name}.jsonl")}
    with gzip.open(corpus_dir / "web" / "html" / f"{name}.html.jsonl.gz", "rt", encoding="utf-8") as fh:
        pages = [json.loads(line) for line in fh]
    lines = [json.dumps({"id": p["id"], "html": p["html"], "url": records[p["id"]].get("url")}) for p in pages]
    news = corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 50)
    text_doc = next(r for r in news if len(r["text"]) > 400)
    lines += [
        json.dumps({"id": "binary", "html": "\x00\x01" * 500}),
        json.dumps({"id": "no-html-no-text"}),
        json.dumps({"id": "text-only", "text": text_doc["text"]}, ensure_ascii=False),
    ]
    src = write_lines(tmp_path / "src" / "pages.jsonl", [line.encode() for line in lines]).parent
    dest = tmp_path / "out"
    runs = str(tmp_path / "runs")
    result = cli("run", str(src), str(dest), "--recipe", "zh_web_html", "--workers", "1", "--runs-dir", runs)
    assert result.returncode == 0, result.stderr
    kept = pq.read_table(dest / "kept" / "pages.parquet").to_pylist()
    rejected = {r["id"]: r for r in pq.read_table(dest / "rejected" / "pages.parquet").to_pylist()}
    stats = json.loads((dest / "stats" / "pages.json").read_text())
    assert stats["read"] == len(lines) == stats["kept"] + stats["rejected"] + stats["malformed"]
    assert rejected["binary"]["reason"] == "html_unparseable" and rejected["binary"]["stage"] == "html_extract"
    assert rejected[f"pages.jsonl:{len(pages) + 2}"]["reason"] == "malformed:missing_text"  # ids of malformed lines
    assert "html" not in kept[0] and "url" in kept[0]
    by_id = {row["id"]: row for row in kept}
    assert "text-only" in by_id
    page_rows = [row for row in kept if row["id"] in records]
    assert len(page_rows) >= 15
    scores = sorted(_precision_recall(row["text"], records[row["id"]]["source_main_text"]) for row in page_rows)
    precisions = sorted(p for p, _ in scores)
    recalls = sorted(r for _, r in scores)
    assert precisions[len(precisions) // 2] >= 0.9 and recalls[len(recalls) // 2] >= 0.9


def test_page_the_main_content_pass_misses_falls_back_to_visible_text(corpus_dir: Path) -> None:
    """guancha.cn puts its article in a <ul>, which Resiliparse's main-content pass drops whole."""
    record, html = sidecar_page(corpus_dir, "zh_news_gne_testpages", "gne-tests_guancha_2")
    assert _stage(fallback_visible=False).process(_doc(html)).reason == "html_no_text"
    doc = _doc(html)
    assert _stage().process(doc) is None
    assert "9月3日，在第二届全球IC企业家大会暨第十七届中国国际半导体博览会开幕式上" in doc.text
