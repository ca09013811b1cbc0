"""promotions: lottery / scan-to-claim / add-WeChat templates; user patterns and their timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.stages.base import validate_stage
from cleaner.stages.promotions import Promotions
from tests.conftest import corpus_records


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def test_default_patterns_reject_ads() -> None:
    rule = Promotions()
    for ad in (
        "本周有奖转发活动开始啦，快来参与！",
        "扫码领取新人大礼包，数量有限。",
        "想了解更多请加微信：abc_12345，备注来意。",
        "长按识别二维码关注，回复关键词领取资料。",
    ):
        verdict = rule.check(doc(ad))
        assert verdict is not None and verdict.reason == "promotions", ad
        assert verdict.detail.startswith("promotion_matches 1 >= 1")


def test_lottery_words_far_apart_are_not_a_lottery() -> None:
    # The old (获奖|有奖).*活动 matched across the whole document.
    text = "他曾获奖无数。" + "这是一段很长的正文，讲述他的成长经历。" * 5 + "今年的校庆活动非常热闹。"
    assert Promotions().check(doc(text)) is None


def test_clean_news_and_reviews_pass(corpus_dir: Path) -> None:
    texts = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 500)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 300)]
    kept = sum(Promotions(min_matches=2).check(doc(t)) is None for t in texts)
    assert kept == len(texts)


def test_user_patterns_and_validation(tmp_path: Path) -> None:
    rule = Promotions(patterns=[r"限时\d+折"], extra_patterns=["秒杀"])
    assert rule.check(doc("全场限时5折，整点秒杀！")).detail == "promotion_matches 2 >= 1 (限时5折, 秒杀)"
    assert rule.check(doc("扫码领取")) is None  # defaults replaced
    with pytest.raises(ValueError, match="patterns\\[0\\]: not a valid regex"):
        validate_stage(Promotions(patterns=["(unclosed"]), tmp_path)


def test_catastrophic_user_pattern_times_out_and_keeps() -> None:
    rule = Promotions(patterns=[r"(?:a|a)+$"], timeout_seconds=0.05)
    measures = list(rule.measures(doc("a" * 40 + "!")))
    assert measures[0].note == "timed out: not judged" and not measures[0].failed
