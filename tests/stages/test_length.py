"""length_filter: characters for CJK text, words otherwise, on real corpus text."""

from __future__ import annotations

from pathlib import Path

from cleaner.document import Document
from cleaner.stages.length import LengthFilter
from tests.conftest import corpus_records


def doc(text: str, lang: str | None = None) -> Document:
    document = Document("i", text, "f", 1, {})
    if lang:
        document.annotations["lang"] = lang
    return document


def test_chinese_counts_characters_english_counts_words(corpus_dir: Path) -> None:
    zh = corpus_records(corpus_dir, "zh/zh_reviews_hotel_chnsenticorp.jsonl", 50)
    en = corpus_records(corpus_dir, "en/en_sms_spam.jsonl", 50)
    rule = LengthFilter(min_chars=30, min_words=10)
    for record in zh:
        text = record["text"]
        verdict = rule.check(doc(text))
        assert (verdict is None) == (len(text) >= 30), text
        if verdict:
            assert verdict.reason == "too_short" and "chars" in verdict.detail
    for record in en:
        text = record["text"]
        verdict = rule.check(doc(text))
        assert (verdict is None) == (len(text.split()) >= 10), text


def test_maximum_and_language_annotation() -> None:
    rule = LengthFilter(max_chars=10, max_words=3)
    assert rule.check(doc("这是一个超过十个字符的中文句子。")).reason == "too_long"
    assert rule.check(doc("one two three four")).detail == "4 words > 3"
    # An annotated language wins over the script guess: Japanese kana text counts characters.
    assert rule.check(doc("これは日本語の文章です", lang="ja")).reason == "too_long"
    assert rule.check(doc("short english", lang="en")) is None
