"""collapse_repetition: behaviour, real text left alone, and linear time on 80k characters."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from cleaner.stages.base import validate_stage
from cleaner.stages.repetition import CollapseRepetition
from tests.conftest import corpus_records


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("哈哈哈哈哈哈", "哈哈哈"),
        ("abcabcabc", "abc"),
        ("太好了太好了太好了！", "太好了！"),
        ("hahahaha", "haha"),
        ("abcabcabcab", "abcab"),
    ],
)
def test_collapses(text: str, expected: str) -> None:
    assert CollapseRepetition().normalise(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "谢谢谢谢",
        "哈哈哈哈",
        "bringing nennen assessed",
        "广中路、广中西路",
        "1,000,000 2020202020",
        "|---|---|---|---|",
    ],
)
def test_leaves_real_text(text: str) -> None:
    assert CollapseRepetition().normalise(text) == text


def test_min_copies_two_collapses_pairs() -> None:
    assert CollapseRepetition(min_copies=2).normalise("好好学习好好学习，天天向上") == "好好学习，天天向上"


def test_validation() -> None:
    with pytest.raises(ValueError, match="max_unit"):
        validate_stage(CollapseRepetition(min_unit=5, max_unit=3), Path("."))
    with pytest.raises(ValueError, match="min_copies"):
        validate_stage(CollapseRepetition(min_copies=1), Path("."))


def test_real_news_almost_untouched(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", limit=500)]
    stage = CollapseRepetition()
    removed = sum(len(d) - len(stage.normalise(d)) for d in docs)
    assert removed <= 0.001 * sum(map(len, docs))


def _seconds(text: str) -> float:
    stage = CollapseRepetition()
    started = time.perf_counter()
    stage.normalise(text)
    return time.perf_counter() - started


def test_linear_time_on_80k_characters() -> None:
    """The old regex took 142 s on 80k random hanzi; this must stay well under a second."""
    rng = random.Random(0)
    random_hanzi = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(80_000))
    worst = max(_seconds(random_hanzi), _seconds("哈" * 80_000), _seconds("abcabcX" * 11_429))
    assert worst < 1.0
    # four times the text costs about four times the time (quadratic would be sixteen)
    assert _seconds(random_hanzi * 4) < 10 * max(_seconds(random_hanzi), 0.02)
