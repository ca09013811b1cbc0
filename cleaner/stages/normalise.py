"""Character-level normalisers that every recipe starts with."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import regex

from cleaner.stages.base import Normaliser
from cleaner.stages.registry import register

_FULLWIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
_CONTROL = [c for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r"]
#: Invisible characters that split words for every later matcher (zero-width space/joiners, word
#: joiner, BOM, Mongolian vowel separator, soft hyphen).
_ZERO_WIDTH = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E, 0x00AD]


@register
@dataclass
class UnicodeNormaliser(Normaliser):
    """Full-width letters/digits to ASCII, control and zero-width characters removed.

    Newlines and tabs are kept (the old cleaner deleted every newline, gluing titles to bodies).
    NFKC is off by default because it also turns Chinese full-width punctuation (，。) into ASCII.
    """

    name = "unicode_normalise"

    nfkc: bool = False
    fullwidth_alnum: bool = True
    remove_control: bool = True
    remove_zero_width: bool = True

    def __post_init__(self) -> None:
        table: dict[int, int | None] = {}
        if self.fullwidth_alnum:
            table.update(_FULLWIDTH_ALNUM)
        if self.remove_control:
            table.update(dict.fromkeys(_CONTROL))
        if self.remove_zero_width:
            table.update(dict.fromkeys(_ZERO_WIDTH))
        self._table = table

    def normalise(self, text: str) -> str:
        if self.nfkc:
            text = unicodedata.normalize("NFKC", text)
        return text.translate(self._table) if self._table else text


_LINE_BREAKS = regex.compile(r"\r\n?|[\u2028\u2029\u0085]")
_UNICODE_SPACES = regex.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUNS = regex.compile(r"[ \t]{2,}|\t")
_SPACES_AROUND_NEWLINE = regex.compile(r"[ \t]*\n[ \t]*")


@register
@dataclass
class WhitespaceNormaliser(Normaliser):
    """One kind of newline, one space between words, at most `max_blank_lines` blank lines.

    Paragraph breaks survive: a blank line between paragraphs is kept as one blank line.
    """

    name = "whitespace_normalise"

    unicode_spaces: bool = True
    collapse_spaces: bool = True
    strip_lines: bool = True
    max_blank_lines: int = 1

    def validate(self, recipe_dir: Path) -> None:
        if self.max_blank_lines < 0:
            raise ValueError("max_blank_lines: must be >= 0")

    def __post_init__(self) -> None:
        self._blank_runs = regex.compile("\n{" + str(self.max_blank_lines + 2) + ",}")
        self._blank_keep = "\n" * (self.max_blank_lines + 1)

    def normalise(self, text: str) -> str:
        text = _LINE_BREAKS.sub("\n", text)
        if self.unicode_spaces:
            text = _UNICODE_SPACES.sub(" ", text)
        if self.collapse_spaces:
            text = _SPACE_RUNS.sub(" ", text)
        if self.strip_lines:
            text = _SPACES_AROUND_NEWLINE.sub("\n", text)
        text = self._blank_runs.sub(self._blank_keep, text)
        return text.strip()
