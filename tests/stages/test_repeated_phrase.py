"""repeated_phrase on real reviews: one phrase repeated rejected, reviews with a laugh and clean text kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.stages import repeated_phrase
from cleaner.stages.repeated_phrase import RepeatedPhrase, repeated_runs
from tests.conftest import corpus_records

CLEAN = [
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_court_judgments.jsonl",
    "en/en_web_pages_maintext.jsonl",
]


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def test_one_phrase_repeated_is_rejected(corpus_dir: Path) -> None:
    rule = RepeatedPhrase()
    reviews = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_reviews_hotel_chnsenticorp.jsonl")]
    (nice,) = [t for t in reviews if t.startswith("不错不错不错")]
    verdict = rule.check(doc(nice))
    assert verdict is not None and verdict.reason == "repeated_phrase" and "(不错)" in verdict.detail
    # A real review that ends in a laugh is mostly words: kept.
    shopping = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_reviews_online_shopping.jsonl")]
    laughs = [t for t in shopping if "哈哈哈哈哈哈" in t and len(t) > 3 * t.count("哈")]
    assert len(laughs) >= 3
    assert all(rule.check(doc(t)) is None for t in laughs)


def test_repeated_phrase_keeps_clean_text(corpus_dir: Path) -> None:
    rule = RepeatedPhrase()
    texts = [r["text"] for name in CLEAN for r in corpus_records(corpus_dir, name, 2000)]
    assert len(texts) > 4000
    assert [t[:40] for t in texts if rule.check(doc(t))] == []


def test_long_texts_scanned_one_period_at_a_time_give_the_same_runs(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_reviews_online_shopping.jsonl", 3000)]
    text = "\n".join(t for t in texts if "哈哈哈" in t or "不错不错" in t)
    batched = list(repeated_runs(text))
    monkeypatch.setattr(repeated_phrase, "BATCH_CHARS", 1)
    assert len(batched) >= 5 and list(repeated_runs(text)) == batched
