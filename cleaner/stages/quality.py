"""Quality score: the probability, from a fastText classifier, that a document is high quality.

The default model `cleaner/data/quality_default.ftz` is built by scripts/build_quality_model.py
(its docstring states the provenance of the training text); `cleaner train-quality` trains
others. Text goes through `cleaner.text.quality_features.featurise`, the function used in training.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cleaner.document import Document, Rejection
from cleaner.resources import resolve_resource
from cleaner.stages.base import Annotator, tag_columns, write_tags
from cleaner.stages.registry import register
from cleaner.text.fasttext_model import load_model
from cleaner.text.quality_features import score_texts

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "data" / "quality_default.ftz"


@register
@dataclass
class QualityScore(Annotator):
    """Column `quality_score`; with `mode: filter` rejects `quality_low` below `threshold`; with
    `mode: tag` keeps the document and adds `<label>__would_reject` (the score is its measure),
    as a filter's tag mode does."""

    name = "quality_score"
    columns = {"quality_score": "double"}

    #: Path to a model from `cleaner train-quality`; default: the shipped quality_default.ftz.
    model: str | None = None
    mode: Literal["score", "filter", "tag"] = "score"
    threshold: float = 0.5

    def resolve(self, recipe_dir: Path) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold: must be within 0..1, got {self.threshold}")
        if self.model is None:
            if not DEFAULT_MODEL.is_file():
                raise ValueError(
                    f"model: the default quality model {DEFAULT_MODEL} is missing; "
                    "rebuild it with scripts/build_quality_model.py or name one with `model:`"
                )
            self.model = str(DEFAULT_MODEL)
            return
        try:
            self.model = str(resolve_resource(self.model, recipe_dir))
        except ValueError as err:
            raise ValueError(f"model: {err}") from None

    def setup(self) -> None:
        self._model = load_model(Path(self.model) if self.model else DEFAULT_MODEL)

    def score(self, text: str) -> float:
        return score_texts(self._model, [text])[0]

    def output_columns(self) -> dict[str, str]:
        return {**self.columns, **tag_columns(self.label, ())} if self.mode == "tag" else dict(self.columns)

    def process(self, doc: Document) -> Rejection | None:
        score = self.score(doc.text)
        doc.annotations["quality_score"] = round(score, 4)
        if self.mode == "tag":
            write_tags(doc, self.label, {}, score < self.threshold)
        elif self.mode == "filter" and score < self.threshold:
            return Rejection("quality_low", f"{score:.3f} < {self.threshold}")
        return None
