"""Character-level normalisers that every recipe starts with."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import regex

from cleaner.stages.base import Normaliser
from cleaner.stages.charsets import CharTest, any_of
from cleaner.stages.registry import register
from cleaner.text.unicode_classes import class_table

_FULLWIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
#: Full-width ASCII punctuation (！ to ～, minus letters and digits) and the ideographic space.
_FULLWIDTH_PUNCTUATION = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if cp not in _FULLWIDTH_ALNUM},
    0x3000: 0x20,
}
_CONTROL = [c for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r"]
#: Invisible characters that split words for every later matcher (zero-width space/joiners, word
#: joiner, BOM, Mongolian vowel separator, soft hyphen).
_ZERO_WIDTH = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E, 0x00AD]

#: Blocks holding circled, parenthesised and dotted numbers and letters (① ⑴ ⒈ Ⓐ ❶ ㈠ ㊀ 🄐).
_ENCLOSED_RANGES = (
    (0x2460, 0x24FF),
    (0x2776, 0x2793),
    (0x3220, 0x3229),
    (0x3251, 0x325F),
    (0x3280, 0x3289),
    (0x32B1, 0x32BF),
    (0x1F100, 0x1F12F),
)
_PLAIN_INNER = regex.compile(r"\d+|[A-Za-z]|[一二三四五六七八九十]")


def _enclosed_plain(cp: int) -> str | None:
    """`①`->`1`, `⑴`->`(1)`, `⒈`->`1.`, `㈠`->`(一)`, `❶`->`1`; None for anything else in the blocks."""
    char = chr(cp)
    tag, _, codes = unicodedata.decomposition(char).partition(" ")
    if not tag:
        value = unicodedata.numeric(char, None)
        return str(int(value)) if value is not None and value == int(value) else None
    plain = "".join(chr(int(code, 16)) for code in codes.split())
    inner = plain.strip("().") if tag == "<compat>" else plain
    if tag not in ("<circle>", "<compat>") or not _PLAIN_INNER.fullmatch(inner):
        return None
    if tag == "<compat>" and plain not in (f"({inner})", f"{inner}."):
        return None
    return plain


_ENCLOSED = {
    cp: plain for low, high in _ENCLOSED_RANGES for cp in range(low, high + 1) if (plain := _enclosed_plain(cp))
}

#: A Chinese neighbour: keeps a full-width mark such as ，！？：； full-width.
_CHINESE_CONTEXT = (
    r"[\p{Han}\p{Hiragana}\p{Katakana}\u3001-\u303F“”‘’…—\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65]"
)

#: `<200b>` or `\u200b` written out as text by a broken exporter.
_LITERAL_ESCAPE = regex.compile(r"<([0-9A-Fa-f]{4})>|\\u([0-9A-Fa-f]{4})")
_LITERAL_ESCAPE_CUE = re.compile(_LITERAL_ESCAPE.pattern)
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})


def _drop_invisible_escape(match: regex.Match) -> str:
    """Remove the escape only when it names an invisible character, so `<2023>` and `<HTML>` stay."""
    code = int(match.group(1) or match.group(2), 16)
    return "" if unicodedata.category(chr(code)) in _INVISIBLE_CATEGORIES else match.group(0)


#: Cyrillic and Greek letters that render like Latin ones. α β γ μ are left out on purpose: they are
#: real symbols in Chinese and English science text (α粒子, 5μm).
_HOMOGLYPHS = str.maketrans(
    "АВЕКМНОРСТХУЅІЈаеорсухіјѕԁԛԝӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧον",
    "ABEKMHOPCTXYSIJaeopcyxijsdqwlABEZHIKMNOPTYXov",
)
_LOOKALIKE_WORD = regex.compile(r"[\p{Latin}\p{Cyrillic}\p{Greek}]+")
_HAS_LATIN = regex.compile(r"\p{Latin}")
_LOOKALIKE_SCRIPTS = r"\p{Cyrillic}\p{Greek}"
_HAS_LOOKALIKE_SCRIPT = regex.compile(f"[{_LOOKALIKE_SCRIPTS}]")
#: One or two Cyrillic letters wedged between hanzi (微О信) are spam, never Russian.
_CYRILLIC_IN_HAN = regex.compile(r"(?<=\p{Han})\p{Cyrillic}{1,2}(?=\p{Han})")


@cache
def _lookalike_points() -> tuple[int, ...]:
    """The code points `_HAS_LOOKALIKE_SCRIPT` matches."""
    return tuple(class_table(_LOOKALIKE_SCRIPTS).nonzero()[0].tolist())


@cache
def _lookalike_script() -> CharTest:
    """`_HAS_LOOKALIKE_SCRIPT` as a `CharTest`, 3x faster when it finds nothing."""
    return CharTest(_lookalike_points())


def _fold_mixed_word(match: regex.Match) -> str:
    word = match.group(0)
    if _HAS_LATIN.search(word) and _HAS_LOOKALIKE_SCRIPT.search(word):
        return word.translate(_HOMOGLYPHS)
    return word


#: `_LOOKALIKE_WORD`'s characters before a position, matched backwards from it.
_LOOKALIKE_WORD_BEFORE = regex.compile(r"[\p{Latin}\p{Cyrillic}\p{Greek}]*", regex.REVERSE)
#: Words with a Cyrillic or Greek letter folded one by one, at most (a word ends where the rest starts).
_WORDS_ONE_BY_ONE = 64


@cache
def _lookalike_letter() -> re.Pattern[str]:
    """`_HAS_LOOKALIKE_SCRIPT` as a stdlib class, which finds where."""
    return any_of(_lookalike_points())


def _fold_mixed_words(text: str) -> str:
    """`_LOOKALIKE_WORD.sub(_fold_mixed_word, text)` on the words that hold a Cyrillic or Greek letter,
    each found from its first such letter: the others are left as they are, without a Python call
    for each (an English page with one `μ` has thousands; 7x faster on the texts that reach it).
    Past `_WORDS_ONE_BY_ONE` such words the text is Russian or Greek, and the rest is substituted."""
    pieces, done = [], 0
    for _ in range(_WORDS_ONE_BY_ONE):
        letter = _lookalike_letter().search(text, done)
        if letter is None:
            break
        start = _LOOKALIKE_WORD_BEFORE.match(text, done, letter.start()).start()
        word = _LOOKALIKE_WORD.match(text, start)
        pieces += [text[done:start], _fold_mixed_word(word)]
        done = word.end()
    else:
        return "".join(pieces) + _LOOKALIKE_WORD.sub(_fold_mixed_word, text[done:])
    pieces.append(text[done:])
    return "".join(pieces)


@register
@dataclass
class UnicodeNormaliser(Normaliser):
    """Full-width letters/digits to ASCII, enclosed numbers to plain, invisible characters removed.

    Newlines and tabs are kept (the old cleaner deleted every newline, gluing titles to bodies).
    NFKC is off by default because it also turns Chinese full-width punctuation (，。) into ASCII.
    `fullwidth_punctuation` converts full-width punctuation and the ideographic space too, except
    the marks in `keep_in_chinese` when a neighbour is Chinese. Homoglyph folding only rewrites a
    word that mixes Latin with Cyrillic/Greek letters, or a Cyrillic letter wedged between hanzi,
    so real Russian and Greek text (`Москва`) is never touched.
    """

    name = "unicode_normalise"

    nfkc: bool = False
    fullwidth_alnum: bool = True
    fullwidth_punctuation: bool = False
    keep_in_chinese: str = "，！？：；"
    enclosed_alnum: bool = True
    remove_control: bool = True
    remove_zero_width: bool = True
    remove_literal_escapes: bool = True
    fold_homoglyphs: bool = True

    def validate(self) -> None:
        outside = [c for c in self.keep_in_chinese if ord(c) not in _FULLWIDTH_PUNCTUATION]
        if outside:
            raise ValueError(f"keep_in_chinese: {''.join(outside)!r} are not full-width punctuation")

    def __post_init__(self) -> None:
        table: dict[int, int | str | None] = {}
        if self.fullwidth_alnum:
            table.update(_FULLWIDTH_ALNUM)
        if self.enclosed_alnum:
            table.update(_ENCLOSED)
        if self.fullwidth_punctuation:
            kept = {ord(c) for c in self.keep_in_chinese}
            table.update({cp: ascii_cp for cp, ascii_cp in _FULLWIDTH_PUNCTUATION.items() if cp not in kept})
        if self.remove_control:
            table.update(dict.fromkeys(_CONTROL))
        if self.remove_zero_width:
            table.update(dict.fromkeys(_ZERO_WIDTH))
        self._table = table
        # str.translate with a dict looks up every character (~0.04 s/MB); most texts hold none, and
        # the others are translated run by run (an astral character not in the table stays as it is).
        self._mapped = CharTest(table) if table else None
        self._mapped_runs = re.compile(self._mapped.superset + "+") if self._mapped else None
        self._kept_outside_chinese = None
        if self.fullwidth_punctuation and self.keep_in_chinese:
            marks = regex.escape(self.keep_in_chinese)
            pattern = rf"(?<!{_CHINESE_CONTEXT})[{marks}](?!{_CHINESE_CONTEXT})"
            self._kept_outside_chinese = regex.compile(pattern)
        cues = self._cues()
        self._cue = CharTest(cues) if cues else None
        #: The ASCII cues (control characters), which are all an ASCII text can hold.
        self._ascii_cues = bytes(sorted(cue for cue in cues if cue < 0x80))

    def _cues(self) -> set[int]:
        """A character that every rule switched on but the literal escapes needs, in one search: most
        texts hold none."""
        cues = set(self._table)
        if self._kept_outside_chinese is not None:
            cues.update(map(ord, self.keep_in_chinese))
        if self.fold_homoglyphs:
            cues.update(_lookalike_points())
        return cues

    def _has_cue(self, text: str) -> bool:
        """`_cue` finds one; in an ASCII text (which CPython flags without a scan) by deleting the
        ASCII cues from its bytes (0.5 ns a character, where the class search takes 4)."""
        if not text.isascii():
            return self._cue is not None and self._cue.search(text)
        data = text.encode("ascii")
        return len(data.translate(None, self._ascii_cues)) < len(data)

    def _has_literal_escape(self, text: str) -> bool:
        """`_LITERAL_ESCAPE` finds one: str scans, then the stdlib `re` (4x faster than `regex` here)."""
        if not self.remove_literal_escapes or ("<" not in text and "\\u" not in text):
            return False
        return _LITERAL_ESCAPE_CUE.search(text) is not None

    def _may_change(self, text: str) -> bool:
        """Whether any rule but NFKC can fire: False for most texts (0.015-0.028 -> 0.002-0.005 s/MB)."""
        return self._has_cue(text) or self._has_literal_escape(text)

    def normalise(self, text: str) -> str:
        if self.nfkc:
            text = unicodedata.normalize("NFKC", text)
        return self._apply_rules(text) if self._may_change(text) else text

    def _translate(self, run: re.Match[str]) -> str:
        return run.group().translate(self._table)

    def _apply_rules(self, text: str) -> str:
        """Every rule but NFKC, each after its own test."""
        if self._mapped is not None and self._mapped_runs is not None and self._mapped.search(text):
            text = self._mapped_runs.sub(self._translate, text)
        if self._kept_outside_chinese is not None:
            text = self._kept_outside_chinese.sub(lambda m: chr(ord(m.group(0)) - 0xFEE0), text)
        if self.remove_literal_escapes and ("<" in text or "\\u" in text):
            text = _LITERAL_ESCAPE.sub(_drop_invisible_escape, text)
        if self.fold_homoglyphs and _lookalike_script().search(text):
            text = _fold_mixed_words(text)
            text = _CYRILLIC_IN_HAN.sub(lambda m: m.group(0).translate(_HOMOGLYPHS), text)
        return text


# Plain character classes run on the stdlib `re`, about twice as fast as `regex` on them.
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\u0085]")
#: A character `_LINE_BREAKS` needs: one class search is cheaper than the regex finding none, or
#: than a str search for each on Chinese text.
_LINE_BREAK_CHAR = re.compile("[\r\u2028\u2029\u0085]")
_UNICODE_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
#: A character `_LINE_BREAKS` or `_UNICODE_SPACES` needs, in one search: few non-ASCII texts hold one.
_TO_REPLACE = re.compile(r"[\r\u2028\u2029\u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUNS = re.compile(r"[ \t]{2,}|\t")
#: `_SPACE_RUNS` on a text without tabs: its literal prefix is scanned for, where `_SPACE_RUNS`
#: tries a match at every space (0.015 -> 0.005 s/MB on English).
_DOUBLE_SPACES = re.compile("  +")
#: Any Han character: the space-between-Chinese rule is skipped (not just fruitless) without one.
_ANY_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
#: Chinese punctuation that sits flush against hanzi (“”…— only next to a hanzi: English uses them too).
_CHINESE_MARK = r"[\u3001-\u303F，！？：；（）“”‘’《》【】「」『』…—]"
#: Possessive: a shorter gap is followed by a gap character, which is neither Han nor a mark.
_GAP = r"[ \t\u3000\u00a0]++"
_SPACE_BETWEEN_CHINESE = regex.compile(
    rf"(?<=\p{{Han}}){_GAP}(?=\p{{Han}}|{_CHINESE_MARK})|(?<={_CHINESE_MARK}){_GAP}(?=\p{{Han}})"
)
#: A character `_TO_REPLACE` or `_ANY_HAN` needs: one search finds neither in most non-ASCII
#: English text, instead of a search for each.
_TO_REPLACE_OR_HAN = re.compile(_TO_REPLACE.pattern[:-1] + _ANY_HAN.pattern[1:])


def _has_gap(text: str) -> bool:
    """A character of `_GAP`, which 92% of Chinese texts lack: str scans, 5x cheaper than the regex."""
    return " " in text or "\t" in text or "\u3000" in text or "\u00a0" in text


def _strip_lines(text: str) -> str:
    r"""Spaces and tabs around each newline removed, as `[ \t]*\n[ \t]*` -> `\n` would, in linear time.

    That regex was tried from every space of a run not followed by a newline (28 s on 80k spaces
    with `collapse_spaces` off); splitting on newlines is also 3-5x faster than it on real pages.
    """
    if " \n" not in text and "\t\n" not in text and "\n " not in text and "\n\t" not in text:
        return text  # four str scans in C: no line starts or ends with a space or tab
    lines = text.split("\n")
    first, *middle, last = lines
    return "\n".join([first.rstrip(" \t"), *(line.strip(" \t") for line in middle), last.lstrip(" \t")])


def _collapse_spaces(text: str) -> str:
    """`_SPACE_RUNS` replaced by one space: tabs become spaces (a replace in C), then each run of two
    or more spaces one (4x faster than `_SPACE_RUNS`, which is tried at every space)."""
    text = text.replace("\t", " ")
    return _DOUBLE_SPACES.sub(" ", text) if "  " in text else text


def _strip_single_spaces(text: str) -> str:
    """`_strip_lines` on a text that `_collapse_spaces` has left without tabs or two spaces in a row:
    a line starts or ends with one space at most, which two replaces in C remove (no Python per line)."""
    return text.replace(" \n", "\n").replace("\n ", "\n")


@register
@dataclass
class WhitespaceNormaliser(Normaliser):
    """One kind of newline, one space between words, at most `max_blank_lines` blank lines.

    Paragraph breaks survive: a blank line between paragraphs is kept as one blank line.
    `remove_space_between_chinese` drops spaces only when both neighbours are Chinese, so spaces
    between Chinese and Latin words and after an English period stay.
    """

    name = "whitespace_normalise"

    unicode_spaces: bool = True
    collapse_spaces: bool = True
    strip_lines: bool = True
    max_blank_lines: int = 1
    remove_space_between_chinese: bool = True

    def validate(self) -> None:
        if self.max_blank_lines < 0:
            raise ValueError("max_blank_lines: must be >= 0")

    def __post_init__(self) -> None:
        self._blank_runs = regex.compile("\n{" + str(self.max_blank_lines + 2) + ",}")
        self._blank_keep = "\n" * (self.max_blank_lines + 1)
        self._shortest_blank_run = self._blank_keep + "\n"

    def normalise(self, text: str) -> str:
        # An ASCII text (which CPython flags without a scan) holds no Han and no Unicode space.
        ascii_only = text.isascii()
        replace_or_han = not ascii_only and _TO_REPLACE_OR_HAN.search(text) is not None
        to_replace = "\r" in text if ascii_only else replace_or_han and _TO_REPLACE.search(text) is not None
        if to_replace and _LINE_BREAK_CHAR.search(text):
            text = _LINE_BREAKS.sub("\n", text)
        if self.remove_space_between_chinese and replace_or_han and _has_gap(text) and _ANY_HAN.search(text):
            text = _SPACE_BETWEEN_CHINESE.sub("", text)
        if self.unicode_spaces and to_replace:
            text = _UNICODE_SPACES.sub(" ", text)
        if self.collapse_spaces:
            text = _collapse_spaces(text)
        if self.strip_lines:
            text = _strip_single_spaces(text) if self.collapse_spaces else _strip_lines(text)
        if self._shortest_blank_run in text:
            text = self._blank_runs.sub(self._blank_keep, text)
        return text.strip()
