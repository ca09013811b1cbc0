"""Gopher quality and repetition rules (Rae et al. 2021, "Scaling Language Models: Methods,
Analysis & Insights from Training Gopher", appendix A), with a Chinese repetition variant.

N-gram statistics hash token ids with numpy, so they run in C over the whole document.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import ClassVar, NamedTuple

import numpy as np
import regex

from cleaner.document import Document
from cleaner.stages.charsets import code_points
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.stages.views import views
from cleaner.text.spaces import without_spaces

#: gopher_quality's words (count, mean length, stop words): runs of word characters, joined by
#: apostrophes, hyphens or dots, without the punctuation around them. One findall, no search per
#: token.
_WORDS = regex.compile(r"\w+(?:['’\-.]\w+)*")
#: A character outside ASCII that is no word character (curly quotes, dashes): a space in the
#: words' bytes, so that every character left outside ASCII is in a word. Any character outside
#: ASCII first, which `regex` skips to 10x as fast as to a class of word characters.
_NON_ASCII_NON_WORD = regex.compile(r"[^\x00-\x7f](?<!\w)")
#: The one character outside ASCII that str.lower makes ASCII alone ("k"; İ is i and a combining
#: dot): a word with it can be a stop word the bytes (0x80) would miss.
_KELVIN_SIGN = "\u212a"
#: For the words in those bytes: ASCII word characters stay, in lower case for the stop words, the
#: joiners ' - . become ".", the rest of ASCII a space, and a character outside ASCII 0x80 (its
#: first byte; the others, 0x80-0xbf, are deleted: one byte a character, as words are measured).
_ASCII_WORD_CHARS = (string.ascii_letters + string.digits + "_").encode()
_WORD_BYTES = bytes(
    ord(chr(c).lower()) if c in _ASCII_WORD_CHARS else ord(".") if c in b"'-." else ord(" ") if c < 128 else 0x80
    for c in range(256)
)
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
#: Every byte of a word to "a": a word starts at each " a".
_WORD_TO_A = bytes(c if c == ord(" ") else ord("a") for c in range(256))
#: A stop word that stands as it is in the words' bytes.
_PLAIN_STOP_WORD = re.compile(r"[0-9a-z_]+")
#: A letter or a space outside ASCII. In a text without one (and without `_STR_ONLY_SPACES`),
#: every character outside ASCII is in a token and has no letter, as its UTF-8 bytes are not
#: letters or spaces either, so the tokens with a letter can be found in those bytes.
_NON_ASCII_LETTER_OR_SPACE = regex.compile(r"[^\x00-\x7f](?<=[\p{L}\s])")
#: Characters str.split splits at and \s does not: with one, the tokens found in the bytes are not
#: those of `views.words`.
_STR_ONLY_SPACES = "\x1c\x1d\x1e\x1f"
#: A whitespace-separated token with no letter at all ("•••••", "2020", "--"): the alpha rule's
#: non-alpha words. Possessive, so a token with a letter fails at its first letter.
_LETTERLESS_TOKEN = regex.compile(r"(?<!\S)[^\p{L}\s]++(?!\S)")
#: For those bytes: once each byte that is neither a letter nor one of \s's six spaces is deleted,
#: letters "a" and spaces " ", a token with a letter starts at each " a" (two passes in C, 2.4x as
#: fast as splitting the bytes, which was 2.6x as fast as the regex).
_SPACES = b" \t\n\r\x0b\x0c"
_LETTERS_TO_A = bytes(ord(" ") if c in _SPACES else ord("a") for c in range(256))
_NEITHER_LETTER_NOR_SPACE = bytes(c for c in range(256) if c not in _SPACES + string.ascii_letters.encode())
#: Stripped from both ends of a whitespace-separated word in the repetition rules ("Frank," and
#: "(Frank)" are "Frank"; a token of these marks only is no word).
_EDGE_PUNCTUATION = string.punctuation + "“”‘’«»„…–—·•、，。！？；：（）《》【】「」『』〈〉"
_BULLETS = tuple("•●‣◦▪■□◆◇-*–·")
_ELLIPSES = ("...", "…")

DEFAULT_STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]


@register
@dataclass
class GopherQuality(MeasuredFilter):
    """Gopher quality rules for space-separated languages, as published (Rae et al. 2021, A.1.1).

    Keeps documents with 50-100,000 words, mean word length 3-10 characters, at most 0.1 hash
    symbols per word and, tested separately ("for either"), at most 0.1 ellipses (... or …) per
    word, at most 90% of lines starting with a bullet, at most 30% ending in an ellipsis, at least
    80% of whitespace-separated tokens containing a letter (a symbol-only token such as "•••••" is
    a word without one), and at least two distinct stop words of the, be, to, of, and, that, have,
    with (any case). Values are compared unrounded. Any threshold set to null is skipped. Not meant
    for Chinese (no spaces): use the zh_* rules there.
    """

    name = "gopher_quality"

    min_words: int | None = 50
    max_words: int | None = 100_000
    min_mean_word_length: float | None = 3.0
    max_mean_word_length: float | None = 10.0
    max_symbol_word_ratio: float | None = 0.1
    max_bullet_lines_ratio: float | None = 0.9
    max_ellipsis_lines_ratio: float | None = 0.3
    min_alpha_words_ratio: float | None = 0.8
    min_stop_words: int | None = 2
    stop_words: list[str] = field(default_factory=lambda: list(DEFAULT_STOP_WORDS))

    def __post_init__(self) -> None:
        self._stop_words = frozenset(word.lower() for word in self.stop_words)
        #: The stop words as they stand between spaces in `_spaced_words`; the others are no word
        #: (a space, a symbol) or take the patterns (`_unspaced_stop_word`).
        self._spaced_stop_words = [
            f" {word} ".encode() for word in self._stop_words if _PLAIN_STOP_WORD.fullmatch(word)
        ]
        #: A stop word that can be a word but stands otherwise in `_spaced_words`: one with a
        #: joiner ("don’t" and "don't" are one there) or a character outside ASCII.
        self._unspaced_stop_word = any(
            _WORDS.fullmatch(word) and not _PLAIN_STOP_WORD.fullmatch(word) for word in self._stop_words
        )

    def measure_names(self) -> tuple[str, ...]:
        return (
            "words",
            "mean_word_length",
            "hash_word_ratio",
            "ellipsis_word_ratio",
            "bullet_lines_ratio",
            "ellipsis_lines_ratio",
            "alpha_words_ratio",
            "distinct_stop_words",
        )

    def _word_bytes(self, text: str) -> bytes | None:
        """The text's UTF-8 bytes with ’ as ' (both join words) and each other character outside
        ASCII that is no word character as a space, for `_spaced_words`; None when a stop word
        (`_unspaced_stop_word`) or a Kelvin sign needs the pattern's words, and for a text mostly
        outside ASCII (Chinese), where the substitution takes twice the time of the pattern."""
        if self._unspaced_stop_word or _KELVIN_SIGN in text:
            return None
        if not text.isascii() and len(text.encode("ascii", "ignore")) * 2 < len(text):
            return None
        text = text.replace("’", "'")
        return (text if text.isascii() else _NON_ASCII_NON_WORD.sub(" ", text)).encode()

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = doc.text
        data = self._word_bytes(text)
        if data is None:
            words = _WORDS.findall(text)
            n_words, word_chars = len(words), sum(map(len, words))
        else:
            spaced = _spaced_words(data)
            n_words = spaced.translate(_WORD_TO_A).count(b" a")
            word_chars = len(spaced) - spaced.count(b" ")
        if self.min_words is not None:
            yield Measure("gopher_too_few_words", "words", n_words, "<", self.min_words)
        if self.max_words is not None:
            yield Measure("gopher_too_many_words", "words", n_words, ">", self.max_words)
        if not n_words:
            return
        mean_length = word_chars / n_words
        if self.min_mean_word_length is not None:
            yield Measure("gopher_short_words", "mean_word_length", mean_length, "<", self.min_mean_word_length)
        if self.max_mean_word_length is not None:
            yield Measure("gopher_long_words", "mean_word_length", mean_length, ">", self.max_mean_word_length)
        if self.max_symbol_word_ratio is not None:
            hashes = text.count("#") / n_words
            yield Measure("gopher_symbols", "hash_word_ratio", hashes, ">", self.max_symbol_word_ratio)
            ellipses = (text.count("...") + text.count("…")) / n_words
            yield Measure("gopher_symbols", "ellipsis_word_ratio", ellipses, ">", self.max_symbol_word_ratio)
        lines = views(doc).nonempty_lines
        if lines and self.max_bullet_lines_ratio is not None:
            ratio = sum(1 for line in lines if line.startswith(_BULLETS)) / len(lines)
            yield Measure("gopher_bullet_lines", "bullet_lines_ratio", ratio, ">", self.max_bullet_lines_ratio)
        if lines and self.max_ellipsis_lines_ratio is not None:
            ratio = sum(1 for line in lines if line.endswith(_ELLIPSES)) / len(lines)
            yield Measure("gopher_ellipsis_lines", "ellipsis_lines_ratio", ratio, ">", self.max_ellipsis_lines_ratio)
        if self.min_alpha_words_ratio is not None:
            tokens = len(views(doc).words)
            if (letters := _letter_bytes(text)) is None:
                letterless = len(_LETTERLESS_TOKEN.findall(text))
            else:
                letterless = tokens - (b" " + letters.translate(_LETTERS_TO_A, _NEITHER_LETTER_NOR_SPACE)).count(b" a")
            ratio = (tokens - letterless) / tokens
            yield Measure("gopher_non_alpha_words", "alpha_words_ratio", ratio, "<", self.min_alpha_words_ratio)
        if self.min_stop_words is not None:
            if data is None:
                found = len(self._stop_words.intersection(map(str.lower, words)))
            else:
                # A substring search each, which mostly stops near the start ("the").
                found = sum(word in spaced for word in self._spaced_stop_words)
            yield Measure("gopher_stop_words", "distinct_stop_words", found, "<", self.min_stop_words)


def _letter_bytes(text: str) -> bytes | None:
    """The text's UTF-8 bytes, when its tokens with a letter can be found there
    (`_NON_ASCII_LETTER_OR_SPACE`, `_STR_ONLY_SPACES`); else None."""
    if any(map(text.__contains__, _STR_ONLY_SPACES)):
        return None
    if not text.isascii() and _NON_ASCII_LETTER_OR_SPACE.search(text):
        return None
    # A lone surrogate (JSON allows "\ud800") is three bytes that are no letter.
    return text.encode("utf-8", "surrogatepass")


def _spaced_words(data: bytes) -> bytes:
    """The words of `_WORDS` in `GopherQuality._word_bytes`, in lower case (ASCII; 0x80 a character
    outside it), between spaces: a joiner is "." and stays only between two word characters.
    Passes of translate and replace, in 0.55 of the time of `re` finding the words and measuring
    them."""
    words = data.translate(_WORD_BYTES, _UTF8_CONTINUATION).replace(b"..", b"  ")
    # Every "." is now alone; one beside a space (or an end of the text) joins nothing.
    return (b" " + words + b" ").replace(b" .", b"  ").replace(b". ", b"  ")


def duplicate_elements(items: list[str]) -> tuple[int, int]:
    """How many items repeat an earlier one, and how many characters those repeats hold: all
    items less one of each distinct item (a set and two sums in C, no Python loop per item)."""
    distinct = set(items)
    return len(items) - len(distinct), sum(map(len, items)) - sum(map(len, distinct))


_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(29)
#: The base of the n-gram hashes (`NgramHashes`): odd, so no power of it is 0 mod 2^64.
_BASE = 0xC2B2AE3D27D4EB4F


def _mixed(values: np.ndarray) -> np.ndarray:
    """A bijection of 64-bit values that spreads every input bit (xor-shift, then an odd multiplier)."""
    mixed = values ^ (values >> _SHIFT)
    mixed *= _MIX
    return mixed


class NgramHashes:
    """64-bit hashes of the n-grams of a token-id array, each size hashed when first asked for:
    `hashes(n)[i]` covers ids[i:i+n] (empty when there are fewer than n tokens). Equal hashes are
    equal n-grams (barring a 64-bit collision); the values themselves mean nothing.

    An n-gram's hash is the polynomial sum of its tokens' mixed ids t: t[0] * B^(n-1) + ... +
    t[n-1] (mod 2^64, B odd), a power to each position so that "a b" is not "b a". Each size is
    hashed from two halves, h = n // 2 tokens and n - h tokens: first * B^(n-h) + second, so a size
    costs one array step whatever its length (two ufuncs, where two mixes of the sum took seven).
    The Chinese 2, 3, 4, 10, 15, 20, 30-grams take 10 steps (the halves 5, 7 and 8 included)
    instead of the 29 of extending one token at a time.
    """

    def __init__(self, ids: np.ndarray) -> None:
        self._tokens = _mixed(ids.astype(np.uint64) * _MIX + np.uint64(1))
        self._hashes = {1: self._tokens}

    def __call__(self, n: int) -> np.ndarray:
        tokens = self._tokens
        if n > len(tokens):
            return tokens[:0]
        if n not in self._hashes:
            half = n // 2
            head, tail = self(half), self(n - half)
            count = len(tokens) - n + 1
            shift = np.uint64(pow(_BASE, n - half, 1 << 64))
            self._hashes[n] = head[:count] * shift + tail[half : half + count]
        return self._hashes[n]


def repeated_ngrams(hashes: np.ndarray, positions: np.ndarray | None = None) -> NgramGroups | None:
    """The n-grams at `positions` (all when None) grouped by hash, or None when none repeats.

    Every occurrence of a repeated n-gram starts a repeated shorter one, so the positions in
    repeated groups at one size (`NgramGroups.repeated`) are all a larger size needs searched:
    few on most documents, where a sort of all positions per size cost most of the rule.
    """
    if positions is None:
        order = hashes.argsort()
        ordered = hashes[order]
    else:
        subset = hashes[positions]
        order = subset.argsort()
        ordered = subset[order]
        order = positions[order]
    # True where a group starts, and past the end (ufuncs and methods, not numpy's Python-level
    # helpers: this runs ~8 times per document, on few positions).
    bounds = np.empty(len(ordered) + 1, dtype=bool)
    bounds[0] = bounds[-1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=bounds[1:-1])
    if bounds.all():
        return None
    starts = bounds.nonzero()[0]
    return NgramGroups(order, starts[:-1], starts[1:] - starts[:-1])


class NgramGroups(NamedTuple):
    """Positions sorted by n-gram hash (in no order within a group), where each group starts, and
    its size."""

    positions: np.ndarray
    starts: np.ndarray
    counts: np.ndarray

    def firsts(self) -> np.ndarray:
        """Each group's first position."""
        return np.minimum.reduceat(self.positions, self.starts)

    def repeated(self) -> np.ndarray:
        """The positions of the n-grams that occur more than once."""
        return self.positions[(self.counts > 1).repeat(self.counts)]


