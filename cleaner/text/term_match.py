"""Find listed terms in text with one Aho-Corasick automaton over two normalised views.

- The *folded* view (traditional to simplified, full-width letters/digits to ASCII, lower case,
  zero-width characters removed, whitespace runs to one space) is where ASCII terms are
  matched, only on word boundaries, so "sex" never matches inside "Essex".
- The *compact* view (folded, then spaces, zero-width characters and the separators spammers
  insert such as . * - _ | removed) is where Chinese terms are matched, so "色 情" and "赌.博"
  are caught. Chinese sentence punctuation (，。！) is kept, so words are not glued across it.
- Allow-list words (性能, 三级医院) are in the same automaton; a term hit that overlaps an
  allow-list hit in the same view is ignored.
- A hit contained in a longer hit (赌博 inside 赌博网站) is not counted separately.

Terms shorter than two characters after normalisation are dropped when the matcher is built: a
single character is never evidence on its own.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import ahocorasick
import opencc
import regex

_T2S = opencc.OpenCC("t2s")
_HALF_WIDTH = {
    0x3000: 0x20,
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x61 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
#: The characters `_HALF_WIDTH` maps (stdlib `re`): str.translate costs ~0.045 s/MB CPU on any
#: non-ASCII text, so it runs only on texts that hold one of them.
_FULL_WIDTH = re.compile("[" + "".join(map(chr, sorted(_HALF_WIDTH))) + "]")
#: Whitespace that is not already one plain space: replacing these by a space is the same as
#: replacing every whitespace run, with one match per line break instead of one per word (fold
#: 0.116 -> 0.05 s/MB CPU on English).
_SPACES = regex.compile(r"\s{2,}|[^\S ]")
_INVISIBLE = regex.compile(r"\p{Cf}+")
_SEPARATORS = regex.compile(r"[\s\p{Cf}.\-_*·•~/\\|+=#@^`'\"]+")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
MIN_TERM_CHARS = 2


def fold(text: str) -> str:
    """Simplified, half-width, lower-case text with single spaces and no zero-width characters."""
    text = _INVISIBLE.sub("", _T2S.convert(text))
    if _FULL_WIDTH.search(text):
        text = text.translate(_HALF_WIDTH)
    return _SPACES.sub(" ", text.lower())


def compact(folded: str) -> str:
    """The folded view without spaces, zero-width characters and in-word separators. A folded
    text's only whitespace is single spaces: str.replace drops them before the regex sees them."""
    return _SEPARATORS.sub("", folded.replace(" ", ""))


def is_ascii_term(term: str) -> bool:
    return term.isascii()


def normalise_term(term: str) -> str:
    """A list entry in the form it is matched in: compact for Chinese, folded for ASCII terms."""
    folded = fold(term).strip()
    return folded if is_ascii_term(folded) else compact(folded)


@dataclass(frozen=True, slots=True)
class _Entry:
    term: str
    categories: tuple[str, ...]
    ascii: bool
    allow: bool


class TermMatcher:
    """Matches `terms` (normalised term -> categories) with `allow` words masking their overlaps."""

    def __init__(self, terms: dict[str, tuple[str, ...]], allow: list[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for word in allow:
            word = normalise_term(word)
            if word:
                self._automaton.add_word(word, _Entry(word, (), is_ascii_term(word), True))
        for term, categories in terms.items():
            if len(term) >= MIN_TERM_CHARS and term not in self._automaton:
                self._automaton.add_word(term, _Entry(term, categories, is_ascii_term(term), False))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
        """(term, categories) per counted hit, and the length of the folded text."""
        folded = fold(text)
        if self._empty:
            return [], len(folded)
        hits = self._scan(folded, ascii_terms=True) + self._scan(compact(folded), ascii_terms=False)
        return hits, len(folded)

    def _scan(self, view: str, ascii_terms: bool) -> list[tuple[str, tuple[str, ...]]]:
        allowed: list[tuple[int, int]] = []
        spans: list[tuple[int, int, _Entry]] = []
        for last, entry in self._automaton.iter(view):
            start, end = last + 1 - len(entry.term), last + 1
            if entry.allow:
                allowed.append((start, end))
            elif entry.ascii == ascii_terms and (not ascii_terms or _on_word_boundary(view, start, end)):
                spans.append((start, end, entry))
        if not spans:
            return []
        masked = _merge(allowed)
        starts = [s for s, _ in masked]
        spans.sort(key=lambda span: (span[0], span[0] - span[1]))
        result = []
        reach = -1
        for start, end, entry in spans:
            if end <= reach:
                continue  # inside a longer hit already counted
            i = bisect.bisect_left(starts, end) - 1
            if i >= 0 and masked[i][1] > start:
                continue  # overlaps an allow-list word
            reach = end
            result.append((entry.term, entry.categories))
        return result


def _on_word_boundary(view: str, start: int, end: int) -> bool:
    before = start == 0 or view[start] not in _ASCII_ALNUM or view[start - 1] not in _ASCII_ALNUM
    after = end == len(view) or view[end - 1] not in _ASCII_ALNUM or view[end] not in _ASCII_ALNUM
    return before and after


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint union of `spans`."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
