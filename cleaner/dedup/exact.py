"""Exact-duplicate key: a 128-bit xxh3 hash of the normalised text.

What is folded is configurable (`DedupParams.exact_fold`): case, whitespace (removed), punctuation
and symbols (removed), width (NFKC: full-width letters, digits and punctuation). 128 bits make an
accidental collision negligible even among billions of documents.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import regex
import xxhash

_WHITESPACE = regex.compile(r"\s+")
_PUNCTUATION = regex.compile(r"[\p{P}\p{S}]+")
_BOTH = regex.compile(r"[\s\p{P}\p{S}]+")


def normalise_exact(text: str, fold: Iterable[str]) -> str:
    """The text the exact hash sees."""
    fold = set(fold)
    if "width" in fold:
        text = unicodedata.normalize("NFKC", text)
    if "case" in fold:
        text = text.casefold()
    if "whitespace" in fold and "punctuation" in fold:
        return _BOTH.sub("", text)
    if "whitespace" in fold:
        return _WHITESPACE.sub("", text)
    if "punctuation" in fold:
        return _PUNCTUATION.sub("", text)
    return text


def exact_hashes(texts: Sequence[str], fold: Iterable[str]) -> np.ndarray:
    """(n, 2) uint64: the high and low halves of xxh3_128 of each normalised text.

    A text that normalises to nothing (only punctuation, symbols or emoji) is hashed as it is, so
    such documents are not all duplicates of each other.
    """
    fold = tuple(fold)
    out = np.empty((len(texts), 2), dtype=np.uint64)
    for i, text in enumerate(texts):
        value = xxhash.xxh3_128_intdigest((normalise_exact(text, fold) or "\x00" + text).encode("utf-8"))
        out[i, 0] = value >> 64
        out[i, 1] = value & 0xFFFFFFFFFFFFFFFF
    return out
