"""collapse_repetition: behaviour, real text left alone, and linear time on 80k characters."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from cleaner.stages import repetition
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


def every_candidate(stage: CollapseRepetition, text: str) -> list[tuple[int, int, int]]:
    """(start, end, unit) of the stretches `_candidates` keeps, from the runs of every period, masked."""
    n = len(text)
    top = min(stage.max_unit, n // 2)
    bordered = repetition._bordered_codepoints(text, top)
    eq = repetition._matches(bordered, n, 1, top)
    eq[:, 1:-1] &= ~repetition._no_repeat_mask(bordered[1 : n + 1])
    periods, starts, lengths = repetition._periodic_runs(eq, 1)
    units = periods * -(-stage.min_unit // periods)
    keep = (lengths >= stage.min_copies * periods) & (lengths >= 2 * units) & (units <= stage.max_unit)
    return sorted(zip((starts + lengths)[keep].tolist(), starts[keep].tolist(), units[keep].tolist()))


@pytest.mark.parametrize("params", [{}, {"min_unit": 1, "min_copies": 2}, {"min_unit": 5, "max_unit": 8}])
def test_bytes_search_skips_only_texts_without_a_candidate(corpus_dir: Path, params: dict) -> None:
    stage = CollapseRepetition(**params)
    names = ["zh/zh_reviews_online_shopping.jsonl", "zh/zh_news_peoples_daily_1998.jsonl"]
    texts = [
        r["text"] for name in [*names, "en/en_web_pages_fulltext.jsonl"] for r in corpus_records(corpus_dir, name, 1500)
    ]
    texts += ["哈" * 5, "哈" * 6, "abab" * 2, "ab" * 3, "abc" * 3, "abcd" * 2 + "abc", "11111111", "  " * 9]
    texts = [t for t in texts if len(t) >= 2 * stage.min_unit]
    found = [sorted((r.end, r.start, r.unit) for r in stage._candidates(t)) for t in texts]
    assert 20 < sum(map(bool, found)) < len(texts) - 20  # both paths taken
    assert [t[:40] for t, runs in zip(texts, found, strict=True) if runs != every_candidate(stage, t)] == []


@pytest.mark.parametrize("text", ["a", "aaaa", "abcabcab", "哈哈x哈哈", "😀😀a😀", "\U0010ffff\U0010ffff"])
def test_matches_compare_every_shift_and_border_nothing(text: str) -> None:
    n, last = len(text), 5
    eq = repetition._matches(repetition._bordered_codepoints(text, last), n, 1, last)
    expected = [[False, *(i + p < n and text[i] == text[i + p] for i in range(n)), False] for p in range(1, last + 1)]
    assert eq.tolist() == expected
