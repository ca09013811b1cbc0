"""The one text -> fastText-input function shared by quality-model training and scoring.

Chinese is represented as single characters, other text as words; the models are trained with
`wordNgrams=2`, so fastText adds character bigrams for Chinese and word bigrams otherwise from
these tokens. Punctuation and symbols are tokens (runs of "！！！" or emoji are quality signals);
every digit becomes 0 so phone numbers and prices generalise; traditional characters become
simplified so zh-Hant text is scored like zh-Hans.

A text is judged by its prose: its distinct lines that end like a sentence (C4's line rule, with
the Chinese marks and closing quotes), so the menus, share bars and repeated footers of a raw page
do not decide the score of the article inside it (curators keep such pages). A text whose prose
lines hold fewer than MIN_PROSE_CHARS characters (a list, a keyword block, a one-line message) is
read whole. Only the first SCAN_CHARS characters are split into lines and the first MAX_CHARS of
the result are used, which keeps the cost per document flat.
"""

from __future__ import annotations

from typing import Any

import opencc
import regex

from cleaner.text.fasttext_model import predict

MAX_CHARS = 3000
SCAN_CHARS = 10 * MAX_CHARS
MIN_PROSE_CHARS = 200
LABEL_GOOD = "__label__hq"
LABEL_BAD = "__label__lq"

_T2S = opencc.OpenCC("t2s")
_TOKEN = regex.compile(r"\p{Han}|[\p{L}\p{M}\p{N}_']+|[^\s\p{L}\p{M}\p{N}]")
_DIGITS = regex.compile(r"\p{Nd}")
_TERMINAL = tuple('.!?。！？…"”’」』')


def prose_lines(text: str) -> str:
    """The distinct sentence-final lines of the head of `text`, or `text` when they hold too little.

    They are never longer than `text` (one newline joins two lines that had at least one line
    break between them), so a text under MIN_PROSE_CHARS is returned without splitting it.
    """
    if len(text) < MIN_PROSE_CHARS:
        return text
    lines = dict.fromkeys(line for line in map(str.strip, text[:SCAN_CHARS].splitlines()) if line.endswith(_TERMINAL))
    prose = "\n".join(lines)
    return prose if len(prose) >= MIN_PROSE_CHARS else text


def featurise(text: str) -> str:
    """Space-separated tokens of the first MAX_CHARS characters of the prose of `text` (no newlines)."""
    head = _DIGITS.sub("0", _T2S.convert(prose_lines(text)[:MAX_CHARS]).lower())
    return " ".join(_TOKEN.findall(head))


def score_texts(model: Any, texts: list[str]) -> list[float]:
    """Probability of the high-quality label for each text."""
    good = LABEL_GOOD.removeprefix("__label__")
    ranked = predict(model, [featurise(t) for t in texts], 2)
    return [next((p for label, p in row if label == good), 0.0) for row in ranked]
