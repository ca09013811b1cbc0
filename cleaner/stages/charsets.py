"""Count characters of a set in C: a text becomes a numpy array of code points, a set a lookup table.

Regex `findall` on a one-character class builds a Python string per match; on a megabyte of
Chinese that is the slowest part of a rule. A boolean table indexed by code point is not.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from functools import cache

import numpy as np

from cleaner.text.unicode_classes import class_table


def code_points(text: str) -> np.ndarray:
    """The text as an array of uint32 code points (no copy of the encoded buffer)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def latin1_view(text: str) -> bytes:
    """The text as one byte a character, each beyond Latin-1 a `?`: a byte's offset is its
    character's, and bytes methods (translate, find, `in`) scan it in C several times faster than
    a class search scans the text (1.5 ns a character, where one that finds nothing takes 5)."""
    return text.encode("latin-1", "replace")


def any_of(points: Iterable[int]) -> re.Pattern[str]:
    """A stdlib `re` class matching any of these code points, written as ranges of consecutive ones:
    a search that finds none costs about 8 ns per character (0.17 s over 22 M characters with the
    ~340 characters unicode_normalise maps, against 0.76 s for a class that lists them one by one)."""
    ranges: list[list[int]] = []
    for point in sorted(set(points)):
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges) + "]")


class CharTest:
    """Whether a text holds any of a set of code points, by a stdlib `re` class in two steps.

    `re` looks a BMP class up in one table per character, but tries astral ranges one by one on
    every character (2.5-4x slower for the ~340 characters unicode_normalise maps, whose enclosed
    letters reach U+1F12F). The first step is the BMP members and every astral code point; only an
    astral hit, rare in text, needs the exact class.
    """

    def __init__(self, points: Iterable[int]) -> None:
        members = set(points)
        bmp = any_of(point for point in members if point <= 0xFFFF).pattern
        self._bmp_or_astral = re.compile(bmp[:-1] + "\\U00010000-\\U0010ffff]")
        self._exact = any_of(members)

    @property
    def superset(self) -> str:
        """The class of the first step: the BMP members and every astral code point."""
        return self._bmp_or_astral.pattern

    def search(self, text: str) -> bool:
        found = self._bmp_or_astral.search(text)
        if found is None:
            return False
        return found.group() <= "\uffff" or self._exact.search(text, found.start()) is not None


class CharSet:
    """A set of characters that counts its members in a text without a Python loop."""

    def __init__(self, chars: str) -> None:
        # A table for every code point (1.1 MB): one gather per text, no clipping of the points
        # (three more passes over the text, 0.23 -> 0.07 s over 22 M characters).
        self._table = np.zeros(sys.maxunicode + 1, dtype=bool)
        self._table[code_points(chars)] = True

    @classmethod
    def of_class(cls, char_class: str) -> CharSet:
        """The characters `regex` matches with `[char_class]`."""
        chars = cls("")
        chars._table = class_table(char_class)
        return chars

    def mask(self, points: np.ndarray) -> np.ndarray:
        """True where the code point is in the set."""
        return self._table.take(points)

    def count(self, points: np.ndarray) -> int:
        return int(np.count_nonzero(self.mask(points)))


@cache
def han() -> CharSet:
    r"""Every character with Unicode script Han: the set regex `\p{Han}` matches, from the installed
    regex's own Unicode data (a list of blocks goes stale: Unicode 17 added Extension J)."""
    return CharSet.of_class(r"\p{Han}")
