"""An example user rule: reject documents with fewer than `min_digits` digits.

A recipe that lists this file under `plugins:` can use `min_digits` like a shipped stage (see
recipe.yaml beside it). A rule is a dataclass whose fields are its recipe parameters, registered
under the name recipes use; a `MeasuredFilter` yields what it measured (named in `measure_names`),
so `cleaner explain` shows the value for kept documents too and `mode: tag` can write it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cleaner.document import Document
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register


@register
@dataclass
class MinDigits(MeasuredFilter):
    """Rejects `too_few_digits`: for sources where useful pages carry numbers (prices, statistics)."""

    name = "min_digits"

    min_digits: int = 1

    def validate(self) -> None:
        if self.min_digits < 0:
            raise ValueError("min_digits: must be >= 0")

    def measure_names(self) -> tuple[str, ...]:
        return ("digits",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        digits = sum(map(str.isdigit, doc.text))  # in C: no Python loop per character
        yield Measure("too_few_digits", "digits", digits, "<", self.min_digits)
