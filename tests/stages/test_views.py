"""views: one computation per text, shared by the rules of a document, fresh after a normaliser."""

from __future__ import annotations

import sys
from pathlib import Path

import regex

from cleaner.document import Document
from cleaner.stages.base import apply_stage
from cleaner.stages.normalise import WhitespaceNormaliser
from cleaner.stages.views import TextViews, views
from cleaner.text.spaces import non_space_count
from tests.conftest import corpus_records

FILES = ["zh/zh_wiki_cmrc2018.jsonl", "web/zh_news_gne_testpages.jsonl", "en/en_usenet_20newsgroups.jsonl"]


def _texts(corpus_dir: Path) -> list[str]:
    return [r.get("text") or r.get("content") or "" for name in FILES for r in corpus_records(corpus_dir, name, 80)]


def test_views_are_what_the_rules_computed_themselves(corpus_dir: Path) -> None:
    texts = _texts(corpus_dir)
    assert len(texts) >= 150 and any(views(Document("i", t, "f", 1, {})).han_count for t in texts)
    for text in texts:
        view = views(Document("i", text, "f", 1, {}))
        assert view.han_count == len(regex.findall(r"\p{Han}", text))
        assert view.non_space_count == non_space_count(text)
        assert view.stripped_lines == [line.strip() for line in text.split("\n")]
        assert view.nonempty_lines == [line.strip() for line in text.split("\n") if line.strip()]
        assert view.code_points.tolist() == list(map(ord, text))
        assert view.lower == text.lower()


def test_han_count_is_the_han_script_on_every_code_point() -> None:
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert views(Document("i", everything, "f", 1, {})).han_count == len(regex.findall(r"\p{Han}", everything))


def test_a_view_is_computed_once_per_text_and_afresh_after_the_text_changes() -> None:
    doc = Document("i", "中文  标题 \n\n正文。 ", "f", 1, {})
    first = views(doc)
    assert first.nonempty_lines == ["中文  标题", "正文。"]
    assert views(doc) is first and views(doc).nonempty_lines is first.nonempty_lines
    assert apply_stage(WhitespaceNormaliser(), doc) is None
    assert doc.text != first.text
    assert views(doc) is not first
    assert views(doc).stripped_lines == [line.strip() for line in doc.text.split("\n")]
    assert views(doc).han_count == 6


def test_a_derived_view_is_computed_once_per_text_and_per_function() -> None:
    calls: list[str] = []

    def shouting(view: TextViews) -> str:
        calls.append(view.text)
        return view.lower.upper()

    def length(view: TextViews) -> int:
        return len(view.text)

    doc = Document("i", "Some  Text \n\nhere ", "f", 1, {})
    assert views(doc).derived(shouting) == "SOME  TEXT \n\nHERE "
    assert views(doc).derived(shouting) == "SOME  TEXT \n\nHERE " and len(calls) == 1
    assert views(doc).derived(length) == 18
    assert apply_stage(WhitespaceNormaliser(), doc) is None
    assert views(doc).derived(shouting) == "SOME TEXT\n\nHERE"
    assert calls == ["Some  Text \n\nhere ", "Some Text\n\nhere"]
