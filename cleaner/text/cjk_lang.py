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

from cleaner.text.script import HAN_RUNS, HANGUL_RUNS, KANA_RUNS, LETTER_RUNS, count_chars

#: Labels of lid.176 whose confusions the script settles.
CJK_LABELS = frozenset({"zh", "ja", "ko", "yue", "wuu"})

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


def han_share(text: str) -> float:
    """Share of the letters of `text` that are Han characters."""
    letters = count_chars(LETTER_RUNS, text)
    return count_chars(HAN_RUNS, text) / letters if letters else 0.0


def settle(label: str, text: str) -> str:
    """The language the script of `text` supports, for a text fastText labelled `label`.

    Han is counted only where its number decides: without kana and hangul, Han text the model
    already placed in the CJK family is Chinese unless it holds a Cantonese particle.
    """
    cjk_label = label in CJK_LABELS
    if not cjk_label and not HAN_RUNS.search(text):
        return label
    kana, hangul = count_chars(KANA_RUNS, text), count_chars(HANGUL_RUNS, text)
    if kana or hangul:
        if not cjk_label:
            return label
        han = count_chars(HAN_RUNS, text)
        if hangul >= HANGUL_SHARE * (han + kana + hangul):
            return "ko"
        if kana >= KANA_SHARE * (han + kana):
            return "ja"
        if han == 0:
            return label
    elif not cjk_label:
        han = count_chars(HAN_RUNS, text)
        if han < HAN_SHARE * count_chars(LETTER_RUNS, text):
            return label
    elif not HAN_RUNS.search(text):
        return label
    elif not _CANTONESE.search(text):
        return "zh"
    else:
        han = count_chars(HAN_RUNS, text)
    if count_chars(_CANTONESE, text) >= max(1, CANTONESE_SHARE * han):
        return "yue"
    return "zh"
