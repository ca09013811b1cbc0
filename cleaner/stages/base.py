"""The stage interface: one small object per step, built from its recipe entry.

A stage class is a dataclass whose fields are its recipe parameters (with their types and
defaults), so the recipe validator and the documentation read the same declaration. Three kinds:

- `Normaliser`: returns new text; the engine counts the characters it removed.
- `Filter`: keeps a document or rejects it with a reason and the measured value.
- `Annotator`: adds fields (language, scores) that become output columns; a `RejectingAnnotator`
  may also reject.

A filter (or a rejecting annotator) with `mode: tag` rejects nothing: it writes its measured values
and whether it would have rejected to columns `<label>__<measure>` and `<label>__would_reject`, so
thresholds can be tuned from the output without rerunning (dolma's attributes). Columns are
declared before the run by `output_columns`, from the stage's recipe label (`bind`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from cleaner.document import Document, Rejection

#: What a filter does with a document that fails it: reject it, or keep it and record the verdict.
Mode = Literal["reject", "tag"]


@dataclass
class Stage:
    """Base class. Subclasses set `name` (the recipe key) and `kind`, and implement `process`."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""

    def validate(self) -> None:
        """Check parameter combinations; raise ValueError("key: why")."""

    def resolve(self, recipe_dir: Path) -> None:
        """For stages that name files: find them (beside the recipe, then in the shipped data),
        pin the found paths into the parameters, and check the parameters that go with them."""

    def setup(self) -> None:
        """Load heavy resources (models, automata) once per worker, after validation."""

    def process(self, doc: Document) -> Rejection | None:
        raise NotImplementedError

    def counters(self) -> dict[str, Any]:
        """What this stage counted itself in this worker (e.g. blacklist hits by category), for the stats."""
        return {}

    @property
    def label(self) -> str:
        """The recipe label (`length_filter`, `length_filter#2`, `route/chinese/length_filter`): it
        names the stage's stats row, its rejections' `stage` and its tag columns."""
        return self.__dict__.get("_label", self.name)

    def bind(self, label: str) -> None:
        """Give the stage its recipe label once built (the label is not a recipe parameter)."""
        self.__dict__["_label"] = label

    def output_columns(self) -> dict[str, str]:
        """Columns this stage adds to the output, with their Arrow type names, declared before the run."""
        return {}


@dataclass
class Normaliser(Stage):
    kind: ClassVar[str] = "normaliser"

    def normalise(self, text: str) -> str:
        raise NotImplementedError

    def process(self, doc: Document) -> Rejection | None:
        doc.text = self.normalise(doc.text)
        return None


def tag_columns(label: str, measures: tuple[str, ...]) -> dict[str, str]:
    """The columns of a stage in tag mode: one double per measure, then the would-reject flag."""
    return {**{f"{label}__{name}": "double" for name in measures}, f"{label}__would_reject": "bool"}


def write_tags(doc: Document, label: str, values: dict[str, float], would_reject: bool) -> None:
    doc.annotations.update({f"{label}__{name}": float(value) for name, value in values.items()})
    doc.annotations[f"{label}__would_reject"] = would_reject


@dataclass
class Filter(Stage):
    kind: ClassVar[str] = "filter"

    #: `tag`: keep every document and write the measured values and the verdict to columns.
    mode: Mode = field(default="reject", kw_only=True)

    def check(self, doc: Document) -> Rejection | None:
        raise NotImplementedError

    def measure_names(self) -> tuple[str, ...]:
        """The measures `measure` reports (with these parameters): `<label>__<name>` columns in tag mode."""
        return ()

    def measure(self, doc: Document) -> tuple[dict[str, float], Rejection | None]:
        """Every measured value (named as in `measure_names`) and the rejection `check` would give."""
        return {}, self.check(doc)

    def process(self, doc: Document) -> Rejection | None:
        if self.mode == "reject":
            return self.check(doc)
        values, rejection = self.measure(doc)
        write_tags(doc, self.label, values, rejection is not None)
        return None

    def output_columns(self) -> dict[str, str]:
        return tag_columns(self.label, self.measure_names()) if self.mode == "tag" else {}


@dataclass
class Annotator(Stage):
    kind: ClassVar[str] = "annotator"

    #: Output columns this annotator adds, with their Arrow type names ("string", "double", ...).
    columns: ClassVar[dict[str, str]] = {}

    def output_columns(self) -> dict[str, str]:
        return dict(self.columns)


@dataclass
class RejectingAnnotator(Annotator):
    """An annotator that may also reject (a language not allowed, a blacklisted page): in `mode: tag`
    it keeps the document and adds `<label>__would_reject` beside its own columns (which hold what
    it measured), as a filter's tag mode does."""

    mode: Mode = field(default="reject", kw_only=True)

    def judge(self, doc: Document) -> Rejection | None:
        """Annotate `doc` and return the rejection it deserves, if any."""
        raise NotImplementedError

    def process(self, doc: Document) -> Rejection | None:
        rejection = self.judge(doc)
        if self.mode == "reject":
            return rejection
        write_tags(doc, self.label, {}, rejection is not None)
        return None

    def output_columns(self) -> dict[str, str]:
        return {**self.columns, **tag_columns(self.label, ())} if self.mode == "tag" else dict(self.columns)


def validate_stage(stage: Stage, recipe_dir: Path) -> None:
    """Everything a recipe checks of one stage before any worker starts."""
    stage.resolve(recipe_dir)
    stage.validate()


def apply_stage(stage: Stage, doc: Document) -> Rejection | None:
    """Run one stage on `doc`: its own rejection, or `empty_after_normalise` when a normaliser left
    only whitespace. The one place that rule lives: the runner, a route's branches and `explain`."""
    before = len(doc.text)
    rejection = stage.process(doc)
    # isspace, not strip: strip copies a text that has whitespace at an edge (1 in 12 stage inputs).
    if rejection is None and isinstance(stage, Normaliser) and (not doc.text or doc.text.isspace()):
        return Rejection("empty_after_normalise", f"{before} chars before")
    return rejection
