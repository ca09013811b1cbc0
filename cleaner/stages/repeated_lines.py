"""Corpus-level repeated lines (CCNet-style): remove the lines that occur in at least `min_docs`
documents of the run, or of the document's domain.

A line that recurs across many pages of one site is navigation, a footer, a share bar or a
copyright notice; no page-level rule can see that, because each page holds it once. The run's
`lines` pre-pass (cleaner/run/lines.py) counts, for every normalised line, the distinct documents
it occurs in and keeps the keys of the frequent ones; this stage, bound to that set in the clean
phase, removes those lines.

What is compared is a line's *key*: a 64-bit xxh3 hash of the line after lower-casing, every
digit -> 0 (full-width and other scripts' digits too) and whitespace collapsed, so "© 2019 BBC" and
"© 2024  BBC" are one line, as in CCNet's `normalize_for_dedup`; seeded with the document's scope
(its URL's host without `www.` with `per: domain`; one scope for documents without a URL, and for
every document with `per: run`). No NFKC: a line a site repeats is repeated byte for byte but for
its numbers, and with NFKC the keys of 18.7 MB of real zh/en text took 10.3 s instead of 1.5 s
(CJK text is rarely NFKC already: full-width punctuation). Two different lines share a key with
probability 2**-64 per pair (below 1e-9 for a billion distinct lines against a given one).

Documents are counted by their normalised content (a 32-bit hash): exact copies of a page count
once, so an article published twice on one site keeps its text for the document-level dedup to
choose a copy, instead of losing every line to this stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

import numpy as np
import xxhash

from cleaner.document import Document, Rejection
from cleaner.stages.base import Normaliser, Stage
from cleaner.stages.registry import register

_DIGIT = re.compile(r"\d")
_NO_SCOPE = xxhash.xxh3_64_intdigest(b"")


def normalised_lines(text: str) -> list[str]:
    """The text's lines (split on "\\n") as they are compared: lower case, digits -> 0, whitespace
    collapsed and stripped. No character's lower case holds a "\\n", so line i here is line i of
    the text."""
    return [" ".join(line.split()) for line in _DIGIT.sub("0", text.lower()).split("\n")]


def domain_of(url: object) -> str:
    """The host of a URL, lower case, without port and a leading `www.`; "" when there is none."""
    if not isinstance(url, str):
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


@register
@dataclass
class RepeatedLines(Normaliser):
    """Removes lines found in at least `min_docs` distinct documents of their scope by the run's
    `lines` pre-pass. Without a frequent set (outside a run: `cleaner explain`) it removes nothing."""

    name: ClassVar[str] = "remove_repeated_lines"

    #: A line goes when at least this many distinct documents of its scope hold it. 5: the lowest
    #: that changes no dev label of the web recipes (at 3 a nav-only page loses the duplicate lines
    #: that got it rejected; docs/rules.md).
    min_docs: int = 5
    #: "domain": lines are counted per URL host (documents without a URL share one scope); "run": over all documents.
    per: Literal["domain", "run"] = "domain"
    #: The record field that holds the page's URL (with `per: domain`).
    url_field: str = "url"
    #: Lines shorter than this after normalisation are neither counted nor removed.
    min_chars: int = 1
    #: Memory the pre-pass may use to add up one hash partition of the counts before it splits into more.
    memory_budget_mb: float = 1024.0

    def __post_init__(self) -> None:
        self._frequent: np.ndarray | None = None
        self._frequent_source = ""
        self._docs_changed = self._lines_removed = 0

    def validate(self) -> None:
        if self.min_docs < 2:
            raise ValueError("min_docs: must be >= 2 (every line occurs in at least one document)")
        if self.min_chars < 1:
            raise ValueError("min_chars: must be >= 1")
        if self.memory_budget_mb <= 0:
            raise ValueError("memory_budget_mb: must be > 0")

    def _seed(self, doc: Document) -> int:
        if self.per == "run":
            return _NO_SCOPE
        return xxhash.xxh3_64_intdigest(domain_of(doc.meta.get(self.url_field)).encode("utf-8"))

    def _line_keys(self, lines: list[str], seed: int) -> list[int | None]:
        """The key of each normalised line; None for a line too short to count."""
        shortest = self.min_chars
        return [
            xxhash.xxh3_64_intdigest(line.encode("utf-8"), seed) if len(line) >= shortest else None for line in lines
        ]

    def document_keys(self, doc: Document) -> tuple[set[int], int]:
        """What the pre-pass counts for one document: its distinct line keys, and the 32-bit hash of
        its normalised content (documents with equal content count once)."""
        lines = normalised_lines(doc.text)
        keys = {key for key in self._line_keys(lines, self._seed(doc)) if key is not None}
        return keys, xxhash.xxh3_64_intdigest("\n".join(lines).encode("utf-8")) & 0xFFFFFFFF

    def use_frequent(self, frequent: np.ndarray, source: str = "") -> None:
        """Remove the lines whose keys are in `frequent` (sorted uint64, possibly memory-mapped)."""
        self._frequent, self._frequent_source = frequent, source

    @property
    def frequent_source(self) -> str:
        """The file the frequent set was loaded from ("" when none or given in memory)."""
        return self._frequent_source

    def process(self, doc: Document) -> Rejection | None:
        frequent = self._frequent
        if frequent is None or not len(frequent):
            return None
        keys = self._line_keys(normalised_lines(doc.text), self._seed(doc))
        counted = [i for i, key in enumerate(keys) if key is not None]
        if not counted:
            return None
        probe = np.array([keys[i] for i in counted], dtype=np.uint64)
        at = np.searchsorted(frequent, probe)
        hit = at < len(frequent)
        hit[hit] = frequent[at[hit]] == probe[hit]
        if not hit.any():
            return None
        drop = {counted[i] for i in np.flatnonzero(hit).tolist()}
        doc.text = "\n".join(line for i, line in enumerate(doc.text.split("\n")) if i not in drop)
        self._docs_changed += 1
        self._lines_removed += len(drop)
        return None

    def counters(self) -> dict[str, Any]:
        """Documents changed and lines removed since the last call (characters are counted by the engine)."""
        result = {"docs_changed": self._docs_changed, "lines_removed": self._lines_removed}
        self._docs_changed = self._lines_removed = 0
        return result


def find_repeated_lines(stages: list[Stage]) -> tuple[int, RepeatedLines] | None:
    """The recipe's `remove_repeated_lines` stage and its position, or None."""
    return next(((i, stage) for i, stage in enumerate(stages) if isinstance(stage, RepeatedLines)), None)


