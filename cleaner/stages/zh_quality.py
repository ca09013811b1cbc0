"""Chinese text quality: Han share, common-character coverage, sentence punctuation, garbling.

Each rule keeps the intent of an old-cleaner rule and fixes its bug (see docs/rules.md):
the Han range covers every block (the old `\\u4e00-\\u9fa5` missed extensions and U+9FA6+),
empty documents no longer divide by zero, and "has punctuation" is what is really measured.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import opencc
import regex

from cleaner.document import Document
from cleaner.stages.charsets import CharSet, code_points, han, non_space_count
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register

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

    def validate(self, recipe_dir: Path) -> None:
        if not 0 <= self.min_ratio <= 1:
            raise ValueError("min_ratio: must be within 0..1")

    def measures(self, doc: Document) -> Iterator[Measure]:
        total = non_space_count(doc.text)
        ratio = han().count(code_points(doc.text)) / total if total else 0.0
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

    def validate(self, recipe_dir: Path) -> None:
        if not 0 <= self.min_ratio <= 1:
            raise ValueError("min_ratio: must be within 0..1")

    def setup(self) -> None:
        _common_set()

    def measures(self, doc: Document) -> Iterator[Measure]:
        points = code_points(doc.text)
        hans = han().count(points)
        if hans < self.min_han:
            return
        ratio = _common_set().count(points) / hans
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

    def measures(self, doc: Document) -> Iterator[Measure]:
        points = code_points(doc.text)
        hans = han().count(points)
        if hans < self.min_han:
            return
        marks = _SENTENCE_PUNCT.count(points)
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

    def validate(self, recipe_dir: Path) -> None:
        if self.max_chars < 1:
            raise ValueError("max_chars: must be >= 1")

    def __post_init__(self) -> None:
        self._long = regex.compile(r"[^\s\p{P}\p{S}]{" + str(self.max_chars + 1) + ",}")

    def measures(self, doc: Document) -> Iterator[Measure]:
        longest = max(map(len, self._long.findall(doc.text)), default=0)
        yield Measure("long_unpunctuated_run", "longest_run", longest, ">", self.max_chars)


def _gbk_mojibake_chars() -> str:
    """Rare Han characters that UTF-8 Chinese turns into when read as GBK.

    UTF-8 encodes Han characters and CJK/full-width marks as a lead byte 0xE3-0xEF and continuation
    bytes 0x80-0xBF. Read as GBK, every pair of such bytes becomes one character; those outside the
    common list (鐨 for 的, 锛 for ，, 銆 for 。) are the signature of this misread.
    """
    utf8_bytes = (*range(0x80, 0xC0), *range(0xE3, 0xF0))
    candidates = []
    for first in utf8_bytes:
        for second in utf8_bytes:
            try:
                char = bytes((first, second)).decode("gbk")
            except UnicodeDecodeError:
                continue
            if HAN.match(char):
                candidates.append(char)
    # Traditional forms of common characters (對, 實) are real text, not mojibake.
    simplified = opencc.OpenCC("t2s").convert("\n".join(candidates)).split("\n")
    common = common_chars()
    return "".join(c for c, s in zip(candidates, simplified, strict=True) if c not in common and s not in common)


_GARBLED_KINDS = {
    "kunkinkao": "锟斤拷",
    "tangtang": "烫烫烫/屯屯屯",
    "replacement": "U+FFFD",
    "utf8_latin1": "UTF-8 read as Latin-1",
    "gbk_latin1": "GBK read as Latin-1",
    "utf8_gbk": "UTF-8 read as GBK",
}


@cache
def _garbled_pattern() -> regex.Pattern[str]:
    """One alternation, so overlapping kinds (U+FFFD inside a misread) are counted once.

    UTF-8 read as GBK is counted by `_mojibake_run_chars` instead: a 3,900-character class is slow
    in a regex.
    """
    # cp1252 renders bytes 0x80-0x9F as these characters; Latin-1 as C1 controls.
    cp1252_high = "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a"
    cp1252_high += "\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
    continuation = f"[\u0080-\u00bf{cp1252_high}\ufffd]"
    kinds = {
        "kunkinkao": r"(?:锟斤拷|锟斤|斤拷)+",
        "tangtang": r"烫{3,}|屯{3,}",
        "replacement": r"\ufffd+",
        "utf8_latin1": rf"(?:[\u00c2\u00c3\u00e2-\u00ef]{continuation}+)+",
        "gbk_latin1": r"[\u0080-\u009f\u00a1-\u00b6\u00b8-\u00ff]{4,}",
    }
    return regex.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in kinds.items()))


#: Latin-1 letters and symbols, except the · and × that Chinese text uses (马丁·路德, 3×4).
_LATIN1_HIGH = regex.compile(r"[\u0080-\u00b6\u00b8-\u00d6\u00d8-\u00ff]")
_MARKERS = ("锟斤", "斤拷", "烫烫烫", "屯屯屯", "\ufffd")


@cache
def _mojibake_set() -> CharSet:
    return CharSet(_gbk_mojibake_chars())


#: A UTF-8-read-as-GBK run: this many mojibake characters, each at most MAX_GAP positions after the
#: previous one. Real text uses a few of them in names (琛, 璀璨, 轱辘) but never in this rhythm.
MIN_RUN = 6
MAX_GAP = 3


def _mojibake_run_chars(text: str) -> int:
    """Characters spanned by runs of UTF-8-read-as-GBK characters."""
    hits = np.flatnonzero(_mojibake_set().mask(code_points(text)))
    if len(hits) < MIN_RUN:
        return 0
    breaks = np.flatnonzero(np.diff(hits) > MAX_GAP) + 1
    starts, ends = np.concatenate(([0], breaks)), np.concatenate((breaks, [len(hits)]))
    long_runs = ends - starts >= MIN_RUN
    return int((hits[ends[long_runs] - 1] - hits[starts[long_runs]] + 1).sum())


def _may_be_garbled(text: str) -> bool:
    """Cheap scans in C that the regex kinds need to pass; most clean text fails them all."""
    return any(marker in text for marker in _MARKERS) or bool(_LATIN1_HIGH.search(text))


@register
@dataclass
class GarbledText(MeasuredFilter):
    """Share of characters in mojibake patterns: 锟斤拷, 烫烫烫, U+FFFD runs, UTF-8/GBK misreads.

    Old cleaner: `filter_luanma_text` (a seq2seq model not in the repo) and `is_having_chaoswords_*`
    (never called; neither fires on 锟斤拷烫烫烫).
    """

    name = "garbled_text"

    max_ratio: float = 0.01

    def setup(self) -> None:
        _garbled_pattern()
        _mojibake_set()

    def measures(self, doc: Document) -> Iterator[Measure]:
        total = non_space_count(doc.text)
        if not total:
            return
        chars_by_kind: Counter[str] = Counter()
        if _may_be_garbled(doc.text):
            for match in _garbled_pattern().finditer(doc.text):
                chars_by_kind[match.lastgroup or ""] += len(match.group())
        chars_by_kind["utf8_gbk"] = _mojibake_run_chars(doc.text)
        garbled = min(sum(chars_by_kind.values()), total)
        note = f"mostly {_GARBLED_KINDS[chars_by_kind.most_common(1)[0][0]]}" if garbled else ""
        yield Measure("garbled_text", "garbled_ratio", round(garbled / total, 4), ">", self.max_ratio, note)
