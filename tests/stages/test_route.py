"""route: sub-stage lists chosen by language annotation or script."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.config import build_dataclass
from cleaner.document import Document
from cleaner.stages.route import Route, script_of
from tests.conftest import corpus_records

ROUTES = {
    "chinese": [{"zh_char_ratio": {"min_ratio": 0.5}}],
    "latin": ["c4_lines", {"length_filter": {"min_words": 5}}],
}


def doc(text: str, lang: str | None = None) -> Document:
    document = Document("i", text, "f", 1, {})
    if lang:
        document.annotations["lang"] = lang
    return document


def test_script_of_real_text(corpus_dir: Path) -> None:
    assert script_of(corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 1)[0]["text"]) == "chinese"
    assert script_of(corpus_records(corpus_dir, "en/en_commoncrawl_samples.jsonl", 1)[0]["text"]) == "latin"
    assert script_of("これは日本語の文章です。東京に行きました。") == "japanese"
    assert script_of("한국어 문장입니다. 서울에 갔습니다.") == "korean"
    assert script_of("Москва — столица России.") == "other"


def test_routes_by_script_and_language(tmp_path: Path) -> None:
    route = build_dataclass(Route, {"routes": ROUTES}, "route")
    route.validate(tmp_path)
    english = doc("Short page.\nThe council met today and agreed on a plan.\nmenu")
    assert route.process(english) is None
    assert english.text == "The council met today and agreed on a plan."  # c4_lines ran
    verdict = route.process(doc("tiny."))
    assert verdict.reason == "empty_after_normalise"
    mostly_english = doc("中文 text that is mostly English words here.", lang="zh")
    assert route.process(mostly_english) is None  # no "zh" key: script "latin" route
    assert route.process(doc("Москва — столица России.")) is None  # unmatched: kept
    strict = build_dataclass(Route, {"routes": ROUTES, "unmatched": "reject"}, "route")
    assert strict.process(doc("Москва — столица России.")).reason == "unrouted"


def test_sub_stage_errors_name_their_place(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"routes\.chinese\[0\]\.zh_char_ratio\.min_ratio: expected float"):
        build_dataclass(Route, {"routes": {"chinese": [{"zh_char_ratio": {"min_ratio": "x"}}]}}, "route")
    with pytest.raises(ValueError, match=r"routes\.latin\[0\]\.nope: unknown stage"):
        build_dataclass(Route, {"routes": {"latin": ["nope"]}}, "route")
    bad = build_dataclass(Route, {"routes": {"chinese": [{"zh_char_ratio": {"min_ratio": 2.0}}]}}, "route")
    with pytest.raises(ValueError, match=r"routes\.chinese\[0\]\.zh_char_ratio\.min_ratio: must be within"):
        bad.validate(tmp_path)
