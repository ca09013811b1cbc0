"""Find listed terms in text with one Aho-Corasick automaton over two normalised views.

- The *folded* view (traditional to simplified, full-width letters/digits to ASCII, lower case,
  zero-width characters removed, whitespace runs to one space) is where ASCII terms are
  matched, only on word boundaries, so "sex" never matches inside "Essex".
- The *compact* view (folded, then spaces, zero-width characters and the separators spammers
  insert such as . * - _ | removed) is where Chinese terms are matched, so "色 情" and "赌.博"
  are caught. Chinese sentence punctuation (，。！) is kept, so words are not glued across it.
- Allow-list words (性能, 三级医院) are matched in both views; a term hit that overlaps an
  allow-list hit in the same view is ignored.
- A hit contained in a longer hit (赌博 inside 赌博网站) is not counted separately.

Terms shorter than two characters after normalisation are dropped when the matcher is built: a
single character is never evidence on its own.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

import ahocorasick
import opencc

_T2S = opencc.OpenCC("t2s")
_HALF_WIDTH = {
    0x3000: 0x20,
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x61 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
#: The characters `_HALF_WIDTH` maps: str.translate costs ~0.045 s/MB CPU on any non-ASCII text,
#: so it runs only on texts that hold one of them.
_FULL_WIDTH = "".join(map(chr, sorted(_HALF_WIDTH)))
#: The characters beyond ASCII that regex `\s` matches (tests/text/test_term_match.py checks every
#: code point); the ASCII ones but the space, to spaces (bytes.translate); and runs of spaces.
_NON_ASCII_SPACES = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_ASCII_SPACES = bytes.maketrans(b"\t\n\x0b\x0c\r", b"     ")
_SPACE_RUNS = re.compile(rb"  +")
#: Format characters (zero-width spaces and joiners, soft hyphens, ...): those regex `\p{Cf}`
#: matches (the test checks every code point; the stdlib's Unicode data is older), in the BMP
#: and beyond it. ASCII has none.
_BMP_INVISIBLE = (
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb"
)
_ASTRAL_INVISIBLE = re.compile(
    "[\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
_INVISIBLE = re.compile(f"[{_BMP_INVISIBLE}{_ASTRAL_INVISIBLE.pattern[1:-1]}]")
#: Every character of the BMP beyond ASCII that `fold` drops or replaces (format, full-width,
#: space), for one stdlib scan where a `regex` scan for format characters, a search for full-width
#: ones and one for spaces went over every text beyond ASCII (most hold none of them): 0.056 ->
#: 0.021 s on the 722 such pages of a 6,250-document English shard. sre tests a class of the BMP
#: in a bitmap, one beyond it range by range (4x as slow): those format characters have their own.
_FOLDED_AWAY = re.compile(f"[{_BMP_INVISIBLE}{_FULL_WIDTH}{_NON_ASCII_SPACES.pattern[1:-1]}]")
#: The separators `compact` drops besides spaces, all but two ASCII: a folded text holds no other
#: whitespace and no zero-width character, so these are all that is left to drop.
_NON_ASCII_SEPARATORS = "·•"
_ASCII_SEPARATORS = b" .-_*~/\\|+=#@^`'\""
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
MIN_TERM_CHARS = 2


def fold(text: str, lowered: Callable[[], str] | None = None) -> str:
    """Simplified, half-width, lower-case text with single spaces and no zero-width characters.
    `lowered`: gives `text.lower()` (the caller may have it), called when the text is its own
    simplified, visible, half-width form."""
    converted = _T2S.convert(text)
    found = set() if converted.isascii() else _folded_away(converted)
    for char in found:
        if _INVISIBLE.match(char):
            converted = converted.replace(char, "")
    if any(char in _FULL_WIDTH for char in found):
        converted = converted.translate(_HALF_WIDTH)
    lower = lowered() if lowered is not None and converted == text else converted.lower()
    # Lower case makes no space and unmakes none; the full-width space is a space already.
    spaces = {char for char in found if _NON_ASCII_SPACES.match(char) and char not in _FULL_WIDTH}
    return _single_spaces(lower, spaces)


def _folded_away(text: str) -> set[str]:
    """The characters of `text` that `fold` drops or replaces; the format characters beyond the
    BMP searched for only in a text that holds a character beyond it (a surrogate pair in UTF-16)."""
    found = set(_FOLDED_AWAY.findall(text))
    if len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text):
        found.update(_ASTRAL_INVISIBLE.findall(text))
    return found


def _single_spaces(text: str, spaces: set[str]) -> str:
    """Every run of `regex` whitespace in `text` as one space, with `spaces` the whitespace beyond
    ASCII it holds: those replaced by spaces (str.replace, per kind), then the ASCII whitespace by
    bytes.translate of the UTF-8 bytes (an ASCII byte is always a character of its own) and the
    runs of spaces made one. No split into words: 0.055 -> 0.02 s on the blacklist's 1,017 en+web
    pages."""
    for space in spaces:
        text = text.replace(space, " ")
    view = text.encode("utf-8", "surrogatepass").translate(_ASCII_SPACES)
    return _SPACE_RUNS.sub(b" ", view).decode("utf-8", "surrogatepass")


def compact(folded: str) -> str:
    """The folded view without spaces, zero-width characters and in-word separators."""
    return _compact_utf8(folded).encode("latin-1").decode("utf-8")


def _compact_utf8(folded: str) -> str:
    """`compact(folded)` as `_utf8` gives it, the view the compact automaton scans. The ASCII
    separators are deleted from the UTF-8 bytes by one bytes.translate (an ASCII byte is never part
    of another character), the two others by str.replace: 0.066 -> 0.015 s on 544 pages."""
    for separator in _NON_ASCII_SEPARATORS:
        folded = folded.replace(separator, "")
    return folded.encode("utf-8").translate(None, _ASCII_SEPARATORS).decode("latin-1")


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
    allow: bool
    #: The term's length in the string its automaton scans (UTF-8 bytes for the compact view).
    length: int


def _utf8(text: str) -> str:
    """`text`'s UTF-8 bytes as a string of one character per byte.

    pyahocorasick finds a node's child by a linear search, so a trie whose root fans out to some
    200 first hanzi costs ~100 ns per character; over UTF-8 bytes every hanzi starts with one of
    a few lead bytes (compact scan 0.017 -> 0.006 s/MB). UTF-8 is a prefix code whose lead bytes
    never occur inside a character, so a term's bytes match exactly where its characters do, in
    the same order: offsets change, containment and overlap do not.
    """
    return text.encode("utf-8").decode("latin-1")


def _automaton(
    terms: dict[str, tuple[str, ...]], allow: list[str], key: Callable[[str], str]
) -> ahocorasick.Automaton | None:
    """`terms` and `allow` words keyed by `key` (their form in the view scanned), or None without terms."""
    if not terms:
        return None
    automaton = ahocorasick.Automaton()
    for word in allow:
        automaton.add_word(key(word), _Entry(word, (), allow=True, length=len(key(word))))
    for term, categories in terms.items():
        automaton.add_word(key(term), _Entry(term, categories, allow=False, length=len(key(term))))
    automaton.make_automaton()
    return automaton


class TermMatcher:
    """Matches `terms` (normalised term -> categories) with `allow` words masking their overlaps.

    One automaton per view, each with only the terms counted there: ASCII terms in the folded
    view, with the allow words that hold an ASCII character (a hit of an ASCII term covers only
    ASCII characters, so no other allow word can overlap it); the other terms in the compact view,
    with every allow word.
    """

    def __init__(self, terms: dict[str, tuple[str, ...]], allow: list[str]) -> None:
        allowed = dict.fromkeys(word for word in map(normalise_term, allow) if word)
        counted = {t: c for t, c in terms.items() if len(t) >= MIN_TERM_CHARS and t not in allowed}
        ascii_terms = {t: c for t, c in counted.items() if is_ascii_term(t)}
        other_terms = {t: c for t, c in counted.items() if not is_ascii_term(t)}
        with_ascii = [word for word in allowed if any(char.isascii() for char in word)]
        self._folded = _automaton(ascii_terms, with_ascii, key=str)
        self._compact = _automaton(other_terms, list(allowed), key=_utf8)
        #: Any character beyond ASCII of a compact-view term (every one holds some: None exactly when
        #: there is no compact view). Compacting only deletes characters, so a folded text holding
        #: none of them has no compact hit, and its compact view is neither built nor scanned (most
        #: English texts beyond ASCII: curly quotes, dashes, accents).
        beyond = sorted({char for term in other_terms for char in term if not char.isascii()})
        self._term_chars = re.compile("[" + "".join(map(re.escape, beyond)) + "]") if beyond else None

    def find(
        self, text: str, lowered: Callable[[], str] | None = None
    ) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
        """(term, categories) per counted hit, and the length of the folded text; `lowered` as `fold` takes it."""
        folded = fold(text, lowered)
        hits = _scan(self._folded, folded, word_boundaries=True) if self._folded is not None else []
        # An ASCII text holds none of the term characters (isascii is O(1): checked before the search).
        if self._compact is not None and self._term_chars is not None and not folded.isascii():
            if self._term_chars.search(folded):
                hits += _scan(self._compact, _compact_utf8(folded), word_boundaries=False)
        return hits, len(folded)


def _scan(automaton: ahocorasick.Automaton, view: str, word_boundaries: bool) -> list[tuple[str, tuple[str, ...]]]:
    allowed: list[tuple[int, int]] = []
    spans: list[tuple[int, int, _Entry]] = []
    for last, entry in automaton.iter(view):
        start, end = last + 1 - entry.length, last + 1
        if entry.allow:
            allowed.append((start, end))
        elif not word_boundaries or _on_word_boundary(view, start, end):
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