def top_ngram_chars(groups: NgramGroups, lengths: np.ndarray, n: int) -> int:
    """Characters covered by all occurrences of the most frequent n-gram (Gopher's top n-gram).

    Only repeated n-grams count (`repeated_ngrams` gives no groups otherwise): datatrove counts a
    unique n-gram too, which fails every short document (12 words give a top 3-gram fraction of
    0.25). Among equally frequent n-grams the one that occurs first wins, as in datatrove
    (Counter.most_common), whatever the token ids. `lengths` are the document's tokens' lengths.
    """
    firsts = groups.firsts()
    # The most frequent, then the first: the largest count * len(lengths) - first position.
    best = (groups.counts * len(lengths) - firsts).argmax()
    start = int(firsts[best])
    return int(groups.counts[best]) * int(lengths[start : start + n].sum())


def duplicate_ngram_chars(groups: NgramGroups, lengths: np.ndarray, n: int) -> int:
    """Characters inside any n-gram that also occurs earlier in the document (overlaps once);
    arguments as for `top_ngram_chars`."""
    # Every position but the first of its group (the smallest of each run of an unstable argsort).
    repeats = groups.positions[groups.positions != groups.firsts().repeat(groups.counts)]
    size = len(lengths)
    edges = np.bincount(repeats, minlength=size + 1) - np.bincount(repeats + n, minlength=size + 1)
    covered = edges.cumsum()[:size] > 0
    return int(lengths[covered].sum())


