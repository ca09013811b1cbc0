"""remove_repeated_lines: line normalisation, scopes, removal of a bound frequent set, recipe placement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cleaner.document import Document
from cleaner.errors import RecipeError
from cleaner.recipe import load_recipe
from cleaner.stages.base import apply_stage
from cleaner.stages.repeated_lines import RepeatedLines, domain_of, normalised_lines
from tests.conftest import corpus_records


def page(text: str, url: str | None = None) -> Document:
    return Document("i", text, "f", 1, {"url": url} if url else {})


def test_lines_are_compared_folded_and_one_to_one(corpus_dir: Path) -> None:
    assert normalised_lines("© 2019  BBC\t\n \u3000Share \u2028 This  \r\n") == ["© 0000 bbc", "share this", ""]
    assert normalised_lines("第１２页") == normalised_lines("第34页") == ["第00页"]
    for relative in ("web/zh_web_cwced_pages.jsonl", "web/en_news_bbc_cx.jsonl", "web/zh_news_sogouca_mini.jsonl"):
        for record in corpus_records(corpus_dir, relative, 30):
            assert len(normalised_lines(record["text"])) == len(record["text"].split("\n"))


def test_domain_is_the_host_without_www() -> None:
    assert domain_of("https://www.BBC.co.uk:443/news/x?y=1") == "bbc.co.uk"
    assert domain_of("http://news.sohu.com/20120601/n344598651.shtml") == "news.sohu.com"
    assert domain_of(None) == domain_of("not a url") == domain_of("http://[::1") == ""


def test_pages_of_one_site_share_keys_per_domain_not_across(corpus_dir: Path) -> None:
    bbc = corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl", 2)
    stage = RepeatedLines(per="domain")
    a, _ = stage.document_keys(page(bbc[0]["text"], "https://www.bbc.com/news/a"))
    b, _ = stage.document_keys(page(bbc[1]["text"], "https://bbc.com/news/b"))
    elsewhere, _ = stage.document_keys(page(bbc[1]["text"], "https://example.org/b"))
    assert len(a & b) >= 20  # the site's navigation and footer
    assert not a & elsewhere
    run_a, _ = RepeatedLines(per="run").document_keys(page(bbc[0]["text"], "https://www.bbc.com/news/a"))
    run_b, _ = RepeatedLines(per="run").document_keys(page(bbc[1]["text"], "https://example.org/b"))
    assert len(run_a & run_b) >= 20


def test_documents_are_told_apart_by_normalised_content(corpus_dir: Path) -> None:
    text = corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl", 1)[0]["text"]
    stage = RepeatedLines()
    keys, content = stage.document_keys(page(text))
    assert stage.document_keys(page(text.upper().replace("2017", "2018"))) == (keys, content)
    assert stage.document_keys(page(text + "\nOne more line."))[1] != content
    short = RepeatedLines(min_chars=30).document_keys(page(text))[0]
    assert short < keys and len(short) < len(keys) / 2  # short menu items are neither counted nor removed


def test_bound_stage_removes_exactly_the_frequent_lines(corpus_dir: Path) -> None:
    records = corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl", 2)
    stage = RepeatedLines(per="run")
    first, second = (stage.document_keys(page(r["text"]))[0] for r in records)
    stage.use_frequent(np.array(sorted(first & second), dtype=np.uint64))
    doc = page(records[0]["text"])
    assert apply_stage(stage, doc) is None
    kept = set(normalised_lines(doc.text))
    shared = {line for line in normalised_lines(records[1]["text"]) if line}
    assert not (kept - {""}) & shared  # every line the other page also has is gone
    original = normalised_lines(records[0]["text"])
    assert {line for line in original if line and line not in shared} <= kept  # the rest stays, in order
    assert "share this with" in shared and "share this with" in original
    counters = stage.counters()
    assert counters["docs_changed"] == 1
    assert counters["lines_removed"] == sum(1 for line in original if line in shared)
    assert stage.counters() == {"docs_changed": 0, "lines_removed": 0}


def test_without_a_frequent_set_nothing_is_removed(corpus_dir: Path) -> None:
    text = corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl", 1)[0]["text"]
    doc = page(text)
    assert apply_stage(RepeatedLines(), doc) is None and doc.text == text


def test_a_page_of_nothing_but_frequent_lines_is_rejected_as_empty(corpus_dir: Path) -> None:
    text = corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl", 1)[0]["text"]
    stage = RepeatedLines()
    keys, _ = stage.document_keys(page(text))
    stage.use_frequent(np.array(sorted(keys), dtype=np.uint64))
    rejection = apply_stage(stage, page(text))
    assert rejection is not None and rejection.reason == "empty_after_normalise"


def _recipe(tmp_path: Path, stages: str) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(f"stages:\n{stages}", encoding="utf-8")
    return path


def test_recipe_placement_and_parameters_are_checked(tmp_path: Path) -> None:
    fine = load_recipe(_recipe(tmp_path, "  - unicode_normalise\n  - remove_repeated_lines: {min_docs: 5}\n"))
    assert [spec.name for spec in fine.stages] == ["unicode_normalise", "remove_repeated_lines"]
    cases = {
        "  - remove_repeated_lines\n  - remove_repeated_lines\n": "may appear once",
        "  - route: {routes: {en: [remove_repeated_lines]}}\n": "cannot be inside a route",
        "  - remove_repeated_lines: {min_docs: 1}\n": "min_docs: must be >= 2",
        "  - remove_repeated_lines: {per: site}\n": "per: must be one of",
    }
    for stages, message in cases.items():
        with pytest.raises(RecipeError, match=message):
            load_recipe(_recipe(tmp_path, stages))