def check_placement(entries: list[tuple[str, dict[str, Any]]]) -> None:
    """A recipe runs one pre-pass, for one top-level stage: refuse a second one, or one inside a
    route (whose branches the pre-pass does not run). `entries`: the validated (name, params) of
    the recipe's stages."""
    names = [name for name, _ in entries]
    nested = [
        sub_name
        for name, params in entries
        if name == "route"
        for branch in params["routes"].values()
        for entry in branch
        for sub_name in entry
    ]
    if names.count(RepeatedLines.name) > 1:
        raise ValueError(f"stages: {RepeatedLines.name} may appear once (one pre-pass per run)")
    if RepeatedLines.name in nested:
        raise ValueError(f"stages: {RepeatedLines.name} cannot be inside a route (the pre-pass counts top-level text)")


def bind_frequent_lines(stages: list[Stage], path: str) -> None:
    """Bind the recipe's `remove_repeated_lines` stage to the run's frequent-line file, memory-mapped
    (the workers of a machine share one copy in the page cache) and loaded once per process."""
    found = find_repeated_lines(stages)
    if found is None:
        return
    _, stage = found
    if not path:
        raise RuntimeError(f"{RepeatedLines.name}: the clean phase was given no frequent-line set")
    if stage.frequent_source != path:
        stage.use_frequent(np.load(path, mmap_mode="r"), path)
