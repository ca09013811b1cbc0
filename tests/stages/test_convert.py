"""traditional_to_simplified: OpenCC conversion measured against real simplified editions."""

from __future__ import annotations

from pathlib import Path

from cleaner.stages.convert import TraditionalToSimplified
from tests.conftest import corpus_records


def _agreement(a: str, b: str) -> float:
    return sum(x == y for x, y in zip(a, b)) / max(len(a), len(b))


def test_real_poems_move_towards_their_simplified_edition(corpus_dir: Path) -> None:
    pairs = [r for r in corpus_records(corpus_dir, "zh/zh_trad_simp_pairs.jsonl") if r.get("text_hans")]
    stage = TraditionalToSimplified()
    stage.setup()
    before = sum(_agreement(p["text"], p["text_hans"]) for p in pairs) / len(pairs)
    after = sum(_agreement(stage.normalise(p["text"]), p["text_hans"]) for p in pairs) / len(pairs)
    assert after > before + 0.1
    assert after > 0.9


def test_regional_configs() -> None:
    assert TraditionalToSimplified().normalise("漢字與書") == "汉字与书"
    assert TraditionalToSimplified(config="tw2s").normalise("臺灣") == "台湾"
    assert TraditionalToSimplified(config="hk2s").normalise("香港電車") == "香港电车"


def test_simplified_text_unchanged(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", limit=100)]
    stage = TraditionalToSimplified()
    changed = sum(stage.normalise(d) != d for d in docs)
    assert changed <= 5


def test_corner_quotes_option() -> None:
    text = "他說「好」，『引』【注】"
    assert TraditionalToSimplified().normalise(text) == "他说「好」，『引』【注】"
    assert TraditionalToSimplified(corner_quotes=True).normalise(text) == "他说“好”，‘引’[注]"
