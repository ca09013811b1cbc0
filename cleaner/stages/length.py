"""Minimum and maximum document length, in characters for CJK text and in words otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from cleaner.document import Document, Rejection
from cleaner.stages.base import Filter
from cleaner.stages.registry import register
from cleaner.stages.views import views
from cleaner.text.script import is_cjk

#: Languages whose text is not separated by spaces, so words cannot be counted by splitting.
UNSEGMENTED_LANGS = frozenset({"zh", "ja", "ko", "yue", "wuu", "th", "lo", "km", "my", "bo"})


@register
@dataclass
class LengthFilter(Filter):
    """Rejects `too_short` / `too_long`.

    A document is measured in characters when a language annotator said it is an unsegmented
    language, or, before language ID, when at least 30% of its non-space characters are CJK.
    """

    name = "length_filter"

    min_chars: int = 0
    max_chars: int | None = None
    min_words: int = 0
    max_words: int | None = None

    def validate(self) -> None:
        for low, high in (("min_chars", "max_chars"), ("min_words", "max_words")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo < 0:
                raise ValueError(f"{low}: must be >= 0")
            if hi is not None and hi < lo:
                raise ValueError(f"{high}: {hi} is below {low} {lo}")

    def measure_names(self) -> tuple[str, ...]:
        return ("chars", "words")

    def measure(self, doc: Document) -> tuple[dict[str, float], Rejection | None]:
        """The document's length in the one unit it is judged by (the other column stays null)."""
        lang = doc.annotations.get("lang")
        unsegmented = lang in UNSEGMENTED_LANGS if lang else is_cjk(doc.text)
        if unsegmented:
            size, unit, low, high = len(doc.text), "chars", self.min_chars, self.max_chars
        else:
            size, unit, low, high = len(views(doc).words), "words", self.min_words, self.max_words
        if size < low:
            return {unit: size}, Rejection("too_short", f"{size} {unit} < {low}")
        if high is not None and size > high:
            return {unit: size}, Rejection("too_long", f"{size} {unit} > {high}")
        return {unit: size}, None

    def check(self, doc: Document) -> Rejection | None:
        return self.measure(doc)[1]
