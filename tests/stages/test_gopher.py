"""Gopher quality and repetition (word and Chinese-character variants) on real text."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cleaner.document import Document
from cleaner.stages.gopher import (
    GopherQuality,
    GopherRepetition,
    GopherRepetitionZh,
    duplicate_ngram_chars,
    top_ngram_chars,
)
from tests.conftest import corpus_records


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def kept_share(rule: object, texts: list[str]) -> float:
    return sum(rule.check(doc(t)) is None for t in texts) / len(texts)  # type: ignore[attr-defined]


def test_ngram_statistics_match_a_direct_count() -> None:
    words = "a b c a b c x y a b c".split()
    vocabulary = {w: i for i, w in enumerate(dict.fromkeys(words))}
    ids = np.array([vocabulary[w] for w in words], dtype=np.uint32)
    lengths = np.ones(len(ids), dtype=np.int64)
    assert top_ngram_chars(ids, lengths, 3) == 9  # "a b c" three times
    # Repeats of "a b c" (positions 3-5 and 8-10) hold 6 of the 11 tokens.
    assert duplicate_ngram_chars(ids, lengths, 3) == 6
    assert top_ngram_chars(ids[:3], lengths[:3], 2) == 0  # nothing occurs twice


def test_english_web_text_mostly_passes(corpus_dir: Path) -> None:
    texts = [r["text"] for r in corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 150)]
    assert kept_share(GopherQuality(), texts) > 0.85
    assert kept_share(GopherRepetition(), texts) > 0.85


def test_gopher_quality_rejects_what_it_names(corpus_dir: Path) -> None:
    rule = GopherQuality()
    sms = [r["text"] for r in corpus_records(corpus_dir, "en/en_sms_spam.jsonl", 100)]
    assert all(rule.check(doc(t)).reason == "gopher_too_few_words" for t in sms if len(t.split()) < 25)
    bullets = "\n".join(f"• item number {i} in a long list of things" for i in range(60))
    assert rule.check(doc(bullets)).reason == "gopher_bullet_lines"
    no_stop_words = " ".join(["alpha beta gamma delta epsilon"] * 20)
    assert rule.check(doc(no_stop_words)).detail == "stop_words 0 < 2"
    hashtags = " ".join(f"#tag{i} word" for i in range(40))
    assert rule.check(doc(hashtags)).reason == "gopher_symbols"


def test_repeated_lines_and_paragraphs_rejected(corpus_dir: Path) -> None:
    text = corpus_records(corpus_dir, "en/en_commoncrawl_samples.jsonl", 1)[0]["text"]
    doubled = text + "\n\n" + text
    verdict = GopherRepetition().check(doc(doubled))
    assert verdict is not None and verdict.reason.startswith("gopher_dup_")


def test_chinese_variant_keeps_wiki_and_news(corpus_dir: Path) -> None:
    rule = GopherRepetitionZh()
    texts = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 300)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 500)]
    assert kept_share(rule, texts) > 0.99
    article = texts[0]
    verdict = rule.check(doc(article + article))  # an article pasted twice, on one line
    assert verdict is not None and verdict.reason.startswith("gopher_dup_")
    spam = "限时特价欢迎选购" * 40
    assert rule.check(doc(spam)).reason == "gopher_top_2_gram"
