"""collapse_punctuation, strip_edge_punctuation, chinese_period."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.stages.base import validate_stage
from cleaner.stages.punctuation import ChinesePeriod, CollapsePunctuation, StripEdgePunctuation
from tests.conftest import corpus_records


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("太好了！！！", "太好了！"),
        ("真的吗？？？。。。", "真的吗？。"),
        ("What?!! No!!!", "What?! No!"),
        ("他说……然后——走了", "他说……然后——走了"),
        ("等等…………再——————说", "等等……再——说"),
        ("wait.... ok...", "wait... ok..."),
        ("----------", "---"),
    ],
)
def test_collapse(text: str, expected: str) -> None:
    assert CollapsePunctuation().normalise(text) == expected


def test_markdown_and_code_left_alone() -> None:
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\nstd::vector https://x.org ((a))"
    assert CollapsePunctuation().normalise(text) == text


def test_real_reviews_keep_proper_ellipses(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_reviews_hotel_chnsenticorp.jsonl")]
    stage = CollapsePunctuation()
    out = [stage.normalise(d) for d in docs]
    assert sum("。。" in d for d in docs) > 10
    assert not any("。。" in o or "！！" in o for o in out)
    assert sum(d.count("……") > 0 for d in docs) == sum(o.count("……") > 0 for o in out)


def test_max_dashes_validated() -> None:
    with pytest.raises(ValueError, match="max_dashes"):
        validate_stage(CollapsePunctuation(max_dashes=0), Path("."))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他说：“今天真好。”", "他说：“今天真好。”"),
        ("The end.", "The end."),
        ("未完待续…", "未完待续…"),
        ("，。正文开始；", "正文开始"),
        ("- 列表项\n- 第二项：", "- 列表项\n- 第二项"),
        ("“引用”在前", "“引用”在前"),
        ("# 标题\n正文（", "# 标题\n正文"),
    ],
)
def test_strip_edges(text: str, expected: str) -> None:
    assert StripEdgePunctuation().normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("服务很周到.正好住了两天.", "服务很周到。正好住了两天。"),
        ("你好吗?真的*", "你好吗?真的*"),
        ("他说...然后", "他说...然后"),
        ("版本3.0和百度.com", "版本3.0和百度.com"),
        ("Hello. World", "Hello. World"),
    ],
)
def test_chinese_period(text: str, expected: str) -> None:
    assert ChinesePeriod().normalise(text) == expected


def test_chinese_period_on_real_reviews(corpus_dir: Path) -> None:
    docs = [d["text"] for d in corpus_records(corpus_dir, "zh/zh_reviews_hotel_chnsenticorp.jsonl", limit=500)]
    stage = ChinesePeriod()
    out = [stage.normalise(d) for d in docs]
    assert sum(o != d for o, d in zip(out, docs)) > 20
    assert all(len(o) == len(d) for o, d in zip(out, docs))
