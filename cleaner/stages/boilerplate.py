"""Boilerplate sentences at the head and tail of a document (关注公众号, 责任编辑, 本书由…整理)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import ahocorasick
import regex

from cleaner.resources import load_phrases, pin_resource, resolve_resource
from cleaner.stages.base import Normaliser
from cleaner.stages.registry import register

#: A sentence with its closing marks and the line break after it; a bare run of newlines too.
_SENTENCE = regex.compile(r"[^。！？!?\n]+[。！？!?…]*[”’」』）)]*\n*|\n+")
_WORD_CHARS = regex.compile(r"[\p{L}\p{N}]")


def _covered(spans: list[tuple[int, int]]) -> int:
    """Characters inside the union of half-open spans."""
    total, reach = 0, 0
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def _wechat_default() -> list[str]:
    return ["blacklists/boilerplate/wechat.txt"]


@register
@dataclass
class TrimBoilerplate(Normaliser):
    """Scan sentences from the start and from the end; drop the boilerplate ones.

    Sentences end at 。！？!? or a newline, so a title line is judged apart from the body. A
    sentence is boilerplate when a listed phrase opens it as a label, i.e. followed by a
    non-letter (`原标题：…`, `审判员　…`), or listed phrases cover at least `min_coverage` of its
    characters (`扫描或长按二维码加关注：`); a phrase inside a real sentence (`给快递小哥点个赞`,
    `客服电话超难打`) does not cut it. A phrase of at most `short_phrase_chars` characters (分享,
    编辑, 谢谢) only counts when the sentence holds at most `short_sentence_chars` letters and
    digits (`谢谢！`), so it never cuts real text (`十分享受。`). A sentence longer than
    `max_sentence_chars` is never cut. A scan stops after `max_misses` consecutive sentences that
    are not boilerplate; those it passed are kept (the old trimmer cut all before its last hit).
    """

    name = "trim_boilerplate"

    phrase_lists: list[str] = field(default_factory=_wechat_default)
    phrases: list[str] = field(default_factory=list)
    max_misses: int = 5
    direction: Literal["both", "head", "tail"] = "both"
    short_phrase_chars: int = 2
    short_sentence_chars: int = 3
    max_sentence_chars: int = 150
    min_coverage: float = 0.4

    def resolve(self, recipe_dir: Path) -> None:
        if self.max_misses < 1:
            raise ValueError("max_misses: must be >= 1")
        if not 0.0 < self.min_coverage <= 1.0:
            raise ValueError("min_coverage: must be in (0, 1]")
        if self.max_sentence_chars <= self.short_sentence_chars:
            raise ValueError("max_sentence_chars: must exceed short_sentence_chars")
        try:
            self.phrase_lists = [pin_resource(name, recipe_dir) for name in self.phrase_lists]
        except ValueError as err:
            raise ValueError(f"phrase_lists: {err}") from None
        if not self.phrase_lists and not self.phrases:
            raise ValueError("phrases: give phrase_lists or phrases")

    def __post_init__(self) -> None:
        self._automaton: ahocorasick.Automaton | None = None

    def setup(self) -> None:
        automaton = ahocorasick.Automaton()
        listed = [p for name in self.phrase_lists for p in load_phrases(resolve_resource(name))]
        for phrase in [*listed, *self.phrases]:
            automaton.add_word(phrase, len(phrase))
        automaton.make_automaton()
        self._automaton = automaton

    def _is_boilerplate(self, sentence: str) -> bool:
        text = sentence.strip()
        if not text or len(text) > self.max_sentence_chars:
            return False
        hits = list(self._automaton.iter(text))
        if not hits:  # most sentences: no phrase, so nothing covered
            return False
        first_word = _WORD_CHARS.search(text)
        lead = first_word.start() if first_word else 0
        short_sentence = None
        spans = []
        for end, length in hits:
            if length <= self.short_phrase_chars:
                if short_sentence is None:
                    short_sentence = len(_WORD_CHARS.findall(text)) <= self.short_sentence_chars
                if short_sentence:
                    return True
            elif end - length + 1 <= lead and not _WORD_CHARS.match(text, end + 1):
                return True  # a label opening the sentence: 原标题：…, 客服电话400…, 审判员　…
            else:
                spans.append((end - length + 1, end + 1))
        return _covered(spans) >= self.min_coverage * len("".join(text.split()))

    def _hits(self, sentences: Iterable[tuple[int, regex.Match[str]]], verdicts: dict[int, bool]) -> set[int]:
        """Indices of the boilerplate sentences one scan meets before `max_misses` misses in a row.

        `verdicts` holds each sentence's verdict for the other scan: a text of a few sentences is
        scanned whole from both ends, and judging one again costs a second phrase search.
        """
        hits, misses = set(), 0
        for index, match in sentences:
            sentence = match.group(0)
            boilerplate = verdicts.get(index)
            if boilerplate is None:
                boilerplate = verdicts[index] = self._is_boilerplate(sentence)
            if boilerplate:
                hits.add(index)
                misses = 0
            elif sentence.strip():
                misses += 1
                if misses >= self.max_misses:
                    break
        return hits

    def normalise(self, text: str) -> str:
        if self._automaton is None:
            self.setup()
        if len(self._automaton) == 0:
            return text
        sentences = list(enumerate(_SENTENCE.finditer(text)))
        cut: set[int] = set()
        verdicts: dict[int, bool] = {}
        if self.direction in ("both", "head"):
            cut |= self._hits(sentences, verdicts)
        if self.direction in ("both", "tail"):
            cut |= self._hits(reversed(sentences), verdicts)
        if not cut:
            return text
        pieces, done = [], 0
        for index in sorted(cut):
            match = sentences[index][1]
            pieces.append(text[done : match.start()])
            done = match.end()
        pieces.append(text[done:])
        return "".join(pieces)
