"""Which writing system a text is in, measured with compiled regexes (no per-character loops)."""

from __future__ import annotations

import regex

_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")

#: Share of CJK characters among non-space characters above which a text counts as "unsegmented":
#: its length is measured in characters, not words.
CJK_SHARE = 0.3


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def is_cjk(text: str) -> bool:
    """True when the text is mostly Chinese/Japanese/Korean script (length counted in characters)."""
    cjk = cjk_count(text)
    if cjk == 0:
        return False
    non_space = len("".join(text.split()))
    return cjk >= CJK_SHARE * non_space


def word_count(text: str) -> int:
    return len(text.split())
