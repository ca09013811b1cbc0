"""Settle Chinese vs Japanese/Korean/Cantonese/Wu by script, where fastText guesses badly.

fastText's lid.176 calls short simplified Chinese "ja" (about 3% of the lingua zh sentences),
Tang poems "ja" (a quarter of them) and reviews "wuu", because these labels share the Han
characters the model hashes. The writing system decides most of these cases cheaply:

- Japanese prose nearly always contains kana; Chinese almost never has more than a stray "の".
- Korean is written in hangul.
- Written Cantonese uses particles that Mandarin does not write (嘅 咗 唔 喺 哋 ...).
- Text whose letters are mostly Han, with no kana or hangul, is Chinese even when the model
  answers something else ("依作业的需求" was labelled Italian).

Counting uses compiled regexes over a bounded sample (no per-character Python loop); scripts
absent from the text cost one C-level search.
"""

from __future__ import annotations

import regex

#: Labels of lid.176 whose confusions the script settles.
CJK_LABELS = frozenset({"zh", "ja", "ko", "yue", "wuu"})

#: Runs, not single characters: counting the lengths of runs is ~5x faster than one match per character.
_HAN = regex.compile(r"\p{Han}+")
_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]+")
_HANGUL = regex.compile(r"\p{Hangul}+")
_LETTER = regex.compile(r"\p{L}+")
#: Particles and words of written Cantonese that standard written Chinese does not use.
_CANTONESE = regex.compile(r"[嘅咗唔喺哋冇嚟啲嘢嗰噉咩㗎喎嘞揾搵攞啱睇冚乜嚿嘥]+")

#: Kana share of (Han + kana) from which a CJK text is Japanese.
KANA_SHARE = 0.05
#: Hangul share of CJK characters from which a text is Korean.
HANGUL_SHARE = 0.3
#: Han share of all letters from which a text without kana/hangul is Chinese whatever fastText said.
HAN_SHARE = 0.6
#: Cantonese particles per Han character from which Chinese-script text is Cantonese.
CANTONESE_SHARE = 0.02


def count(pattern: regex.Pattern[str], text: str) -> int:
    """Characters matched by a run `pattern`; one search first settles absent scripts cheaply."""
    return sum(map(len, pattern.findall(text))) if pattern.search(text) else 0


def han_share(text: str) -> float:
    """Share of the letters of `text` that are Han characters."""
    letters = count(_LETTER, text)
    return count(_HAN, text) / letters if letters else 0.0


def settle(label: str, text: str) -> str:
    """The language the script of `text` supports, for a text fastText labelled `label`."""
    han = count(_HAN, text)
    if han == 0 and label not in CJK_LABELS:
        return label
    kana, hangul = count(_KANA, text), count(_HANGUL, text)
    if label not in CJK_LABELS and (kana or hangul or han < HAN_SHARE * count(_LETTER, text)):
        return label
    cjk = han + kana + hangul
    if cjk == 0:
        return label
    if hangul >= HANGUL_SHARE * cjk:
        return "ko"
    if kana >= KANA_SHARE * (han + kana):
        return "ja"
    if han == 0:
        return label
    if count(_CANTONESE, text) >= max(1, CANTONESE_SHARE * han):
        return "yue"
    return "zh"
