"""The stage interface: one small object per step, built from its recipe entry.

A stage class is a dataclass whose fields are its recipe parameters (with their types and
defaults), so the recipe validator and the documentation read the same declaration. Three kinds:

- `Normaliser`: returns new text; the engine counts the characters it removed.
- `Filter`: keeps a document or rejects it with a reason and the measured value.
- `Annotator`: adds fields (language, scores) that become output columns; may also reject.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from cleaner.document import Document, Rejection


@dataclass
class Stage:
    """Base class. Subclasses set `name` (the recipe key) and `kind`, and implement `process`."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""

    def validate(self, recipe_dir: Path) -> None:
        """Check parameter combinations and referenced files; raise ValueError("key: why")."""

    def setup(self) -> None:
        """Load heavy resources (models, automata) once per worker, after validation."""

    def process(self, doc: Document) -> Rejection | None:
        raise NotImplementedError

    def counters(self) -> dict[str, Any]:
        """What this stage counted itself in this worker (e.g. blacklist hits by category), for the stats."""
        return {}


@dataclass
class Normaliser(Stage):
    kind: ClassVar[str] = "normaliser"

    def normalise(self, text: str) -> str:
        raise NotImplementedError

    def process(self, doc: Document) -> Rejection | None:
        doc.text = self.normalise(doc.text)
        return None


@dataclass
class Filter(Stage):
    kind: ClassVar[str] = "filter"

    def check(self, doc: Document) -> Rejection | None:
        raise NotImplementedError

    def process(self, doc: Document) -> Rejection | None:
        return self.check(doc)


@dataclass
class Annotator(Stage):
    kind: ClassVar[str] = "annotator"

    #: Output columns this annotator adds, with their Arrow type names ("string", "double", ...).
    columns: ClassVar[dict[str, str]] = {}


def apply_stage(stage: Stage, doc: Document) -> Rejection | None:
    """Run one stage on `doc`: its own rejection, or `empty_after_normalise` when a normaliser left
    only whitespace. The one place that rule lives: the runner, a route's branches and `explain`."""
    before = len(doc.text)
    rejection = stage.process(doc)
    if rejection is None and isinstance(stage, Normaliser) and not doc.text.strip():
        return Rejection("empty_after_normalise", f"{before} chars before")
    return rejection