#: Up to this many tokens, whether any n-gram repeats is first asked of a set of tuples: on a
#: short document, which mostly repeats none (93% of those under 50 words), that answers for every
#: size in a few microseconds, where numpy's per-call cost came to ~60.
SET_SEARCH_TOKENS = 100


def repeats_ngram(tokens: Sequence[str], n: int) -> bool:
    """Whether some n-gram of `tokens` occurs twice (tokens compared themselves, not hashed)."""
    return len(set(zip(*(tokens[i:] for i in range(n))))) < len(tokens) - n + 1


def _int_keys(mapping: dict[str, float], key: str) -> dict[int, float]:
    try:
        parsed = {int(n): value for n, value in mapping.items()}
    except ValueError:
        raise ValueError(f"{key}: keys must be n-gram sizes such as '2'") from None
    if any(n < 1 for n in parsed):
        raise ValueError(f"{key}: n-gram sizes must be >= 1")
    return parsed


@register
@dataclass
class GopherRepetition(MeasuredFilter):
    """Gopher repetition rules with the published thresholds (Rae et al. 2021, table A1).

    Rejects when duplicate lines exceed 30% of lines or 20% of characters, duplicate paragraphs
    30% / 20%, the most frequent 2/3/4-gram covers more than 20/18/16% of characters, or
    characters inside repeated 5..10-grams exceed 15/14/13/12/11/10%. Whitespace-separated words
    without the punctuation around them ("Frank," and "Frank." are one word) are the units here,
    and n-gram fractions are of the characters in words; `gopher_repetition_zh` counts Chinese
    characters instead. A top n-gram counts only when it occurs twice. Fractions
    of characters count each repeated character once (datatrove skips ahead n tokens after a
    repeat; the result is close). Values are compared unrounded.
    """

    name = "gopher_repetition"

    max_dup_line_fraction: float | None = 0.3
    max_dup_paragraph_fraction: float | None = 0.3
    max_dup_line_char_fraction: float | None = 0.2
    max_dup_paragraph_char_fraction: float | None = 0.2
    max_top_ngram_fraction: dict[str, float] = field(default_factory=lambda: {"2": 0.2, "3": 0.18, "4": 0.16})
    max_dup_ngram_fraction: dict[str, float] = field(
        default_factory=lambda: {"5": 0.15, "6": 0.14, "7": 0.13, "8": 0.12, "9": 0.11, "10": 0.10}
    )
    min_ngram_units: int = 0

    #: Units of the n-gram rules: "word" for space-separated text, "char" for Chinese.
    unit: ClassVar[str] = "word"

    def validate(self) -> None:
        _int_keys(self.max_top_ngram_fraction, "max_top_ngram_fraction")
        _int_keys(self.max_dup_ngram_fraction, "max_dup_ngram_fraction")

    def __post_init__(self) -> None:
        # (n, limit, reason, measure name) per size, the strings built once, not per document.
        top = sorted(_int_keys(self.max_top_ngram_fraction, "max_top_ngram_fraction").items())
        dup = sorted(_int_keys(self.max_dup_ngram_fraction, "max_dup_ngram_fraction").items())
        self._top = [(n, limit, f"gopher_top_{n}_gram", f"top_{n}_gram_char_fraction") for n, limit in top]
        self._dup = [(n, limit, f"gopher_dup_{n}_grams", f"dup_{n}_gram_char_fraction") for n, limit in dup]
        self._ngram_rules = [(*rule, top_ngram_chars) for rule in self._top]
        self._ngram_rules += [(*rule, duplicate_ngram_chars) for rule in self._dup]
        self._smallest_n = min((n for n, *_ in self._ngram_rules), default=1)

    def _tokens(self, doc: Document) -> str | list[str]:
        """The units of the n-gram rules: the words, or the characters but whitespace (a str)."""
        if self.unit == "char":
            return without_spaces(doc.text)
        return list(filter(None, map(str.strip, views(doc).words, repeat(_EDGE_PUNCTUATION))))

    def _ids(self, tokens: str | list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and their lengths in characters."""
        if self.unit == "char":
            return code_points(tokens), np.ones(len(tokens), dtype=np.int64)
        # str hashes as token ids (computed in C; equal words, equal ids): only equality is used.
        ids = np.fromiter(map(hash, tokens), dtype=np.int64, count=len(tokens))
        return ids, np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))

    def measure_names(self) -> tuple[str, ...]:
        lines = ("dup_line_fraction", "dup_line_char_fraction", "dup_paragraph_fraction", "dup_paragraph_char_fraction")
        return lines + tuple(name for *_, name in self._top) + tuple(name for *_, name in self._dup)

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = doc.text
        total_chars = len(text)
        if not total_chars:
            return
        for label, pieces, max_count, max_chars in (
            ("line", views(doc).nonempty_lines, self.max_dup_line_fraction, self.max_dup_line_char_fraction),
            (
                "paragraph",
                # Split at every second newline: a longer run leaves empty or "\n" pieces, which the
                # strip drops, as a split at runs of two or more would (a str split, no regex).
                [piece for piece in map(str.strip, text.split("\n\n")) if piece],
                self.max_dup_paragraph_fraction,
                self.max_dup_paragraph_char_fraction,
            ),
        ):
            if not pieces:
                continue
            count, chars = duplicate_elements(pieces)
            if max_count is not None:
                value = count / len(pieces)
                yield Measure(f"gopher_dup_{label}s", f"dup_{label}_fraction", value, ">", max_count)
            if max_chars is not None:
                value = chars / total_chars
                yield Measure(f"gopher_dup_{label}_chars", f"dup_{label}_char_fraction", value, ">", max_chars)
        tokens = self._tokens(doc)
        # Tokens are never empty, so no tokens is no unit characters.
        if not tokens or len(tokens) < self.min_ngram_units:
            return
        unit_chars, counted = self._ngram_chars(tokens)
        for (_, limit, reason, name, _), chars in zip(self._ngram_rules, counted):
            yield Measure(reason, name, chars / unit_chars, ">", limit)

    def _ngram_chars(self, tokens: str | list[str]) -> tuple[int, Iterator[int]]:
        """The characters in the tokens, and those each n-gram rule counts, in `_ngram_rules` order."""
        if len(tokens) <= SET_SEARCH_TOKENS and not repeats_ngram(tokens, self._smallest_n):
            unit_chars = len(tokens) if self.unit == "char" else sum(map(len, tokens))
            return unit_chars, repeat(0, len(self._ngram_rules))
        ids, lengths = self._ids(tokens)
        return int(lengths.sum()), self._counted_chars(ids, lengths)

    def _counted_chars(self, ids: np.ndarray, lengths: np.ndarray) -> Iterator[int]:
        """The characters each n-gram rule counts, each size computed only when the one before it
        has been read (`check` stops at the first failure)."""
        hashes = NgramHashes(ids)
        # An n-gram repeats only where its prefixes repeat: from the first size without a repeated
        # n-gram (0 characters) on, every larger size has none, and is not hashed (most documents
        # repeat no 10-character or 5-word gram).
        unrepeated = len(ids) + 1
        # The positions that can start a repeated n-gram of size `searched_n` or more.
        searched, searched_n = None, 0
        for n, *_, count in self._ngram_rules:
            chars = 0
            if n < unrepeated:
                grams = hashes(n)
                positions = searched[searched < len(grams)] if searched is not None and searched_n <= n else None
                if (groups := repeated_ngrams(grams, positions)) is not None:
                    chars = count(groups, lengths, n)
                    if n > searched_n:
                        searched, searched_n = groups.repeated(), n
            if not chars:
                unrepeated = min(unrepeated, n)
            yield chars


@register
@dataclass
class GopherRepetitionZh(GopherRepetition):
    """Gopher repetition for Chinese: n-grams of characters (whitespace ignored), not words.

    Top 2/3/4-character grams: 25.6/20.1/17.1%, the values FineWeb-2 publishes for Mandarin
    (huggingface/fineweb-2 configs/cmn_Hani.yml, top_n_grams), where they apply to jieba-word
    n-grams over the whole text; here they apply to character n-grams over non-space characters.
    On the 2,811 documents of >= 200 characters in zh_wiki_cmrc2018, zh_news_peoples_daily_1998,
    zh_news_sogoucs and zh_hant_wiki_drcd the highest values are 0.191/0.158/0.171, so none fails
    (Gopher's English 20/18/16% rejected one wiki article). Names and set phrases repeat at the
    character level in clean text (中华人民共和国), so the duplicate rules are ours: 10/15/20/30-
    character grams with 30/25/20/15%, which 4 of those 2,811 documents exceed and a paragraph
    repeated once exceeds them all. Documents shorter than `min_ngram_units` characters skip the
    n-gram rules (their statistics are noise).
    """

    name = "gopher_repetition_zh"

    max_top_ngram_fraction: dict[str, float] = field(default_factory=lambda: {"2": 0.256, "3": 0.201, "4": 0.171})
    max_dup_ngram_fraction: dict[str, float] = field(
        default_factory=lambda: {"10": 0.30, "15": 0.25, "20": 0.20, "30": 0.15}
    )
    min_ngram_units: int = 200

    unit: ClassVar[str] = "char"
