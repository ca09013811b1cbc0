"""Mojibake: repair what can be decoded back, measure what cannot.

`mojibake_repair` runs ftfy's encoding fixes (UTF-8 read as Latin-1, cp1252 and the other single-byte
code pages ftfy knows) and keeps the result only when no mojibake is left in it: a repair that reads
correctly. `garbled_text` measures what is left: 锟斤拷, 烫烫烫, U+FFFD runs, UTF-8/GBK/Latin-1 misreads,
and GBK text that lost a byte (the rest of the run decodes one byte off). A page with lost characters
is not complete, so a few such spans reject it even when their share is small.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np
import opencc
import regex

from cleaner.document import Document
from cleaner.stages.base import Normaliser
from cleaner.stages.charsets import CharSet, any_of, code_points, latin1_view
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.stages.zh_quality import HAN, common_chars
from cleaner.text.spaces import non_space_count


@cache
def _gbk_mojibake_chars() -> str:
    """Rare Han characters that UTF-8 Chinese turns into when read as GBK.

    UTF-8 encodes Han characters and CJK/full-width marks as a lead byte 0xE3-0xEF and continuation
    bytes 0x80-0xBF. Read as GBK, every pair of such bytes becomes one character; those outside the
    common list (鐨 for 的, 锛 for ，, 銆 for 。) are the signature of this misread.
    """
    utf8_bytes = (*range(0x80, 0xC0), *range(0xE3, 0xF0))
    candidates = []
    for first in utf8_bytes:
        for second in utf8_bytes:
            try:
                char = bytes((first, second)).decode("gbk")
            except UnicodeDecodeError:
                continue
            if HAN.match(char):
                candidates.append(char)
    # Traditional forms of common characters (對, 實) are real text, not mojibake.
    simplified = opencc.OpenCC("t2s").convert("\n".join(candidates)).split("\n")
    common = common_chars()
    return "".join(c for c, s in zip(candidates, simplified, strict=True) if c not in common and s not in common)


_GARBLED_KINDS = {
    "kunkinkao": "锟斤拷",
    "tangtang": "烫烫烫/屯屯屯",
    "replacement": "U+FFFD",
    "utf8_latin1": "UTF-8 read as Latin-1",
    "gbk_latin1": "GBK read as Latin-1",
    "utf8_gbk": "UTF-8 read as GBK",
}


# cp1252 renders bytes 0x80-0x9F as these characters; Latin-1 as C1 controls.
_CP1252_HIGH = "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a"
_CP1252_HIGH += "\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
#: UTF-8 read as Latin-1: a lead byte, then continuation bytes (or their cp1252 forms).
_UTF8_LEAD = "[\u00c2\u00c3\u00e2-\u00ef]"
_UTF8_CONTINUATION = f"[\u0080-\u00bf{_CP1252_HIGH}\ufffd]"
#: GBK read as Latin-1: runs of these.
_GBK_AS_LATIN1 = "[\u0080-\u009f\u00a1-\u00b6\u00b8-\u00ff]"


@cache
def _garbled_pattern() -> regex.Pattern[str]:
    """One alternation, so overlapping kinds (U+FFFD inside a misread) are counted once.

    UTF-8 read as GBK is counted by `_mojibake_run_chars` instead: a 3,900-character class is slow
    in a regex.
    """
    kinds = {
        "kunkinkao": r"(?:锟斤拷|锟斤|斤拷)+",
        "tangtang": r"烫{3,}|屯{3,}",
        "replacement": r"\ufffd+",
        "utf8_latin1": f"(?:{_UTF8_LEAD}{_UTF8_CONTINUATION}+)+",
        "gbk_latin1": f"{_GBK_AS_LATIN1}{{4,}}",
    }
    return regex.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in kinds.items()))


#: Latin-1 letters and symbols, except the · and × that Chinese text uses (马丁·路德, 3×4).
_LATIN1_HIGH = re.compile(r"[\u0080-\u00b6\u00b8-\u00d6\u00d8-\u00ff]")
_MARKERS = ("锟斤", "斤拷", "烫烫烫", "屯屯屯", "\ufffd")
#: What UTF-8 read as Latin-1 needs at least: a lead and a continuation byte (a stdlib class, which
#: scans several times faster than the `regex` alternation).
_UTF8_PAIR = re.compile(_UTF8_LEAD + _UTF8_CONTINUATION)


@cache
def _mojibake_set() -> CharSet:
    return CharSet(_gbk_mojibake_chars())


#: A UTF-8-read-as-GBK run: this many mojibake characters, each at most MAX_GAP positions after the
#: previous one. Real text uses a few of them in names (琛, 璀璨, 轱辘) but never in this rhythm.
MIN_RUN = 6
MAX_GAP = 3


#: The Han blocks on, U+3400-U+FFFF, as the first code point and the number of them.
_HAN_BLOCKS_START, _HAN_BLOCKS_SIZE = 0x3400, 0x10000 - 0x3400


def _any_in_han_blocks(points: np.ndarray) -> bool:
    """Whether a code point lies in the Han blocks on: the largest one tells (one pass, a third of the
    time of a stdlib class search) unless it is astral; then an unsigned comparison (what lies below
    the start wraps round)."""
    top = int(points.max())
    if top <= 0xFFFF:
        return top >= _HAN_BLOCKS_START
    return bool((points - _HAN_BLOCKS_START < _HAN_BLOCKS_SIZE).any())


def _mojibake_run_chars(text: str) -> int:
    """Characters spanned by runs of UTF-8-read-as-GBK characters."""
    if text.isascii():
        return 0
    points = code_points(text)
    if not _any_in_han_blocks(points):
        return 0  # no character from the Han blocks on (Latin pages in mixed): nothing to count
    hits = np.flatnonzero(_mojibake_set().mask(points))
    if len(hits) < MIN_RUN:
        return 0
    breaks = np.flatnonzero(np.diff(hits) > MAX_GAP) + 1
    starts, ends = np.concatenate(([0], breaks)), np.concatenate((breaks, [len(hits)]))
    long_runs = ends - starts >= MIN_RUN
    return int((hits[ends[long_runs] - 1] - hits[starts[long_runs]] + 1).sum())


@cache
def _garbled_cue() -> re.Pattern[str]:
    """A character that every kind holds: a UTF-8-read-as-GBK character, a Latin-1 letter or the
    first character of a marker. One stdlib class search finds none in 88% of Chinese texts, which
    then have no kind to count."""
    cues = _gbk_mojibake_chars() + "".join(marker[0] for marker in _MARKERS)
    latin1 = [c for c in range(0x80, 0x100) if _LATIN1_HIGH.match(chr(c))]
    return any_of([*map(ord, cues), *latin1])


def _byte_classes(classes: dict[str, str]) -> bytes:
    """A `bytes.translate` table for the Latin-1 view (`latin1_view`): a byte becomes the key of the
    first class its character is in, `?` stays `?` and any other byte becomes `.`."""
    table = bytearray(b"." * 256)
    for byte in range(256):
        key = next((key for key, char_class in classes.items() if re.fullmatch(char_class, chr(byte))), ".")
        table[byte] = ord(key)
    table[ord("?")] = ord("?")
    return bytes(table)


#: Lead and continuation characters of `_UTF8_PAIR` in the Latin-1 view, where a continuation beyond
#: Latin-1 (cp1252's forms, U+FFFD) reads as `?`, as a real `?` does.
_PAIR_BYTES = _byte_classes({"L": _UTF8_LEAD, "C": _UTF8_CONTINUATION})
_GBK_AS_LATIN1_BYTES = _byte_classes({"G": _GBK_AS_LATIN1})


def _may_be_garbled(text: str) -> bool:
    """Cheap scans in C that the regex kinds need to pass; most clean text fails them all (an ASCII
    text, which CPython flags without a scan, has no marker and no Latin-1 letter; a French or German
    one has Latin-1 letters but no misread of them).

    A marker's first character is looked for first: one character is found by memchr, a string by a
    slower search. The Latin-1 kinds are looked for in the translated Latin-1 view (a pair) or
    exactly there (a GBK run); only a lead before a `?` needs the class search on the text.
    """
    if text.isascii():
        return False
    if any(marker[0] in text and marker in text for marker in _MARKERS):
        return True
    latin1 = latin1_view(text)
    if latin1.isascii():
        return False  # no Latin-1 letter
    pairs = latin1.translate(_PAIR_BYTES)
    if b"LC" in pairs or (b"L?" in pairs and _UTF8_PAIR.search(text)):
        return True
    return b"GGGG" in latin1.translate(_GBK_AS_LATIN1_BYTES) and bool(_LATIN1_HIGH.search(text))


#: A run of non-ASCII characters between two lost-byte marks (`?` as the dumps write it, or U+FFFD).
#: ASCII letters and digits count as part of a run: unicode_normalise has turned its full-width ones
#: (Ｒ, ３) into ASCII, and they are turned back before the run is re-encoded.
_RUN_TO_NEXT_MARK = r"((?:[^\x00-\x7f\ufffd]|[0-9A-Za-z])++)(?=[?\ufffd])"
_MARKED_RUN = regex.compile(r"[?\ufffd]" + _RUN_TO_NEXT_MARK)
#: `_MARKED_RUN` on a text without U+FFFD: a literal first character is found by a fast scan, where
#: the class was tried at every position (9x slower on English pages with a `?`).
_QUESTION_MARKED_RUN = regex.compile(r"\?" + _RUN_TO_NEXT_MARK)
_TO_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in string.digits + string.ascii_letters})
#: What a correct decoding of Chinese news reads as: common characters, CJK and full-width marks.
_PROSE_MARKS = "，。、“”‘’：；！？（）《》〈〉【】—…·\u3000％－．"
_FULL_WIDTH_FORMS = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
#: Share of a shifted run (of 4 or more characters) that must read as prose to count as a lost byte.
MIN_SHIFTED_READABLE = 0.9


@cache
def _readable_set() -> CharSet:
    return CharSet("".join(common_chars()) + _PROSE_MARKS + _FULL_WIDTH_FORMS)


def _readable_share(text: str) -> float:
    return _readable_set().count(code_points(text)) / len(text)


def _one_byte_off(run: str) -> str | None:
    """The run re-encoded as GBK and decoded from its second byte, up to the first invalid pair.

    None when that is not GBK or stops before half the run: GBK resynchronises after an invalid
    pair, so only the part before it says whether the run was one byte off.
    """
    try:
        data = run.encode("gbk")
    except UnicodeEncodeError:
        return None
    data = data[1 : 1 + (len(data) - 1) // 2 * 2]
    try:
        shifted = data.decode("gbk")
    except UnicodeDecodeError as err:
        shifted = data[: err.start].decode("gbk", errors="ignore")
    return shifted if shifted and 2 * len(shifted) >= len(run) else None


def gbk_shift_spans(text: str) -> list[str]:
    """Runs of GBK text that lost a byte: after a `?`, every character is two bytes one byte off.

    Such a run decodes from its second byte into readable Chinese (`１颈ㄍㄑ对薄≌叛` -> 本报通讯员　张艳),
    strictly, with no invalid pair. Clean text between two question marks fails that decoding, or
    already reads as well as its shifted form; the shift must read better, or the run must start
    with a full-width form, as the byte after a lost 。 (A1 A3) makes it do.
    """
    spans = []
    for match in (_MARKED_RUN if "\ufffd" in text else _QUESTION_MARKED_RUN).finditer(text):
        run = match.group(1)
        if run.isascii():
            continue
        run = run.translate(_TO_FULL_WIDTH)
        shifted = _one_byte_off(run)
        if shifted is None:
            continue
        readable = _readable_share(shifted)
        if readable < (1.0 if len(shifted) < 4 else MIN_SHIFTED_READABLE):
            continue
        if run[0] in _FULL_WIDTH_FORMS or _readable_share(run) < readable:
            spans.append(run)
    return spans


def _chars_by_kind(text: str) -> Counter[str]:
    """Characters in each kind of mojibake pattern, UTF-8 read as GBK last."""
    chars_by_kind: Counter[str] = Counter()
    if _may_be_garbled(text):
        for match in _garbled_pattern().finditer(text):
            chars_by_kind[match.lastgroup or ""] += len(match.group())
    chars_by_kind["utf8_gbk"] = _mojibake_run_chars(text)
    return chars_by_kind


@register
@dataclass
class GarbledText(MeasuredFilter):
    """Share of characters in mojibake patterns: 锟斤拷, 烫烫烫, U+FFFD runs, UTF-8/GBK misreads; GBK runs
    that lost a byte, rejected from `min_shift_spans` runs whatever their share.

    Old cleaner: `filter_luanma_text` (a seq2seq model not in the repo) and `is_having_chaoswords_*`
    (never called; neither fires on 锟斤拷烫烫烫).
    """

    name = "garbled_text"

    max_ratio: float = 0.01
    #: One lost-byte run in a long article is a blemish the curator keeps; two or more are not.
    min_shift_spans: int = 2

    def validate(self) -> None:
        if self.min_shift_spans < 1:
            raise ValueError("min_shift_spans: must be >= 1")

    def setup(self) -> None:
        _garbled_pattern()
        _garbled_cue()
        _mojibake_set()
        _readable_set()

    def measure_names(self) -> tuple[str, ...]:
        return ("garbled_ratio", "gbk_shift_ratio")

    def measures(self, doc: Document) -> Iterator[Measure]:
        if not doc.text or doc.text.isspace():
            return
        # An ASCII text holds no cue, and a lost-byte run between its question marks is all ASCII.
        ascii_only = doc.text.isascii()
        cued = not ascii_only and _garbled_cue().search(doc.text) is not None
        chars_by_kind = _chars_by_kind(doc.text) if cued else Counter()
        marked = not ascii_only and ("?" in doc.text or "\ufffd" in doc.text)
        spans = gbk_shift_spans(doc.text) if marked else []
        found = sum(chars_by_kind.values())
        # The share needs the non-space length, a scan of its own: only when something was found.
        total = max(1, non_space_count(doc.text)) if found or spans else 1
        garbled = min(found, total)
        note = f"mostly {_GARBLED_KINDS[chars_by_kind.most_common(1)[0][0]]}" if garbled else ""
        yield Measure("garbled_text", "garbled_ratio", garbled / total, ">", self.max_ratio, note)
        # Each run also lost the character its `?` stands for.
        shifted = min(sum(len(span) + 1 for span in spans), total)
        note = f"{len(spans)} GBK runs that lost a byte, rejects from {self.min_shift_spans}"
        yield Measure(
            "garbled_text", "gbk_shift_ratio", shifted / total, ">", 0, note, gate=len(spans) >= self.min_shift_spans
        )


_C1_CONTROL = "[\u0080-\u009f]"
_C1_CONTROLS = regex.compile(_C1_CONTROL)
_FTFY_LEAD = "[\u00c2-\u00f4]"
_FTFY_CONTINUATION = f"[\u0080-\u00bf{_CP1252_HIGH}]"
#: UTF-8 read as Latin-1 or cp1252 leaves a lead byte (Â-ô) before a continuation byte (U+0080-U+00BF or
#: its cp1252 form), or a bare C1 control; ftfy's own check is 20x slower, so it runs only on these.
_NEEDS_FTFY = regex.compile(f"{_C1_CONTROL}|{_FTFY_LEAD}{_FTFY_CONTINUATION}")
#: `_NEEDS_FTFY`'s characters in the Latin-1 view: a C1 control (X) is a match, a lead (L) before a
#: continuation (C, or X) is one, a lead before a `?` may be one (a continuation beyond Latin-1).
_FTFY_BYTES = _byte_classes({"X": _C1_CONTROL, "L": _FTFY_LEAD, "C": _FTFY_CONTINUATION})


def _needs_ftfy(text: str) -> bool:
    """`_NEEDS_FTFY` finds a match: in the translated Latin-1 view, by memchr-like scans (2 ns a
    character where a class search takes 5-7), and only from a lead before a `?` on the text."""
    if text.isascii():
        return False
    marks = latin1_view(text).translate(_FTFY_BYTES)
    if b"X" in marks or b"LC" in marks:
        return True
    maybe = marks.find(b"L?")
    return maybe >= 0 and _NEEDS_FTFY.search(text, maybe) is not None


def _residual_mojibake(text: str) -> bool:
    """Whether mojibake is left: the Latin-1/cp1252/U+FFFD kinds, or C1 control characters."""
    return bool(_C1_CONTROLS.search(text)) or (_may_be_garbled(text) and bool(_garbled_pattern().search(text)))


@register
@dataclass
class MojibakeRepair(Normaliser):
    """ftfy's encoding fixes, kept only when the repaired text has no mojibake left.

    ftfy decodes UTF-8 that was read as Latin-1, cp1252 and other single-byte code pages back to
    the original characters (`FranÃ§ois` -> `François`, `â€™` -> `’`). It cannot undo GBK read as
    Latin-1 and turns parts of it into Cyrillic; a repair that leaves mojibake behind is discarded
    and `garbled_text` judges the original. Runs before `unicode_normalise`, which would delete the
    C1 control characters some misreads consist of.
    """

    name = "mojibake_repair"

    def setup(self) -> None:
        import ftfy

        self._fix = ftfy.fix_text
        # Only the encoding repairs: quotes, widths, ligatures, line breaks and NFC are other stages' job.
        self._config = ftfy.TextFixerConfig(
            unescape_html=False,
            remove_terminal_escapes=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            uncurl_quotes=False,
            fix_line_breaks=False,
            fix_surrogates=False,
            remove_control_chars=False,
            normalization=None,
            explain=False,
        )

    def normalise(self, text: str) -> str:
        if not _needs_ftfy(text):
            return text
        fixed = self._fix_lines(text)
        return fixed if fixed != text and not _residual_mojibake(fixed) else text

    def _fix_lines(self, text: str) -> str:
        """`fix_text` on the lines beyond ASCII only, each with its newline.

        fix_text fixes each line on its own (a line longer than `max_decode_length` in pieces counted
        from its start), and with this config leaves an ASCII line as it is: ftfy's encoding fixes
        skip ASCII and the C1 fix finds nothing there. Its per-line work took a third of the stage.
        """
        lines = text.split("\n")
        last = lines.pop()
        pieces = [f"{line}\n" for line in lines]
        if last:
            pieces.append(last)
        return "".join(piece if piece.isascii() else self._fix(piece, self._config) for piece in pieces)
