"""Traditional to simplified Chinese with OpenCC (the old cleaner only swapped quote marks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import opencc

from cleaner.stages.base import Normaliser
from cleaner.stages.registry import register

#: Corner quotes and lenticular brackets to the marks simplified-Chinese text uses.
_CORNER_MARKS = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’", "【": "[", "】": "]"})


@register
@dataclass
class TraditionalToSimplified(Normaliser):
    """OpenCC conversion: `t2s` (generic), `tw2s` (Taiwan), `hk2s` (Hong Kong) forms.

    `corner_quotes` also turns 「」『』【】 into “”‘’[], as the old "FanTi2Simplify" step did.
    """

    name = "traditional_to_simplified"

    config: Literal["t2s", "tw2s", "hk2s"] = "t2s"
    corner_quotes: bool = False

    def __post_init__(self) -> None:
        self._converter: opencc.OpenCC | None = None

    def setup(self) -> None:
        self._converter = opencc.OpenCC(self.config)

    def normalise(self, text: str) -> str:
        if self._converter is None:
            self.setup()
        text = self._converter.convert(text)
        return text.translate(_CORNER_MARKS) if self.corner_quotes else text
