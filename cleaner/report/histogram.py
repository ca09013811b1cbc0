"""Fixed-edge histograms that add up batch by batch, so no column is ever held whole in memory.

A histogram serialises as a list of bins `{"lo": 0, "hi": 10, "count": 3}`: `lo` inclusive, `hi`
exclusive, the last bin open (`hi` null). Fixed edges make two runs' reports comparable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Document lengths in characters: roughly 1-2-5 steps, open above one million.
LENGTH_EDGES = [0, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000]
#: Dedup cluster sizes (documents per cluster, the keeper included).
CLUSTER_EDGES = [2, 3, 4, 5, 10, 20, 50, 100, 1_000]
#: A score in [0, 1] (quality, language confidence) in twenty equal bins, the last closed at 1.
UNIT_EDGES = [round(i / 20, 2) for i in range(21)]


class Histogram:
    """Counts of values per bin; `closed` makes the last edge the (inclusive) top instead of open."""

    def __init__(self, edges: list[float], closed: bool = False) -> None:
        self.edges = np.asarray(edges, dtype=np.float64)
        self.closed = closed
        self.counts = np.zeros(len(edges) - 1 if closed else len(edges), dtype=np.int64)

    def add(self, values: np.ndarray) -> None:
        values = values[~np.isnan(values)] if values.dtype.kind == "f" else values
        index = np.searchsorted(self.edges, values, side="right") - 1
        if self.closed:
            index = np.minimum(index, len(self.counts) - 1)
        index = index[(index >= 0) & (index < len(self.counts))]
        self.counts += np.bincount(index, minlength=len(self.counts))

    def to_json(self) -> list[dict[str, Any]]:
        edges = [_number(e) for e in self.edges]
        tops = edges[1:] if self.closed else [*edges[1:], None]
        return [{"lo": lo, "hi": hi, "count": int(n)} for lo, hi, n in zip(edges, tops, self.counts)]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def score_edges(low: float, high: float, bins: int = 20) -> list[float]:
    """Equal-width edges over [low, high]; the unit interval when the scores fit in it."""
    if low >= 0.0 and high <= 1.0:
        return UNIT_EDGES
    if high <= low:
        return [low, low + 1.0]
    return [float(x) for x in np.linspace(low, high, bins + 1)]
