"""repeated_phrase on real reviews: one phrase repeated rejected, reviews with a laugh and clean text kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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


def test_bytes_search_admits_every_text_with_a_run(corpus_dir: Path) -> None:
    names = ["zh/zh_reviews_online_shopping.jsonl", "zh/zh_reviews_hotel_chnsenticorp.jsonl", *CLEAN]
    texts = ["".join(r["text"].split()) for name in names for r in corpus_records(corpus_dir, name, 1500)]
    texts += ["哈哈", "哈哈哈", "abab", "ababab", "abcdabcdabc", "abcdabcdabcdabcd"]
    verdicts = []
    for text in texts:
        for first, rows in repeated_phrase._same_as_shifted(text):
            row, column = np.nonzero(rows[:, 1:] != rows[:, :-1])
            long_enough = column[1::2] - column[::2] >= (repeated_phrase.MIN_COPIES - 1) * (row[::2] + first)
            runs = sorted(set(row[::2][long_enough].tolist()))
            verdicts.append((text, runs, repeated_phrase._rows_with_run(first, rows)))
    assert 100 < sum(bool(runs) for _, runs, _ in verdicts) < len(verdicts) - 100  # both paths taken
    assert any(len(runs) > 1 for _, runs, _ in verdicts)
    assert [text[:40] for text, runs, held in verdicts if runs != held] == []


@pytest.mark.parametrize("text", ["abc", "aaaa", "abcabcab", "哈哈x哈哈", "😀😀a😀", "\U0010ffff\U0010ffff\U0010ffff"])
def test_rows_compare_every_shift_and_border_nothing(text: str) -> None:
    ((first, rows),) = repeated_phrase._same_as_shifted(text)
    n, periods = len(text), range(first, first + len(rows))
    assert rows.tolist() == [[False, *(i + p < n and text[i] == text[i + p] for i in range(n)), False] for p in periods]
