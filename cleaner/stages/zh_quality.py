"""Chinese text quality: Han share, common-character coverage, sentence punctuation, unpunctuated runs.

Mojibake (`garbled_text`) is measured in `cleaner.stages.mojibake`.

Each rule keeps the intent of an old-cleaner rule and fixes its bug (see docs/rules.md):
the Han range covers every block (the old `\\u4e00-\\u9fa5` missed extensions and U+9FA6+),
empty documents no longer divide by zero, and "has punctuation" is what is really measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import regex

from cleaner.document import Document
from cleaner.stages.charsets import CharSet
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.stages.views import views

HAN = regex.compile(r"\p{Han}")
#: Sentence punctuation in Chinese text, full-width and the ASCII marks web text often uses.
_SENTENCE_PUNCT = CharSet("，。！？；：、…,.!?;:")


@cache
def common_chars() -> frozenset[str]:
    """The 3,500 characters of the 现代汉语常用字表 shipped in cleaner/data/."""
    text = resources.files("cleaner.data").joinpath("common_chars_3500.txt").read_text(encoding="utf-8")
    body = "".join(line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(HAN.findall(body))


@cache
def _common_set() -> CharSet:
    return CharSet("".join(common_chars()))


@register
@dataclass
class ZhCharRatio(MeasuredFilter):
    """Share of Han characters (all CJK blocks and extensions) among non-space characters.

    Old cleaner: `ChineseLessThan60` (0.6 over `\\u4e00-\\u9fa5` only, ZeroDivisionError on empty text).
    """

    name = "zh_char_ratio"

    min_ratio: float = 0.6

    def validate(self) -> None:
        if not 0 <= self.min_ratio <= 1:
            raise ValueError("min_ratio: must be within 0..1")

    def measure_names(self) -> tuple[str, ...]:
        return ("han_ratio",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        view = views(doc)
        total = view.non_space_count
        ratio = view.han_count / total if total else 0.0
        yield Measure("low_chinese_ratio", "han_ratio", round(ratio, 3), "<", self.min_ratio)


@register
@dataclass
class ZhCommonChars(MeasuredFilter):
    """Share of Han characters that are among the 3,500 common characters (常用字 + 次常用字).

    Real modern Chinese scores 0.98-1.0; mojibake read as GBK and rare-character spam score low.
    Documents with fewer than `min_han` Han characters are not judged. Traditional text scores
    about 0.65, so put a t2s normaliser first. Old cleaner: `common_zhLessThan20` (reason
    `is_common_zhLessThan60`): share of *all* characters in a 5K string, rejecting below 0.2.
    """

    name = "zh_common_chars"

    min_ratio: float = 0.9
    min_han: int = 20

    def validate(self) -> None:
        if not 0 <= self.min_ratio <= 1:
            raise ValueError("min_ratio: must be within 0..1")

    def setup(self) -> None:
        _common_set()

    def measure_names(self) -> tuple[str, ...]:
        return ("common_char_ratio",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        view = views(doc)
        hans = view.han_count
        if hans < self.min_han:
            return
        ratio = _common_set().count(view.code_points) / hans
        yield Measure("rare_characters", "common_char_ratio", round(ratio, 3), "<", self.min_ratio)


@register
@dataclass
class ZhSentencePunctuation(MeasuredFilter):
    """Long Chinese text needs sentence punctuation: marks per 100 Han characters.

    Prose has 8-15; keyword lists, SEO pages and garbled dumps have none. Old cleaner:
    `is_chinese_long_strings_without_punctuation` (reason `not_has_punctuations`), which only asked
    whether any of ，。？！ occurred and ignored its `max_length`.
    """

    name = "zh_sentence_punctuation"

    min_per_100_han: float = 1.0
    min_han: int = 64

    def measure_names(self) -> tuple[str, ...]:
        return ("punct_per_100_han",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        view = views(doc)
        hans = view.han_count
        if hans < self.min_han:
            return
        marks = _SENTENCE_PUNCT.count(view.code_points)
        density = round(100 * marks / hans, 2)
        yield Measure("no_sentence_punctuation", "punct_per_100_han", density, "<", self.min_per_100_han)


@register
@dataclass
class LongUnpunctuatedRun(MeasuredFilter):
    """The longest run of characters with no space, punctuation or symbol between them.

    Catches base64/hex blobs, glued keyword strings and unpunctuated Chinese dumps. Old cleaner:
    `remove_long_strings_without_punctuation` (called by the baidubaike script, never written).
    """

    name = "long_unpunctuated_run"

    max_chars: int = 300

    def validate(self) -> None:
        if self.max_chars < 1:
            raise ValueError("max_chars: must be >= 1")

    def __post_init__(self) -> None:
        # Only from the start of a run: a run just short of the limit was otherwise rescanned from
        # each of its characters (13 s/MB on runs of 300).
        run_char = r"[^\s\p{P}\p{S}]"
        self._long = regex.compile(rf"(?<!{run_char}){run_char}{{{self.max_chars + 1},}}+")

    def measure_names(self) -> tuple[str, ...]:
        return ("longest_run",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = doc.text
        # A run the pattern finds is longer than max_chars: a text that short holds none.
        longest = max(map(len, self._long.findall(text)), default=0) if len(text) > self.max_chars else 0
        yield Measure("long_unpunctuated_run", "longest_run", longest, ">", self.max_chars)
