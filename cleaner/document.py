"""The one record type every stage sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Document:
    """A parsed input line.

    `meta` holds every input field other than the text and id fields, untouched, so it can be
    carried into the output. `annotations` holds what stages add (language, scores, ...), which
    become output columns.
    """

    id: str
    text: str
    source_file: str
    line: int
    meta: dict[str, Any]
    annotations: dict[str, Any] = field(default_factory=dict)
    #: What rules derived from `text`, for the next rule: a `stages.views.TextViews`, which only
    #: that module reads and writes (typed Any: the record type knows nothing of stages).
    views: Any = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a stage dropped a document: a stable `reason` to count, a human `detail` to read."""

    reason: str
    detail: str = ""
