"""remove_prefix_phrases: whole prefixes only (the old lstrip removed character sets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.stages.base import validate_stage
from cleaner.stages.prefix import RemovePrefixPhrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("概率论是数学的分支", "概率论是数学的分支"),
        ("自然语言处理概述", "自然语言处理概述"),
        ("application", "application"),
        ("概述\n自然语言处理是", "自然语言处理是"),
        ("[转载] 【原创】标题", "标题"),
        ("图片发自简书App\n正文", "正文"),
    ],
)
def test_prefixes(text: str, expected: str) -> None:
    assert RemovePrefixPhrases().normalise(text) == expected


def test_only_document_start_by_default() -> None:
    text = "正文\n[转载] 第二行"
    assert RemovePrefixPhrases().normalise(text) == text
    assert RemovePrefixPhrases(every_line=True).normalise(text) == "正文\n第二行"


def test_phrase_list_file(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("【广告】\n", encoding="utf-8")
    stage = RemovePrefixPhrases(phrases=[], phrase_list="p.txt")
    validate_stage(stage, tmp_path)
    stage.setup()
    assert stage.normalise("【广告】正文") == "正文"


def test_needs_phrases() -> None:
    with pytest.raises(ValueError, match="phrases"):
        validate_stage(RemovePrefixPhrases(phrases=[]), Path("."))
