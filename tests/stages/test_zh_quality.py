"""Chinese quality rules on real text: clean wiki/news kept, non-Chinese and dumps rejected."""

from __future__ import annotations

from pathlib import Path

from cleaner.document import Document
from cleaner.stages.charsets import code_points, han
from cleaner.stages.mojibake import GarbledText
from cleaner.stages.zh_quality import (
    LongUnpunctuatedRun,
    ZhCharRatio,
    ZhCommonChars,
    ZhSentencePunctuation,
    common_chars,
)
from tests.conftest import corpus_records

CLEAN = ["zh/zh_wiki_cmrc2018.jsonl", "zh/zh_news_peoples_daily_1998.jsonl", "zh/zh_court_judgments.jsonl"]


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def han_count(text: str) -> int:
    return han().count(code_points(text))


def clean_texts(corpus_dir: Path, limit: int = 300) -> list[str]:
    return [r["text"] for name in CLEAN for r in corpus_records(corpus_dir, name, limit)]


def kept_share(rule: object, texts: list[str]) -> float:
    return sum(rule.check(doc(t)) is None for t in texts) / len(texts)  # type: ignore[attr-defined]


def test_common_list_has_3500_characters_and_covers_real_text(corpus_dir: Path) -> None:
    assert len(common_chars()) == 3500
    texts = clean_texts(corpus_dir, 100)
    hans = sum(han_count(t) for t in texts)
    covered = sum(sum(1 for c in t if c in common_chars()) for t in texts)
    assert covered / hans > 0.98


def test_han_ratio_counts_every_han_block() -> None:
    # U+9FA6+ and Extension A/B characters were not Chinese to the old cleaner.
    rule = ZhCharRatio(min_ratio=0.99)
    assert rule.check(doc("鿏㐀𠀀中文")) is None
    verdict = ZhCharRatio().check(doc("Hello world, this is English with 中文 inside."))
    assert verdict.reason == "low_chinese_ratio" and "< 0.600" in verdict.detail
    assert ZhCharRatio().check(doc("")).reason == "low_chinese_ratio"  # no ZeroDivisionError


def test_clean_chinese_passes_the_quality_rules(corpus_dir: Path) -> None:
    texts = clean_texts(corpus_dir)
    for rule in (ZhCommonChars(), ZhSentencePunctuation(), LongUnpunctuatedRun(), GarbledText()):
        rule.setup()
        assert kept_share(rule, texts) > 0.99, rule.name
    assert kept_share(ZhCharRatio(min_ratio=0.5), texts) > 0.95


def test_english_is_rejected_by_han_ratio(corpus_dir: Path) -> None:
    texts = [r["text"] for r in corpus_records(corpus_dir, "en/en_commoncrawl_samples.jsonl", 50)]
    assert kept_share(ZhCharRatio(), texts) == 0


def test_common_chars_rejects_traditional_unless_converted(corpus_dir: Path) -> None:
    rule = ZhCommonChars()
    rule.setup()
    poems = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_hant_poetry_tang.jsonl", 100)]
    judged = [p for p in poems if han_count(p) >= rule.min_han]
    rejected = [rule.check(doc(p)) for p in judged]
    assert sum(r is not None for r in rejected) > 0.5 * len(judged)
    assert all(r.reason == "rare_characters" for r in rejected if r)


def test_sentence_punctuation_needs_marks_in_long_chinese() -> None:
    rule = ZhSentencePunctuation()
    keywords = "北京旅游景点大全北京旅游攻略北京必去景点推荐北京自由行路线" * 4
    verdict = rule.check(doc(keywords))
    assert verdict.reason == "no_sentence_punctuation" and "punct_per_100_han 0 < 1" in verdict.detail
    assert rule.check(doc("短文本没有标点")) is None  # fewer than 64 Han characters: not judged
    assert rule.check(doc("他说：“今天真好。”我们出去走走，看看风景。" * 5)) is None


def test_long_unpunctuated_run_finds_blobs() -> None:
    rule = LongUnpunctuatedRun(max_chars=100)
    blob = "QmFzZTY0" * 30
    verdict = rule.check(doc(f"附件内容：{blob}。"))
    assert verdict.reason == "long_unpunctuated_run" and f"longest_run {len(blob)} > 100" == verdict.detail
    assert rule.check(doc("A normal sentence, with words. 一个正常的句子，有标点。")) is None
