"""One short phrase repeated as the whole text (a review that is 不错 x26), measured in linear time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import regex

from cleaner.document import Document
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register

_WORD_UNIT = regex.compile(r"[\p{L}\p{M}\p{N}]*\p{L}[\p{L}\p{M}\p{N}]*")
MAX_UNIT = 8
MIN_COPIES = 3
BATCH_CHARS = 1 << 16
#: Border the code points: 0xFFFFFFFD before them, 0xFFFFFFFE after, 0xFFFFFFFF beyond (none is a
#: code point), so the shifts past the end and the border columns never match.
_BEFORE, _AFTER, _BEYOND = b"\xfd\xff\xff\xff", b"\xfe\xff\xff\xff", b"\xff\xff\xff\xff" * MAX_UNIT
#: The matches in a row that a run of period k needs, as the bytes of a bool row.
_RUN_MATCHES = {k: b"\x01" * ((MIN_COPIES - 1) * k) for k in range(1, MAX_UNIT + 1)}


def _same_as_shifted(text: str) -> Iterator[tuple[int, np.ndarray]]:
    """(first period, rows): row j is True where a character equals the one first + j places on, with a
    False column either side.

    All periods in one comparison for texts up to `BATCH_CHARS`; one period at a time above, so
    memory stays at a few bytes per character.
    """
    n = len(text)
    # The code points and their borders from one buffer: no concatenate, and the comparison makes
    # the False columns (no zeroed array to compare into).
    padded = np.frombuffer(_BEFORE + text.encode("utf-32-le") + _AFTER + _BEYOND, dtype=np.uint32)
    bordered = padded[: n + 2]
    size = padded.itemsize
    periods = [range(1, MAX_UNIT + 1)] if n <= BATCH_CHARS else [range(k, k + 1) for k in range(1, MAX_UNIT + 1)]
    for ks in periods:
        # Row j of this view of `padded` is padded[first + j : first + j + n + 2]: all shifts in one
        # comparison (a plain ndarray view: as_strided costs more than the comparison on short texts).
        shifted = np.ndarray((len(ks), n + 2), padded.dtype, padded, ks[0] * size, (size, size))
        yield ks[0], shifted == bordered


def _rows_with_run(first: int, rows: np.ndarray) -> list[int]:
    """The rows that hold as many matches in a row as a run of their period needs, by bytes searches
    in C: the edges of every stretch are then found in those rows only (95% of Chinese texts have
    none, English ones mostly one). The first period needs the fewest: 70% of Chinese texts fail one
    search for those."""
    data, width = rows.tobytes(), rows.shape[1]
    if _RUN_MATCHES[first] not in data:
        return []
    return [j for j in range(len(rows)) if data.find(_RUN_MATCHES[first + j], j * width, (j + 1) * width) >= 0]


def repeated_runs(text: str) -> Iterator[tuple[str, int]]:
    """(unit, characters) for each run of a unit of 1-`MAX_UNIT` characters repeated `MIN_COPIES`+ times.

    A run of period k is a stretch where every character equals the one k places on, found by
    comparing the text with its shifts in numpy, so the scan is linear. A unit that repeats a
    shorter one (哈哈 in 哈哈哈哈) is left to that shorter period.
    """
    if len(text) < MIN_COPIES:
        return
    for first, rows in _same_as_shifted(text):
        held = _rows_with_run(first, rows)
        if not held:
            continue
        # Row-major: each row's edges alternate rise (a run starts), fall (it ends).
        row, column = np.nonzero(rows[held, 1:] != rows[held, :-1])
        periods, starts, ends = np.asarray(held)[row[::2]] + first, column[::2], column[1::2]
        long_enough = ends - starts >= (MIN_COPIES - 1) * periods
        for k, start, end in zip(*(a[long_enough].tolist() for a in (periods, starts, ends))):
            unit = text[start : start + k]
            if not any(k % d == 0 and unit == unit[:d] * (k // d) for d in range(1, k)):
                yield unit, end - start + k


@register
@dataclass
class RepeatedPhrase(MeasuredFilter):
    """Share of the text (whitespace ignored) covered by runs of its most repeated short word.

    A review that is 不错 x26, 很满意 x7 or 哈 x10 says nothing; gopher_repetition_zh skips texts
    under 200 characters and collapse_repetition keeps units of three or more once, so two-character
    phrases pass both. Units are words (letters, digits), not punctuation or rules (----, ……).
    Reason `repeated_phrase`.
    """

    name = "repeated_phrase"

    max_coverage: float = 0.5

    def validate(self) -> None:
        if not 0 < self.max_coverage <= 1:
            raise ValueError("max_coverage: must be in (0, 1]")

    def measure_names(self) -> tuple[str, ...]:
        return ("repeated_unit_share",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = "".join(doc.text.split())
        covered: dict[str, int] = {}
        for unit, chars in repeated_runs(text):
            if _WORD_UNIT.fullmatch(unit):
                covered[unit] = covered.get(unit, 0) + chars
        unit, chars = max(covered.items(), key=lambda item: item[1], default=("", 0))
        share = chars / len(text) if text else 0.0
        yield Measure("repeated_phrase", "repeated_unit_share", share, ">", self.max_coverage, unit)
