"""The one text -> fastText-input function shared by quality-model training and scoring.

Chinese is represented as single characters, other text as words; the models are trained with
`wordNgrams=2`, so fastText adds character bigrams for Chinese and word bigrams otherwise from
these tokens. Punctuation and symbols are tokens (runs of "！！！" or emoji are quality signals);
every digit becomes 0 so phone numbers and prices generalise; traditional characters become
simplified so zh-Hant text is scored like zh-Hans. Only the first MAX_CHARS characters are used,
which keeps the cost per document flat.
"""

from __future__ import annotations

from typing import Any

import opencc
import regex

from cleaner.text.fasttext_model import predict

MAX_CHARS = 3000
LABEL_GOOD = "__label__hq"
LABEL_BAD = "__label__lq"

_T2S = opencc.OpenCC("t2s")
_TOKEN = regex.compile(r"\p{Han}|[\p{L}\p{M}\p{N}_']+|[^\s\p{L}\p{M}\p{N}]")
_DIGITS = regex.compile(r"\p{Nd}")


def featurise(text: str) -> str:
    """Space-separated tokens of the first MAX_CHARS characters of `text` (no newlines)."""
    head = _DIGITS.sub("0", _T2S.convert(text[:MAX_CHARS]).lower())
    return " ".join(_TOKEN.findall(head))


def score_texts(model: Any, texts: list[str]) -> list[float]:
    """Probability of the high-quality label for each text."""
    good = LABEL_GOOD.removeprefix("__label__")
    ranked = predict(model, [featurise(t) for t in texts], 2)
    return [next((p for label, p in row if label == good), 0.0) for row in ranked]
