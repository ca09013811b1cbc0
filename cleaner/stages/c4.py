"""C4 rules (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
Text-to-Text Transformer", section 2.2), split into a line cleaner and a page filter.

C4 removes lines and then judges what is left, so `c4_lines` (a normaliser: its removals show in
the stats and in `cleaner explain`) must run before `c4_quality`. Both are for space-separated
languages; Chinese lines rarely end in ASCII punctuation and have no words to count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from cleaner.document import Document
from cleaner.stages.base import Normaliser
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register

_CITATION = regex.compile(r"\[\d*\]|\[edit\]|\[citation needed\]", regex.IGNORECASE)
_LOREM = regex.compile(r"lorem ipsum", regex.IGNORECASE)
#: Titles and abbreviations whose period is not a sentence end ("Dr. Tolkien", "e.g. this").
_ABBREVIATIONS = r"mr|mrs|ms|dr|prof|sr|jr|st|mt|gen|gov|sen|rep|rev|capt|lt|col|sgt|vs|cf|fig|vol|pp|etc|e\.g|i\.e"
#: A sentence end inside a line, as a sentence splitter (C4 used NLTK's punkt) finds one: terminal
#: marks attached to a word (spaced dots ". . ." end nothing), then closing quotes or brackets,
#: then spaces and more text on the line. A period ends a sentence unless it follows an initial,
#: a dotted abbreviation ("J. R. R. Tolkien", "U.S.") or a listed abbreviation; a run of periods
#: (an ellipsis) does not when the next word is lower-case ("Wait... we"). Possessive quantifiers
#: and bounded lookbehinds: linear in the text.
#:
#: One pattern per mark that opens the end, the marks after it as each takes them: `regex` finds
#: a literal in C but tries a class at every character (1.6x as fast on c4_quality's inputs). A
#: sentence end opens with a mark after neither a space nor a mark and ends before a space, so no
#: end starts inside another and the patterns' counts add up.
_SENTENCE_ENDS = {
    mark: regex.compile(rf"{regex.escape(mark)}(?<=[^\s.!?。！？].){after}[\"'”’)\]]*+(?=[^\S\n]++\S)")
    for mark, after in {
        # A period is the first of the marks before a ! or ?, the first of an ellipsis, or alone
        # (the look-behinds then see the word before it).
        ".": r"(?:\.*+[!?][.!?]*+|\.++(?![\"'”’)\]]*+[^\S\n]++\p{Ll})"
        rf"|(?<!(?<![^\s.])\p{{L}}\.)(?<!(?<![\w.])(?i:{_ABBREVIATIONS})\.))",
        "!": "[.!?]*+",
        "?": "[.!?]*+",
        "。": "[。！？]*+",
        "！": "[。！？]*+",
        "？": "[。！？]*+",
    }.items()
}
#: The characters other than ASCII ones that `regex` matches to an ASCII letter under IGNORECASE
#: (İ ſ K), and the only ones whose lower case holds an ASCII character (a test checks every code
#: point): in a text without them, an ASCII phrase matches case-insensitively exactly where the
#: lower-cased phrase is in the lower-cased text. Looked for one by one with `in`: 13x as fast as
#: a search for their class on the pages beyond ASCII.
_CASE_TWINS = ("\u0130", "\u017f", "\u212a")
#: A non-empty line: C4 counts the sentences of each line, so a line is at least one.
_LINE = regex.compile(r"\S[^\n]*+")

DEFAULT_POLICY_PHRASES = [
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
]


@register
@dataclass
class C4Lines(Normaliser):
    """C4's line rules: keep only lines ending in terminal punctuation (. ! ? ") with at least
    `min_words_per_line` words; drop lines mentioning "javascript" or a policy phrase, lines with
    a word longer than `max_word_length`, and lines ending in an ellipsis; remove Wikipedia
    citation marks ([1], [edit], [citation needed]). Defaults are the published ones; FineWeb
    kept the other rules but turned the terminal-punctuation rule off
    (`require_terminal_punctuation: false`).
    """

    name = "c4_lines"

    require_terminal_punctuation: bool = True
    terminal_punctuation: str = ".!?\"'"
    min_words_per_line: int = 3
    max_word_length: int = 1000
    drop_javascript_lines: bool = True
    policy_phrases: list[str] = field(default_factory=lambda: list(DEFAULT_POLICY_PHRASES))
    remove_citations: bool = True

    def validate(self) -> None:
        if not self.terminal_punctuation:
            raise ValueError("terminal_punctuation: must name at least one character")

    def __post_init__(self) -> None:
        phrases = [regex.escape(p) for p in self.policy_phrases]
        if self.drop_javascript_lines:
            phrases.append("javascript")
        self._banned = regex.compile("|".join(phrases), regex.IGNORECASE) if phrases else None
        banned = [*self.policy_phrases, "javascript"] if self.drop_javascript_lines else list(self.policy_phrases)
        #: The banned phrases lower-cased, when all are ASCII: the page-wide test of `_may_ban`.
        self._ascii_banned = [p.lower() for p in banned] if all(map(str.isascii, banned)) else None
        self._ascii_banned_bytes = [p.encode() for p in self._ascii_banned or ()]
        self._ends = tuple(self.terminal_punctuation)

    def _kept(self, lines: list[str], banned: regex.Pattern[str] | None) -> list[str]:
        """The stripped `lines` C4's rules keep; `banned` is None where no line of the page can hold
        a banned phrase. One pass per rule, the rules that cannot drop a line skipped (1.7x as fast
        as a call per line); words are only counted up to the minimum unless a word may be too long."""
        least, longest = self.min_words_per_line, self.max_word_length
        kept = [line for line in lines if len(line.split(None, least)) >= least]
        if self.require_terminal_punctuation:
            kept = [line for line in kept if line.endswith(self._ends) and not line.endswith("...")]
        if any(len(line) > longest for line in kept):
            kept = [line for line in kept if len(line) <= longest or max(map(len, line.split())) <= longest]
        if banned:
            kept = [line for line in kept if not banned.search(line)]
        return kept

    def _may_ban(self, text: str) -> bool:
        """Whether a banned phrase may be in `text`: one lower-casing and a substring test per
        phrase, about a fifth of the cost of the case-insensitive regex, which then runs per line
        only on the few pages that hold one. A text beyond ASCII is lower-cased as UTF-8 bytes,
        its ASCII letters only: no other character lower-cases to ASCII (case twins aside), and
        1.9x as fast as str.lower and the tests on the text."""
        if self._ascii_banned is None:
            return True
        if text.isascii():
            lowered = text.lower()
            return any(phrase in lowered for phrase in self._ascii_banned)
        if any(twin in text for twin in _CASE_TWINS):
            return True
        lowered_bytes = text.encode("utf-8", "surrogatepass").lower()
        return any(phrase in lowered_bytes for phrase in self._ascii_banned_bytes)

    def normalise(self, text: str) -> str:
        # Every citation mark opens with "[".
        if self.remove_citations and "[" in text:
            text = _CITATION.sub("", text)
        banned = self._banned if self._banned is not None and self._may_ban(text) else None
        return "\n".join(self._kept([line.strip() for line in text.split("\n")], banned))


@register
@dataclass
class C4Quality(MeasuredFilter):
    """C4's page rules: at least `min_sentences` sentences (5), no "lorem ipsum", no curly brace
    (code). Run after `c4_lines`, as C4 did. Sentences are counted per line, as C4 and datatrove
    do: every non-empty line is at least one, plus the sentence ends inside it. Initials, titles
    and spaced dots do not end a sentence: "Wait . . . . we will see what happens here. Dr. J. R.
    R. Tolkien wrote the book in Oxford." is two.
    """

    name = "c4_quality"

    min_sentences: int = 5
    reject_lorem_ipsum: bool = True
    reject_curly_braces: bool = True

    def measure_names(self) -> tuple[str, ...]:
        return ("lorem_ipsum", "curly_braces", "sentences")

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = doc.text
        if self.reject_lorem_ipsum:
            yield Measure("c4_lorem_ipsum", "lorem_ipsum", len(_LOREM.findall(text)), ">", 0)
        if self.reject_curly_braces:
            braces = text.count("{") + text.count("}")
            yield Measure("c4_curly_braces", "curly_braces", braces, ">", 0)
        ends = sum(len(pattern.findall(text)) for mark, pattern in _SENTENCE_ENDS.items() if mark in text)
        sentences = len(_LINE.findall(text)) + ends
        yield Measure("c4_too_few_sentences", "sentences", sentences, "<", self.min_sentences)
