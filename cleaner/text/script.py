"""Which writing system a text is in, measured with compiled regexes (no per-character loops)."""

from __future__ import annotations

import re

import regex

#: Han (URO, Ext A, Ext B-H, compatibility), kana and hangul. Stdlib `re` with a `+` run is about
#: 5x faster here than counting single matches of `regex`'s \p{Han} classes.
_CJK_RUNS = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]+"
)

#: Share of CJK characters among non-space characters above which a text counts as "unsegmented":
#: its length is measured in characters, not words.
CJK_SHARE = 0.3


def cjk_count(text: str) -> int:
    return sum(map(len, _CJK_RUNS.findall(text)))


#: Script is judged on at most this many leading characters, so the cost per document is flat.
SAMPLE_CHARS = 2000


def is_cjk(text: str) -> bool:
    """True when the text is mostly Chinese/Japanese/Korean script (length counted in characters)."""
    if text.isascii():  # O(1) in CPython, and ASCII holds no CJK character
        return False
    text = text[:SAMPLE_CHARS]
    cjk = cjk_count(text)
    if cjk == 0:
        return False
    non_space = len("".join(text.split()))
    return cjk >= CJK_SHARE * non_space


def word_count(text: str) -> int:
    return len(text.split())


# Runs of one script, for counting characters per script: counting the lengths of runs is ~5x
# faster than one match per character.
HAN_RUNS = regex.compile(r"\p{Han}+")
KANA_RUNS = regex.compile(r"[\p{Hiragana}\p{Katakana}]+")
HANGUL_RUNS = regex.compile(r"\p{Hangul}+")
LATIN_RUNS = regex.compile(r"\p{Latin}+")
LETTER_RUNS = regex.compile(r"\p{L}+")
#: A letter of any script but Latin: its absence makes every letter of a text Latin.
NON_LATIN_LETTERS = regex.compile(r"[^\P{L}\p{Latin}]")


def count_chars(runs: regex.Pattern[str], text: str) -> int:
    """Characters matched by a run pattern; one search first settles an absent script cheaply."""
    return sum(map(len, runs.findall(text))) if runs.search(text) else 0
