"""Leading phrases such as `[转载]` or `概述` removed as whole prefixes, never as character sets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from cleaner.resources import load_phrases, pin_resource, resolve_resource
from cleaner.stages.base import Normaliser
from cleaner.stages.registry import register


def _default_prefixes() -> list[str]:
    return ["概述", "[转载]", "【转载】", "[原创]", "【原创】", "图片发自简书app", "图片发自简书App", "原文地址："]


@register
@dataclass
class RemovePrefixPhrases(Normaliser):
    """Strip listed phrases (and the spaces or colon after them) from the start of the document.

    The old `str.lstrip(phrase)` stripped a set of characters (`概率论` -> `率论`); here a phrase is
    removed only when the text starts with all of it. `every_line` applies the rule to each line.
    """

    name = "remove_prefix_phrases"

    phrases: list[str] = field(default_factory=_default_prefixes)
    phrase_list: str | None = None
    every_line: bool = False

    def resolve(self, recipe_dir: Path) -> None:
        if self.phrase_list is not None:
            try:
                self.phrase_list = pin_resource(self.phrase_list, recipe_dir)
            except ValueError as err:
                raise ValueError(f"phrase_list: {err}") from None
        elif not self.phrases:
            raise ValueError("phrases: give phrases or phrase_list")

    def __post_init__(self) -> None:
        self._pattern: regex.Pattern[str] | None = None

    def setup(self) -> None:
        listed = load_phrases(resolve_resource(self.phrase_list)) if self.phrase_list else []
        alternatives = "|".join(regex.escape(p) for p in sorted({*self.phrases, *listed}, key=len, reverse=True))
        anchor, gap = (r"(?m)^[ \t]*", r"[ \t]*") if self.every_line else (r"\A\s*", r"\s*")
        self._pattern = regex.compile(rf"{anchor}(?:(?:{alternatives})[ \t]*[:：]?{gap})+")

    def normalise(self, text: str) -> str:
        if self._pattern is None:
            self.setup()
        return self._pattern.sub("", text, count=0 if self.every_line else 1)
