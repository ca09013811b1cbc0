"""text.script: the run patterns hold exactly the code points their names say."""

from __future__ import annotations

import regex

from cleaner.text.script import NON_LATIN_LETTERS

EVERY_CODE_POINT = "".join(map(chr, range(0x110000)))


def code_points(pattern: regex.Pattern[str]) -> set[int]:
    return {ord(ch) for ch in pattern.findall(EVERY_CODE_POINT)}


def test_non_latin_letters_are_the_letters_outside_latin() -> None:
    letters = code_points(regex.compile(r"\p{L}"))
    latin = code_points(regex.compile(r"\p{Latin}"))
    assert code_points(NON_LATIN_LETTERS) == letters - latin
    assert code_points(NON_LATIN_LETTERS) and letters & latin
