"""Filters that report every measured value, so `cleaner explain` can show kept documents too.

A `MeasuredFilter` yields one `Measure` per test (value, comparison, threshold); the document is
rejected by the first measure that fails. Generators let `check` stop at the first failure while
`explain` and tag mode (`measure`) read them all. A measure not yielded for a document (its rule
is off, or the document has nothing to measure) is a null in its tag column.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from cleaner.document import Document, Rejection
from cleaner.stages.base import Filter

Comparison = Literal["<", "<=", ">", ">="]

_OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(slots=True)
class Measure:
    """`name` measured `value`; the document fails when `value <reject_if> threshold`.

    `gate` is False when a second condition of a two-part rule (described in `note`) does not
    hold, so the measure cannot fail.

    Not frozen: one is built per test of every document (~11,000 per MB of mixed input), and a
    frozen dataclass sets each field through `object.__setattr__` (1.0 instead of 0.2 µs each).
    """

    reason: str
    name: str
    value: float
    reject_if: Comparison
    threshold: float
    note: str = ""
    gate: bool = True

    @property
    def failed(self) -> bool:
        return self.gate and _OPERATORS[self.reject_if](self.value, self.threshold)

    def detail(self) -> str:
        text = f"{self.name} {_number(self.value)} {self.reject_if} {_number(self.threshold)}"
        return f"{text} ({self.note})" if self.note else text

    def describe(self) -> str:
        """For explain: the value and the rule, whether or not it failed."""
        text = f"{self.name} {_number(self.value)} (rejects if {self.reject_if} {_number(self.threshold)})"
        return f"{text} ({self.note})" if self.note else text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


class MeasuredFilter(Filter):
    """Mixin base: subclasses implement `measures` and `measure_names`; `check` rejects on the first
    failing measure, `measure` (tag mode) reads them all."""

    def measures(self, doc: Document) -> Iterator[Measure]:
        raise NotImplementedError

    def check(self, doc: Document) -> Rejection | None:
        for measure in self.measures(doc):
            if measure.failed:
                return Rejection(measure.reason, measure.detail())
        return None

    def measure(self, doc: Document) -> tuple[dict[str, float], Rejection | None]:
        values: dict[str, float] = {}
        rejection = None
        for measure in self.measures(doc):
            values.setdefault(measure.name, measure.value)
            if rejection is None and measure.failed:
                rejection = Rejection(measure.reason, measure.detail())
        return values, rejection
