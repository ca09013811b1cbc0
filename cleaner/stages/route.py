"""Route each document to a sub-list of stages chosen by its language or script.

One recipe can then clean mixed shards: Chinese rules for Chinese documents, Gopher/C4 for
English ones. Sub-stages are built through the registry from the same entries a recipe's
`stages:` list takes, and validated with the recipe.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from cleaner.config import build_dataclass
from cleaner.document import Document, Rejection
from cleaner.stages.base import Stage, apply_stage, validate_stage
from cleaner.stages.registry import STAGES, register, stage_entries, unknown_stage
from cleaner.text.script import (
    HAN_RUNS,
    HANGUL_RUNS,
    KANA_RUNS,
    LATIN_RUNS,
    LETTER_RUNS,
    NON_LATIN_LETTERS,
    count_chars,
    is_cjk,
)


def script_of(text: str) -> str:
    """The writing system of a document, for routing: chinese, japanese, korean, latin or other.

    CJK text (at least 30% CJK characters, as length_filter counts them) is "korean" when Hangul
    outnumbers Han, "japanese" when kana make up 10% of it, else "chinese"; other text is "latin"
    when most letters are Latin, else "other".

    Counting is skipped where a search decides the same: without kana or Hangul, CJK text is
    "chinese" as soon as it holds a Han character; text whose letters are all Latin (all ASCII
    text) is "latin" as soon as it holds a letter.
    """
    if is_cjk(text):
        kana, hangul = count_chars(KANA_RUNS, text), count_chars(HANGUL_RUNS, text)
        if not kana and not hangul:
            return "chinese" if HAN_RUNS.search(text) else "japanese"
        han = count_chars(HAN_RUNS, text)
        if hangul > han:
            return "korean"
        return "japanese" if kana >= 0.1 * (han + kana + hangul) else "chinese"
    if text.isascii() or not NON_LATIN_LETTERS.search(text):
        return "latin" if LETTER_RUNS.search(text) else "other"
    letters = count_chars(LETTER_RUNS, text)
    if letters and count_chars(LATIN_RUNS, text) >= letters / 2:
        return "latin"
    return "other"


@register
@dataclass
class Route(Stage):
    """Runs the stages listed under the document's route key, in order.

    The key is the `lang` annotation of an earlier `lang_id` stage when `routes` has it (zh, en,
    ...), else the script (chinese, japanese, korean, latin, other: see `script_of`), else
    "default". Documents matching no key are
    kept unchanged, or rejected as `unrouted` when `unmatched: reject`.

    Each rule inside a branch is labelled `<route label>/<key>/<name>` (`route/chinese/length_filter`,
    `#2` for a second one of a name in a branch): the runner counts it under that label in the
    stats, names it in a rejection's `stage`, and its tag columns carry it.
    """

    name = "route"
    kind: ClassVar[str] = "router"

    routes: dict[str, list[object]] = field(default_factory=dict)
    unmatched: Literal["keep", "reject"] = "keep"

    def __post_init__(self) -> None:
        self._routes: dict[str, list[tuple[str, Stage]]] = {}
        for key, raw in self.routes.items():
            built = []
            for i, (name, params) in enumerate(stage_entries(raw, f"routes.{key}")):
                where = f"routes.{key}[{i}].{name}"
                if name not in STAGES:
                    raise unknown_stage(name, where)
                built.append(build_dataclass(STAGES[name], params, where))
            self._routes[key] = [("", stage) for stage in built]
        self.bind(self.label)

    def bind(self, label: str) -> None:
        """Label the route, and every rule inside it under it (nested routes label theirs in turn)."""
        super().bind(label)
        for key, stages in self._routes.items():
            seen: dict[str, int] = {}
            for _, stage in stages:
                seen[stage.name] = seen.get(stage.name, 0) + 1
                count = seen[stage.name]
                stage.bind(f"{label}/{key}/{stage.name}" + (f"#{count}" if count > 1 else ""))
            self._routes[key] = [(stage.label, stage) for _, stage in stages]

    def branches(self) -> dict[str, list[Stage]]:
        """Each route key's stages in order, for the runner's per-rule counters and for declaring columns."""
        return {key: [stage for _, stage in stages] for key, stages in self._routes.items()}

    def output_columns(self) -> dict[str, str]:
        """The columns of the rules inside, branch by branch (a rule's first declaration wins)."""
        columns: dict[str, str] = {}
        for stages in self.branches().values():
            for stage in stages:
                for name, type_name in stage.output_columns().items():
                    columns.setdefault(name, type_name)
        return columns

    def resolve(self, recipe_dir: Path) -> None:
        """Validate every sub-stage, then record their validated parameters (resolved paths)
        in `routes`, so workers rebuild exactly what was validated."""
        if not self.routes:
            raise ValueError("routes: name at least one language or script")
        for key, stages in self._routes.items():
            for i, (_, stage) in enumerate(stages):
                try:
                    validate_stage(stage, recipe_dir)
                except ValueError as err:
                    raise ValueError(f"routes.{key}[{i}].{stage.name}.{err}") from None
            self.routes[key] = [{stage.name: dataclasses.asdict(stage)} for _, stage in stages]

    def setup(self) -> None:
        for stages in self._routes.values():
            for _, stage in stages:
                stage.setup()

    def select(self, doc: Document) -> tuple[str, list[tuple[str, Stage]]] | None:
        """The route key and its (label, stage) list for this document, or None."""
        lang = doc.annotations.get("lang")
        if lang in self._routes:  # the script is counted only when the language has no route
            return lang, self._routes[lang]
        for key in (script_of(doc.text), "default"):
            if key in self._routes:
                return key, self._routes[key]
        return None

    def unrouted(self, doc: Document) -> Rejection | None:
        """The verdict on a document no route takes."""
        return Rejection("unrouted", f"script {script_of(doc.text)}") if self.unmatched == "reject" else None

    def process(self, doc: Document) -> Rejection | None:
        """For callers outside the runner: the inner rule's label leads the detail."""
        chosen = self.select(doc)
        if chosen is None:
            return self.unrouted(doc)
        _, stages = chosen
        for label, stage in stages:
            rejection = apply_stage(stage, doc)
            if rejection is not None:
                return Rejection(rejection.reason, f"[{label}] {rejection.detail}")
        return None
