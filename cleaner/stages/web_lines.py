"""Line-level boilerplate removal for raw web pages, in the manner of jusText.

A WET-like page (visible text of the whole HTML) carries menus, breadcrumbs, share bars, related
links and footers around its article; the page-level rules (duplicate lines, line punctuation,
short lines) then reject good articles for their navigation. This stage keeps the article lines
and drops the rest, so those rules judge the main text.

Each non-blank line is first classed on its own (context-free), as jusText classes paragraphs:
- bad: a listed boilerplate phrase (blacklists/boilerplate/web_*.txt) opens or closes it, covers
  much of it or occurs twice in it; a short line repeated in the page (menus come twice); a menu
  or breadcrumb (three or more short segments between | · » > / - or tabs); a short list item;
- short: under `length_low` (CJK characters count `cjk_weight` each, as they carry more);
- good / neargood / bad by the share of function words (space-separated languages) or Chinese
  function characters (的 了 是 在 ...): running prose is dense in them, link text is not.
Then in context (jusText's rules): a short heading just before good text is near-good; a short
line between good lines is good, between bad ones bad; near-good lines next to good text are
good. A page in which no line is good is left unchanged, so the page rules judge it whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import regex

from cleaner.resources import load_phrases, pin_resource, resolve_resource
from cleaner.stages.base import Normaliser
from cleaner.stages.charsets import latin1_view
from cleaner.stages.registry import register
from cleaner.text.script import HAN_RUNS, count_chars

BAD, SHORT, NEARGOOD, GOOD = 0, 1, 2, 3
#: Runs of lines by class, in the bytes of a page's classes: near-good lines, short lines, and
#: short or near-good lines (those the context decides).
_NEARGOOD_RUNS = re.compile(rb"\x02+")
_SHORT_RUNS = re.compile(rb"\x01+")
_UNDECIDED_RUNS = re.compile(rb"[\x01\x02]+")

#: Words of Latin-script languages (stdlib `re`: plain ranges run about twice as fast there).
_LATIN_WORDS = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:'[A-Za-z]+)?")
#: The Latin-1 bytes of `_LATIN_WORDS` (its letters and the apostrophe) kept, every other byte to a
#: space: a line whose letters are all Latin-1 is then split in C into runs that each hold whole
#: words, and a run without an apostrophe is one word (about three times as fast as `findall`).
_NOT_IN_WORDS = bytes(c for c in range(256) if c != ord("'") and not _LATIN_WORDS.match(chr(c)))
_WORD_RUNS = bytes.maketrans(_NOT_IN_WORDS, b" " * len(_NOT_IN_WORDS))
#: The letters of `_LATIN_WORDS` beyond Latin-1, which the byte view above would lose.
_BEYOND_LATIN1_LETTERS = re.compile(r"[\u0100-\u024f]")
#: A letter that starts a word of `_LATIN_WORDS`: after the end of a word, the next word is there.
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD_CHARS = regex.compile(r"[\p{L}\p{N}]")
#: Menu and breadcrumb separators; spaces only between two Han characters (raw Chinese menus:
#: `首页 新闻 体育`), tried first, since the symbol branch's leading spaces are possessive and would
#: leave them no space to match. Never tried from inside a run of spaces: it would fail again at
#: the run's end, once per space.
_SEPARATORS = regex.compile(
    r"(?:(?<![ \t])|(?![ \t]))"
    r"(?:(?<=\p{Han})[ \u00a0\u3000]++(?=\p{Han})|[ \t]*+(?:[|｜│¦•·▪»›«‹>/\\\t]|(?<= )[-–—](?= ))[ \t]*+)"
)
#: The characters every separator holds one of (stdlib `re`, one character a match): a symbol, a
#: dash after a space, or a non-ASCII character before a space (the Han branch). Separators do not
#: overlap, so a line of n of them is at most n + 1 segments: most lines thereby have too few or
#: too long segments for a menu, and skip the costlier split. On ASCII lines `_ascii_marks` counts
#: the same characters with `str.count`.
_NOT_ASCII_MARKS = bytes(c for c in range(128) if chr(c) not in "|>/\\\t")
_SEPARATOR_MARKS = re.compile(r"[|｜│¦•·▪»›«‹>/\\\t]|[-–—](?<= .)|[^\x00-\x7f](?=[ \u00a0\u3000])")
#: A bullet, or a short bracketed tag opening a headline link ([头条], 【推荐】). This and `_TERMINAL`
#: use only literal classes, so stdlib `re` matches alike, at half the cost per call of `regex`.
_LIST_ITEM = re.compile(r"[ \t]*+(?:[•·▪●○◦►▶■□◆◇★☆※→»›]|[-*+] |[\[【][^\]】]{1,4}[\]】])")
#: A line that ends a sentence, before closing quotes or brackets and a bracketed byline (（新华社记者摄）).
_TERMINAL = re.compile(r"[。！？!?.…][\"'”’」』）)\]]*+(?:[（(][^（）()]{1,16}[）)])?[ \t]*+$")
#: A teaser or name cut short: "..." or a single "…" at the end (a Chinese "……" ends sentences),
#: maybe before a time or date (forum lists: `用户名... 16:09`).
_TRUNCATED = regex.compile(r"(?:\.{3,}+|(?<!…)…|。。。)[ \t\]】）)]*+(?:[\d:/-]{3,}+[ \t]*+)?$")
#: Cheap necessary conditions, plain `str` tests that spare most lines a regex call: the first
#: character of a stripped line `_LIST_ITEM` matches, the last one of a line `_TERMINAL` matches
#: (a stripped line ends in no space), and the marks `_TRUNCATED` needs (one of them holds "…").
_LIST_ITEM_FIRST = frozenset("•·▪●○◦►▶■□◆◇★☆※→»›-*+[【")
_TERMINAL_LAST = frozenset("。！？!?.…\"'”’」』）)]")
#: A stripped line ending in one of `_TERMINAL`'s marks is a sentence without a regex call.
_SENTENCE_MARKS = frozenset("。！？!?.…")
#: Sentence ends inside a line: Chinese marks, or . ! ? before a space or the line end.
_SENTENCE_ENDS = regex.compile(r"[。！？]|[.!?](?=\s|$)")


def _default_patterns() -> list[str]:
    return ["blacklists/boilerplate/web_zh.txt", "blacklists/boilerplate/web_en.txt"]


def _default_stop_words() -> list[str]:
    return ["blacklists/boilerplate/web_stopwords.txt"]


def _default_function_chars() -> list[str]:
    return ["blacklists/boilerplate/web_function_chars_zh.txt"]


@register
@dataclass
class BoilerplateLines(Normaliser):
    """Drop the navigation, share, related-link and footer lines of a web page; keep its article.

    Lengths are characters with a CJK character counting `cjk_weight` (jusText's 70/200 character
    bounds then fit Chinese lines of ~23/67 characters). Density thresholds: `stopwords_low/high`
    for lines of space-separated words (share of words in `stop_word_lists`), `function_chars_low/
    high` for Chinese lines (share of Han characters in `function_char_lists`). A listed pattern
    cuts only lines shorter than `max_pattern_length`; phrases of at most `short_phrase_chars`
    characters (or one word) only lines of at most `short_line_chars`. `max_heading_distance`:
    how much text (weighted characters) may stand between a heading and the good text it keeps.
    A long line of middling density is good when it holds `min_sentences` sentence ends (formal
    Chinese prose is poorer in function characters), and so are two or more consecutive near-good
    lines longer than `length_high` together (one-sentence paragraphs). Texts of fewer than
    `min_lines` non-blank lines are left alone: they are extracts or posts, not whole pages.
    """

    name = "boilerplate_lines"

    pattern_lists: list[str] = field(default_factory=_default_patterns)
    stop_word_lists: list[str] = field(default_factory=_default_stop_words)
    function_char_lists: list[str] = field(default_factory=_default_function_chars)
    length_low: int = 70
    length_high: int = 200
    cjk_weight: float = 3.0
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32
    function_chars_low: float = 0.10
    function_chars_high: float = 0.16
    max_pattern_length: int = 200
    short_phrase_chars: int = 2
    short_line_chars: int = 24
    min_pattern_coverage: float = 0.3
    max_menu_segment: float = 24.0
    max_heading_distance: int = 40
    min_sentences: int = 2
    min_lines: int = 5

    def resolve(self, recipe_dir: Path) -> None:
        if not 0 < self.length_low <= self.length_high:
            raise ValueError("length_low: must be > 0 and <= length_high")
        if self.cjk_weight <= 0:
            raise ValueError("cjk_weight: must be > 0")
        for low, high, key in (
            (self.stopwords_low, self.stopwords_high, "stopwords_low"),
            (self.function_chars_low, self.function_chars_high, "function_chars_low"),
        ):
            if not 0.0 <= low <= high <= 1.0:
                raise ValueError(f"{key}: must be in [0, 1] and not above its _high")
        if not 0.0 < self.min_pattern_coverage <= 1.0:
            raise ValueError("min_pattern_coverage: must be in (0, 1]")
        for key in ("pattern_lists", "stop_word_lists", "function_char_lists"):
            try:
                setattr(self, key, [pin_resource(name, recipe_dir) for name in getattr(self, key)])
            except ValueError as err:
                raise ValueError(f"{key}: {err}") from None

    def __post_init__(self) -> None:
        self._automaton: ahocorasick.Automaton | None = None
        self._lines_removed = 0
        self._lines_kept = 0
        self._docs_changed = 0

    def setup(self) -> None:
        automaton, ascii_automaton = ahocorasick.Automaton(), ahocorasick.Automaton()
        for name in self.pattern_lists:
            for phrase in load_phrases(resolve_resource(name)):
                phrase = phrase.lower()
                automaton.add_word(phrase, phrase)
                if phrase.isascii():
                    ascii_automaton.add_word(phrase, phrase)
        for built in (automaton, ascii_automaton):
            if len(built):
                built.make_automaton()
        self._automaton = automaton
        #: The ASCII phrases, the only ones an ASCII line can hold: without the Chinese ones the
        #: automaton scans English lines about three times as fast.
        self._ascii_automaton = ascii_automaton
        self._stop_words = frozenset(
            word.lower()
            for name in self.stop_word_lists
            for line in load_phrases(resolve_resource(name))
            for word in line.split()
        )
        chars = {c for name in self.function_char_lists for line in load_phrases(resolve_resource(name)) for c in line}
        chars = {c for c in chars if HAN_RUNS.fullmatch(c)}
        self._function_chars = re.compile("[" + "".join(sorted(chars)) + "]") if chars else None

    def _pattern_hit(self, lowered: str, length: float) -> bool:
        """A listed phrase opens or closes the (lower-cased) line, covers much of it, or two phrases occur."""
        if length >= self.max_pattern_length:
            return False
        # Most lines hold no phrase: the automaton's list is empty and the filter below is not run.
        found = list((self._ascii_automaton if lowered.isascii() else self._automaton).iter(lowered))
        if not found:
            return False
        short_line = length <= self.short_line_chars
        hits = [
            (end + 1 - len(phrase), end + 1, phrase)
            for end, phrase in found
            if (short_line or len(phrase) > self.short_phrase_chars and (" " in phrase or not phrase.isascii()))
            and _bounded(lowered, end + 1 - len(phrase), end + 1, phrase)
        ]
        if not hits:
            return False
        first = _WORD_CHARS.search(lowered)
        lead = first.start() if first else 0
        tail = len(lowered.rstrip(" \t:：.。!！?？…>»|"))
        if any(start <= lead or end >= tail for start, end, _ in hits):
            return True
        covered = sum(end - start for start, end, _ in hits)
        letters = len(_WORD_CHARS.findall(lowered))
        return len({phrase for _, _, phrase in hits}) >= 2 or covered >= self.min_pattern_coverage * max(1, letters)

    def _density(self, text: str, lowered: str, han: int) -> tuple[float, bool]:
        """(function-word or function-character share, is a Chinese line) of a line, its lower-cased
        text and its Han count; in a Chinese line every Han character counts as a word."""
        words = _latin_words(lowered)
        if han and han >= len(words):
            found = len(self._function_chars.findall(text)) if self._function_chars else 0
            return found / han, True
        if not words:
            return 0.0, False
        return sum(map(self._stop_words.__contains__, words)) / len(words), False

    def _menu(self, text: str, length: float) -> bool:
        """Three or more segments between separators, shorter than `max_menu_segment` on average.
        The split runs only when the separator marks allow as many segments."""
        marks = _ascii_marks(text) if text.isascii() else len(_SEPARATOR_MARKS.findall(text))
        if marks < 2 or length / (marks + 1) >= self.max_menu_segment:
            return False
        segments = [s for s in _SEPARATORS.split(text) if s.strip()]
        return len(segments) >= 3 and length / len(segments) < self.max_menu_segment

    def _classify(self, text: str, raw: str, repeated: bool) -> tuple[float, int, bool]:
        """(weighted length, context-free class, may be a heading) of one line, stripped and raw.
        The tests that make a line bad come first, cheapest first, and its density only after them."""
        han = 0 if text.isascii() else count_chars(HAN_RUNS, text)
        length = len(text) + (self.cjk_weight - 1) * han
        if length < self.length_high and (repeated or text[0] in _LIST_ITEM_FIRST and _LIST_ITEM.match(raw)):
            return length, BAD, False
        if (
            length < 2 * self.length_high
            and ("…" in text or "..." in text or "。。。" in text)
            and _TRUNCATED.search(text, max(0, len(text) - 24))
        ):
            return length, BAD, False
        lowered = text.lower()
        if self._pattern_hit(lowered, length):
            return length, BAD, False
        sentence = text[-1] in _SENTENCE_MARKS or (
            text[-1] in _TERMINAL_LAST and bool(_TERMINAL.search(text, max(0, len(text) - 40)))
        )
        if not sentence and self._menu(text, length):
            return length, BAD, False
        if length < self.length_low:
            # A short line's density decides nothing: it may head good text if it holds two words
            # (Han characters count one each, as in `_density`).
            return length, SHORT, not sentence and (han >= 2 or _two_words(lowered))
        density, chinese = self._density(text, lowered, han)
        low, high = (
            (self.function_chars_low, self.function_chars_high)
            if chinese
            else (self.stopwords_low, self.stopwords_high)
        )
        if density >= high:
            return length, GOOD if length > self.length_high else NEARGOOD, False
        # One long Chinese sentence with clauses (a news brief's only paragraph) is prose whatever
        # its density: formal Chinese is poor in function characters.
        clauses = sentence and chinese and length > self.length_high and "，" in text
        if density >= low:
            several = length > self.length_high and len(_SENTENCE_ENDS.findall(text)) >= self.min_sentences
            return length, GOOD if several or clauses else NEARGOOD, False
        if clauses:
            return length, GOOD, False
        return length, NEARGOOD if sentence and (chinese or density >= low / 2) else BAD, False

    def classify(self, text: str) -> list[tuple[str, bool]]:
        """Every line of `text` with whether it is kept (blank lines: False)."""
        raw = text.split("\n")
        kept = self._kept(raw, [line.strip() for line in raw])
        return [(line, index in kept) for index, line in enumerate(raw)]

    def _kept(self, raw: list[str], stripped: list[str]) -> set[int]:
        """The indices of the kept lines, from the raw and the stripped lines (split once, for
        `normalise` and `classify` alike). The non-blank lines are held as parallel lists (their
        indices, weighted lengths and classes) and the positions of the possible headings. ASCII
        lines shorter than `length_low` can be neither good nor near-good, so they cannot make a
        page hold good text: they are classed last, and only on a page that does (48% of the
        English corpus pages do not, and 89% of their lines are such lines)."""
        if self._automaton is None:
            self.setup()
        counts = Counter(stripped)
        indices = [index for index, line in enumerate(stripped) if line]
        #: Until the lines classed last are: short, with no length (neither near-good nor good, as
        #: they will be, and `_promote_runs` adds the lengths of near-good lines only).
        lengths = [0.0] * len(indices)
        classes = [SHORT] * len(indices)
        headings: list[int] = []
        #: The weighted length of each line met so far: a line met again is bad, not classed again.
        seen: dict[str, float] = {}
        later: list[int] = []

        def judge(positions: Iterable[int], defer: bool) -> None:
            """Class the lines at these positions among the non-blank lines; with `defer`, put off
            the short ASCII lines into `later`."""
            for position in positions:
                index = indices[position]
                line = stripped[index]
                if line in seen:
                    lengths[position], classes[position] = seen[line], BAD
                elif defer and len(line) < self.length_low and line.isascii():
                    later.append(position)
                else:
                    lengths[position], classes[position], heading = self._classify(line, raw[index], counts[line] > 1)
                    seen[line] = lengths[position]
                    if heading:
                        headings.append(position)

        judge(range(len(indices)), True)
        _promote_runs(classes, lengths, self.length_high)
        if GOOD not in classes:
            return set()  # the context rules make a line good only next to good text
        judge(later, False)
        headings.sort()  # in page order, as `_revise` takes them
        _revise(classes, lengths, headings, self.max_heading_distance)
        return {index for index, klass in zip(indices, classes) if klass == GOOD}

    def normalise(self, text: str) -> str:
        if "\n" not in text:
            return text
        raw = text.split("\n")
        stripped = [line.strip() for line in raw]
        total = len(stripped) - stripped.count("")
        if total < self.min_lines:
            return text
        kept = self._kept(raw, stripped)
        if not kept or len(kept) == total:
            return text
        self._docs_changed += 1
        self._lines_kept += len(kept)
        self._lines_removed += total - len(kept)
        pieces, gap = [], False
        for index, line in enumerate(raw):
            if index in kept:
                if pieces:
                    pieces.append("\n\n" if gap else "\n")
                pieces.append(line)
                gap = False
            elif not stripped[index]:
                gap = True
        return "".join(pieces)

    def counters(self) -> dict[str, Any]:
        """Pages changed and lines removed or kept on them, since the last call."""
        result = {
            "docs_changed": self._docs_changed,
            "lines_removed": self._lines_removed,
            "lines_kept": self._lines_kept,
        }
        self._docs_changed = self._lines_removed = self._lines_kept = 0
        return result


def _latin_words(lowered: str) -> list[str]:
    """`_LATIN_WORDS.findall(lowered)`, from the runs of `_WORD_RUNS` when every letter is Latin-1."""
    if not lowered.isascii() and _BEYOND_LATIN1_LETTERS.search(lowered):
        return _LATIN_WORDS.findall(lowered)
    runs = latin1_view(lowered).translate(_WORD_RUNS).decode("latin-1").split()
    if "'" not in lowered:
        return runs
    return [word for run in runs for word in (_LATIN_WORDS.findall(run) if "'" in run else (run,))]


def _ascii_marks(text: str) -> int:
    """`_SEPARATOR_MARKS`' count on an ASCII line, where it finds | > / \\ tabs and dashes after a
    space: the bytes left when all others are deleted, and the spaced dashes."""
    return len(text.encode().translate(None, _NOT_ASCII_MARKS)) + text.count(" -")


def _two_words(text: str) -> bool:
    """`text` holds two words of `_LATIN_WORDS` (two searches, no list of the words)."""
    first = _LATIN_WORDS.search(text)
    return first is not None and _LATIN_LETTER.search(text, first.end()) is not None


def _bounded(text: str, start: int, end: int, phrase: str) -> bool:
    """A phrase starting or ending with a Latin letter must not sit inside a longer word."""
    if phrase[0].isascii() and phrase[0].isalpha() and start > 0 and text[start - 1].isalpha():
        return False
    return not (phrase[-1].isascii() and phrase[-1].isalpha() and end < len(text) and text[end].isalpha())


def _promote_runs(classes: list[int], lengths: list[float], length_high: int) -> None:
    """Consecutive near-good lines longer than `length_high` together are good: news sites set
    one sentence per paragraph, so no single line of the article reaches the bound."""
    for run in _NEARGOOD_RUNS.finditer(bytes(classes)):
        start, end = run.span()
        if end - start >= 2 and sum(lengths[start:end]) > length_high:
            classes[start:end] = [GOOD] * (end - start)


def _revise(classes: list[int], lengths: list[float], headings: list[int], max_heading_distance: int) -> None:
    """jusText's context-sensitive pass, in linear time, on runs of lines (the classes as bytes):
    the lines of a run of short and near-good lines have the same nearest good or bad neighbours,
    the lines on either side of the run, and a run of short lines has the same nearest good, bad
    or near-good neighbours, the lines on either side of it. The page edge counts as bad."""
    for i in headings:
        if classes[i] == SHORT and _good_follows(classes, lengths, i, max_heading_distance):
            classes[i] = NEARGOOD
    before = bytes(classes)
    for run in _UNDECIDED_RUNS.finditer(before):
        strict_before, strict_after = _sides(before, *run.span())
        for shorts in _SHORT_RUNS.finditer(before, *run.span()):
            start, end = shorts.span()
            if strict_before == strict_after:
                klass = strict_before
            else:
                near_before, near_after = _sides(before, start, end)
                good = (strict_before == BAD and near_before == NEARGOOD) or (
                    strict_after == BAD and near_after == NEARGOOD
                )
                klass = GOOD if good else BAD
            classes[start:end] = [klass] * (end - start)
    before = bytes(classes)
    for run in _NEARGOOD_RUNS.finditer(before):
        start, end = run.span()
        klass = BAD if _sides(before, start, end) == (BAD, BAD) else GOOD
        classes[start:end] = [klass] * (end - start)
    for i in headings:
        if classes[i] == BAD and _good_follows(classes, lengths, i, max_heading_distance):
            classes[i] = GOOD


def _sides(classes: bytes, start: int, end: int) -> tuple[int, int]:
    """The classes of the lines just before `start` and at `end`, BAD past the page edge."""
    return classes[start - 1] if start else BAD, classes[end] if end < len(classes) else BAD


def _good_follows(classes: list[int], lengths: list[float], i: int, max_distance: int) -> bool:
    """Good text begins within `max_distance` weighted characters after line i."""
    distance = 0.0
    for j in range(i + 1, len(classes)):
        if classes[j] == GOOD:
            return True
        distance += lengths[j]
        if distance > max_distance:
            return False
    return False
