"""The one record type every stage sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleaner.stages.views import TextViews


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
    #: What rules derived from `text`, for the next rule (stages/views.py); not part of the record.
    views: TextViews | None = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a stage dropped a document: a stable `reason` to count, a human `detail` to read."""

    reason: str
    detail: str = ""
