"""Page structure: chapter lists and tables of contents, table-like pages, script-alternation spam."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import regex

from cleaner.document import Document
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register

#: Possessive, as is the space before a marker: no numeral and no space is a marker's next character,
#: and giving them back made the `regex` module quadratic on a long run (第 and 20k numerals).
_NUMERAL = r"[0-9０-９一二三四五六七八九十百千万零〇两壹贰叁肆伍陆柒捌玖拾佰仟]++"
#: A heading marker at the start of a segment: 第X章/节/回/卷/篇/部/集, （一）, (1), 一、
_HEADING = regex.compile(rf"\s*+(?:第{_NUMERAL}[章节回卷篇部集]|[（(]{_NUMERAL}[）)]|{_NUMERAL}、)")
#: Segments are lines, and a chapter marker also starts a segment, so a table of contents that
#: lost its newlines ("第一章 起源 第二章 …") still splits into headings.
_SEGMENTS = regex.compile(rf"\n|(?=第{_NUMERAL}[章节回卷篇部集])")
#: A heading does not end like a sentence or a clause (legal items such as （一）…；are not headings).
_SENTENCE_END = regex.compile(r"[。；;！？!?，,：:]\s*$")


@register
@dataclass
class ChapterList(MeasuredFilter):
    """Chapter lists and tables of contents: short heading lines (第X章, （一）, 一、).

    Rejects when more than `max_headings` short headings occur, or when at least `min_headings`
    hold more than `max_heading_share` of the characters. Only short segments (at most
    `max_heading_chars`) that do not end like a sentence count, so a judgment whose （一）（二）
    items are clauses, or a book whose chapters have text, is not a table of contents.
    Old cleaner: `IsChatperText` (reasons `IsChatperText`, `cn-wiki_IsChatperText`): count of 第X章
    or （X） anywhere > 10 (its threshold parameter was ignored) or their share > 0.25, which also
    rejected any legal text with eleven enumerations.
    """

    name = "chapter_list"

    max_headings: int | None = 10
    max_heading_share: float | None = 0.25
    max_heading_chars: int = 30
    min_headings: int = 3

    def validate(self) -> None:
        if self.max_heading_share is not None and not 0 <= self.max_heading_share <= 1:
            raise ValueError("max_heading_share: must be within 0..1")

    def measure_names(self) -> tuple[str, ...]:
        return ("short_headings", "heading_share")

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = doc.text
        headings = [
            s
            for s in _SEGMENTS.split(text)
            if len(s.strip()) <= self.max_heading_chars and _HEADING.match(s) and not _SENTENCE_END.search(s)
        ]
        if self.max_headings is not None:
            yield Measure("chapter_list", "short_headings", len(headings), ">", self.max_headings)
        if self.max_heading_share is not None and len(headings) >= self.min_headings:
            total = len(text) - text.count("\n")
            share = sum(len(h.strip()) for h in headings) / total if total else 0.0
            yield Measure("chapter_list", "heading_share", round(share, 3), ">", self.max_heading_share)


@register
@dataclass
class TablePage(MeasuredFilter):
    """Table-like pages: many short segments of similar length (cells, list items, menus).

    Splits on `separators`, trims outliers farther than `trim_sigma` standard deviations from the
    mean, and rejects when the trimmed mean and standard deviation are both below their limits and
    the kept segments hold at least `min_table_share` of the characters (the trim must not discard
    the prose and judge the page by its one list).
    Fixed: the old 3-sigma trim kept only `|len-mean| < m*std`, so a perfectly uniform table
    (std 0) lost every segment, the mean became NaN, and it was never detected; here `<=` keeps
    them. Old cleaner: `is_TablePage` (reason `table_page`: split on newline and 、, mean < 10,
    std < 8).
    """

    name = "table_page"

    separators: str = "\n、"
    max_mean: float = 10.0
    max_std: float = 8.0
    trim_sigma: float = 3.0
    min_segments: int = 5
    min_table_share: float = 0.5

    def validate(self) -> None:
        if not self.separators:
            raise ValueError("separators: must name at least one character")
        if self.min_segments < 2:
            raise ValueError("min_segments: must be >= 2 (a standard deviation needs two)")

    def __post_init__(self) -> None:
        # A plain class: the stdlib `re` splits on it about twice as fast as `regex`.
        self._split = re.compile("[" + re.escape(self.separators) + "]")

    def measure_names(self) -> tuple[str, ...]:
        return ("segment_mean",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        lengths = np.array([len(s) for s in (p.strip() for p in self._split.split(doc.text)) if s], dtype=float)
        if len(lengths) < self.min_segments:
            return
        # Sums of whole lengths are exact in any order, so sum / count is numpy's mean to the bit,
        # without its per-call overhead; the standard deviations stay numpy's.
        total = lengths.sum()
        mean, std = total / len(lengths), lengths.std(ddof=1)
        within = np.abs(lengths - mean) <= self.trim_sigma * std
        if within.all():
            kept, kept_total = lengths, total
        else:
            kept = lengths[within]
            kept_total = kept.sum()
            mean, std = kept_total / len(kept), (kept.std(ddof=1) if len(kept) > 1 else 0.0)
        share = kept_total / total
        gate = bool(std < self.max_std and share >= self.min_table_share)
        note = f"with std {std:.2f} vs {self.max_std:g}, {len(kept)} segments holding {share:.0%} of the text"
        yield Measure(self.name, "segment_mean", round(float(mean), 2), "<", self.max_mean, note, gate)


@register
@dataclass
class WeakTablePage(TablePage):
    """Like `table_page` but also splits on ，, with tighter limits: comma-separated lists of names.

    Old cleaner: `is_WeakTablePage` (reason `weak_table_page`: mean < 7, std < 3; it never fired on
    `北京，上海，广州…` because of the NaN bug).
    """

    name = "weak_table_page"

    separators: str = "\n、，"
    max_mean: float = 7.0
    max_std: float = 3.0


@register
@dataclass
class MixedScriptSpam(MeasuredFilter):
    """Han characters alternating with single Latin letters to dodge keyword filters (`加a微b信c`).

    Counts runs of at least `min_pairs` Han+letter pairs in a row over the whole text (linear
    regex scan) and rejects at `min_runs` runs; one run alone can be math (`设x为y的z倍`).
    Old cleaner: `is_mixed_ENCN` (reason `is_mixed_ENCN`): >= 6 class changes in any of ten
    sampled 7-character windows.
    """

    name = "mixed_script_spam"

    min_pairs: int = 3
    min_runs: int = 2

    def validate(self) -> None:
        if self.min_pairs < 2:
            raise ValueError("min_pairs: must be >= 2")
        if self.min_runs < 1:
            raise ValueError("min_runs: must be >= 1")

    def __post_init__(self) -> None:
        self._runs = regex.compile(r"(?<![A-Za-z])(?:\p{Han}[A-Za-z](?![A-Za-z])){" + str(self.min_pairs) + ",}")

    def measure_names(self) -> tuple[str, ...]:
        return ("alternation_runs",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        runs = self._runs.findall(doc.text)
        note = ", ".join(runs[:3])
        yield Measure("mixed_script_spam", "alternation_runs", len(runs), ">=", self.min_runs, note)
