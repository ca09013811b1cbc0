"""How much running prose a page holds once its boilerplate is gone.

Word-count minimums (Gopher's 50 words) count every token that is left: headings, a name and an
affiliation, quoted taglines, a code line. A curator asks instead for a body of prose worth
training on ("roughly 400 characters of English prose"), which a page of captions, a homepage
with one paragraph or a list of quoted product blurbs does not have. For Chinese the curator's
bound is "roughly 100 CJK characters": counting every character lets a post of 90 Han characters
plus a quoted header, a signature or an ad's phone numbers pass, and rejects a fluent reply of 110.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cleaner.document import Document
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.stages.views import views
from cleaner.text.script import is_cjk

#: A sentence end: terminal marks on a word, then closing quotes or brackets, then a space or the line
#: end. Tried only where a run of marks starts (the lookbehind), so a line of dots is one try, not one per dot.
#: Stdlib `re`, 1.8x as fast as `regex` here: the pattern opens with the marks' class, so the engine
#: skips to the next mark in C, and the look-behind then sees the mark's word. Its `\s` (str.isspace)
#: is regex `\s` with the separators U+001C..U+001F (text/spaces.py), which are taken back out here.
_SENTENCE_END = re.compile(
    r"[.!?…。！？](?<=(?:[^\s.!?…。！？]|[\x1c-\x1f]).)[.!?…。！？]*+[\"'”’)\]]*+(?:[^\S\x1c-\x1f]|$)"
)


@register
@dataclass
class MinProse(MeasuredFilter):
    """Rejects `too_little_prose` when the characters of its prose lines are fewer than `min_chars`.
    A prose line ends a sentence, or runs on into a line that does (hard-wrapped mail and posts),
    and such a run holds at least `min_line_words` words; headings, names, taglines without a
    sentence end and menu remnants are not prose. Run after the boilerplate normalisers, so it
    judges the main text. For space-separated languages.
    """

    name = "min_prose"

    min_chars: int = 400
    min_line_words: int = 4

    def validate(self) -> None:
        if self.min_chars < 1:
            raise ValueError("min_chars: must be >= 1")
        if self.min_line_words < 1:
            raise ValueError("min_line_words: must be >= 1")

    def measure_names(self) -> tuple[str, ...]:
        return ("prose_chars",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        prose = _prose_lines(views(doc).stripped_lines, self.min_line_words)
        chars = sum(map(len, prose))
        note = f"{len(prose)} prose lines"
        yield Measure("too_little_prose", "prose_chars", chars, "<", self.min_chars, note)


@register
@dataclass
class MinHanChars(MeasuredFilter):
    """Rejects `too_short` when a Chinese text holds fewer than `min_han` Han characters: the
    length that matters is its words, not its digits, Latin letters, punctuation and markup. Texts
    that are not mostly CJK (as `length_filter` decides) are not judged; give them a word minimum.
    """

    name = "min_han_chars"

    min_han: int = 110

    def validate(self) -> None:
        if self.min_han < 1:
            raise ValueError("min_han: must be >= 1")

    def measure_names(self) -> tuple[str, ...]:
        return ("han_chars",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        if is_cjk(doc.text):
            yield Measure("too_short", "han_chars", views(doc).han_count, "<", self.min_han)


def _prose_lines(lines: list[str], min_words: int) -> list[str]:
    """Runs of lines that end a sentence, of `min_words` words or more together: a line that ends
    one, with the lines that run on into it (hard-wrapped text). A blank line, or a short line that
    ends nothing (a heading, a menu item), ends a run. Words are only compared with `min_words`,
    so a line's count stops there (at most `min_words` pieces split off, not every word)."""
    prose: list[str] = []
    run: list[str] = []
    words = 0
    for line in lines:
        count = len(line.split(None, min_words - 1))
        if _SENTENCE_END.search(line):
            if words + count >= min_words:
                prose.extend(run)
                prose.append(line)
            run, words = [], 0
        elif count >= min_words:
            run.append(line)
            words += count
        else:
            run, words = [], 0
    return prose
