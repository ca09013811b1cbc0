"""Views of a document's text that several rules take, each computed once per text.

A recipe's rules ask the same questions of one text: its code points, how many Han characters it
holds, its lines without surrounding whitespace, its whitespace-separated words, its lower case.
`views(doc)` computes each on first use and keeps it on the document, bound to the text object it
was computed from: a normaliser that assigns a new `doc.text` makes the next `views(doc)` start
afresh, so no rule ever sees a stale view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from cleaner.document import Document
from cleaner.stages.charsets import code_points, han
from cleaner.text.spaces import non_space_count

T = TypeVar("T")


class TextViews:
    """The views of one text; a property computes its view the first time it is read."""

    __slots__ = (
        "text",
        "_code_points",
        "_han_count",
        "_non_space_count",
        "_stripped_lines",
        "_nonempty_lines",
        "_lower",
        "_words",
        "_derived",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self._code_points: np.ndarray | None = None
        self._han_count: int | None = None
        self._non_space_count: int | None = None
        self._stripped_lines: list[str] | None = None
        self._nonempty_lines: list[str] | None = None
        self._lower: str | None = None
        self._words: list[str] | None = None
        self._derived: dict[Callable[[TextViews], Any], Any] | None = None

    @property
    def code_points(self) -> np.ndarray:
        """The text as uint32 code points (charsets.code_points)."""
        if self._code_points is None:
            self._code_points = code_points(self.text)
        return self._code_points

    @property
    def han_count(self) -> int:
        """Characters of Unicode script Han (regex `\\p{Han}`); ASCII text holds none."""
        if self._han_count is None:
            self._han_count = 0 if self.text.isascii() else han().count(self.code_points)
        return self._han_count

    @property
    def non_space_count(self) -> int:
        """Characters that are not whitespace as regex `\\s` sees it (text/spaces.py)."""
        if self._non_space_count is None:
            self._non_space_count = non_space_count(self.text)
        return self._non_space_count

    @property
    def stripped_lines(self) -> list[str]:
        """Every line (split at "\\n"), without the whitespace around it; empty lines included.
        Shared: a rule must not change the list."""
        if self._stripped_lines is None:
            self._stripped_lines = [line.strip() for line in self.text.split("\n")]
        return self._stripped_lines

    @property
    def nonempty_lines(self) -> list[str]:
        """The stripped lines that are not empty. Shared: a rule must not change the list."""
        if self._nonempty_lines is None:
            self._nonempty_lines = list(filter(None, self.stripped_lines))
        return self._nonempty_lines

    @property
    def words(self) -> list[str]:
        """`text.split()`: the whitespace-separated tokens, as Gopher's and FineWeb's rules count
        them. Shared: a rule must not change the list."""
        if self._words is None:
            self._words = self.text.split()
        return self._words

    @property
    def lower(self) -> str:
        """`text.lower()`."""
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    def derived(self, compute: Callable[[TextViews], T]) -> T:
        """`compute(self)`, computed once per text: a view that a few rules of one module share
        (the commerce rules' word cues), keyed by the function that computes it."""
        if self._derived is None:
            self._derived = {}
        if compute not in self._derived:
            self._derived[compute] = compute(self)
        return self._derived[compute]


def views(doc: Document) -> TextViews:
    """The views of the document's current text."""
    cached = doc.views
    if cached is None or cached.text is not doc.text:
        cached = doc.views = TextViews(doc.text)
    return cached
