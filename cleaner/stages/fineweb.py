"""FineWeb quality rules (Penedo et al. 2024, "The FineWeb Datasets: Decanting the Web for the
Finest Text Data at Scale", section 3.5), with a Chinese variant that counts characters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from cleaner.document import Document
from cleaner.stages.gopher import duplicate_elements
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.stages.views import views

#: FineWeb's terminal marks (datatrove's FineWebQualityFilter as FineWeb ran it): . ' " ! ?
#: FineWeb-2 replaced them with datatrove's 159 Unicode sentence terminals (。！？ among them, no
#: quotes).
TERMINAL_PUNCTUATION = ".'\"!?"
#: Chinese line ends (ours): FineWeb-2's 。！？ and . ! ?, plus the closing quotes and brackets,
#: … and ；： that end Chinese sentences and paragraphs.
ZH_TERMINAL_PUNCTUATION = ".!?\"'。！？…」』”’；;:：)）》]】"


@register
@dataclass
class FineWebQuality(MeasuredFilter):
    """FineWeb's three custom rules plus its list-page rule, with FineWeb's thresholds.

    Rejects when fewer than 12% of non-empty lines end in terminal punctuation (. ' " ! ? only:
    a line ending in ")", ":", "]" or ";" does not count), more than 67% of lines are at most 30
    characters, characters in duplicated lines exceed 1% of the text, or there are more than 0.3
    newlines per word (a list page). Values are compared unrounded. `max_newline_ratio` is per
    word here and per character in `fineweb_quality_zh`.
    """

    name = "fineweb_quality"

    min_line_punct_ratio: float | None = 0.12
    max_short_line_ratio: float | None = 0.67
    short_line_chars: int = 30
    max_dup_line_char_ratio: float | None = 0.01
    max_newline_ratio: float | None = 0.3
    terminal_punctuation: str = TERMINAL_PUNCTUATION
    #: The two line-ratio rules judge only documents with at least this many non-empty lines.
    min_lines: int = 1

    #: "word": newlines per whitespace-separated word; "char": per non-space character.
    unit: ClassVar[str] = "word"

    def validate(self) -> None:
        if self.short_line_chars < 1:
            raise ValueError("short_line_chars: must be >= 1")

    def __post_init__(self) -> None:
        self._ends = tuple(self.terminal_punctuation)

    def measure_names(self) -> tuple[str, ...]:
        return ("line_punct_ratio", "short_line_ratio", "dup_line_char_ratio", f"newlines_per_{self.unit}")

    def measures(self, doc: Document) -> Iterator[Measure]:
        text, view = doc.text, views(doc)
        lines = view.nonempty_lines
        if not lines:
            return
        few_lines = len(lines) < self.min_lines
        if self.min_line_punct_ratio is not None and not few_lines:
            ratio = sum(1 for line in lines if line.endswith(self._ends)) / len(lines)
            yield Measure("fineweb_line_punct", "line_punct_ratio", ratio, "<", self.min_line_punct_ratio)
        if self.max_short_line_ratio is not None and not few_lines:
            ratio = sum(1 for line in lines if len(line) <= self.short_line_chars) / len(lines)
            yield Measure("fineweb_short_lines", "short_line_ratio", ratio, ">", self.max_short_line_ratio)
        if self.max_dup_line_char_ratio is not None:
            chars = len(text) - text.count("\n")
            ratio = duplicate_elements(lines)[1] / chars if chars else 0.0
            yield Measure("fineweb_dup_lines", "dup_line_char_ratio", ratio, ">", self.max_dup_line_char_ratio)
        if self.max_newline_ratio is not None:
            units = view.non_space_count if self.unit == "char" else len(view.words)
            if units:
                ratio = text.count("\n") / units
                yield Measure("fineweb_list_page", f"newlines_per_{self.unit}", ratio, ">", self.max_newline_ratio)


@register
@dataclass
class FineWebQualityZh(FineWebQuality):
    """FineWeb rules for Chinese: a 30-character Chinese line carries about as much as a 60-80
    character English one, so short lines are those of at most 12 characters, and the list rule
    counts newlines per character (0.3 per word at ~1.5 characters per word is 0.2 per character).
    The line-ratio rules need 3 lines: a Chinese paragraph is often one line, and a one-line ratio
    is 0 or 1. Lines end in Chinese or ASCII sentence marks, closing quotes and brackets.
    """

    name = "fineweb_quality_zh"

    short_line_chars: int = 12
    terminal_punctuation: str = ZH_TERMINAL_PUNCTUATION
    max_newline_ratio: float | None = 0.2
    min_lines: int = 3

    unit: ClassVar[str] = "char"
