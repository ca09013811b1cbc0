"""LSH bands x rows for a Jaccard threshold: datasketch's choice, without importing datasketch.

datasketch's `_optimal_param` tries every (bands, rows) with bands x rows <= num_perm and keeps the
first that minimises the weighted areas of false positives (the S-curve below the threshold) and
false negatives (above it), integrating each with scipy's `quad`. Importing datasketch imports
scipy.integrate, about 0.5 CPU s in the driver and again in every worker, more than a small run's
dedup. Both integrands are polynomials in s of degree bands x rows <= num_perm, so Gauss-Legendre
with num_perm // 2 + 1 nodes integrates them exactly, all pairs at once in numpy; the choice equals
datasketch's on a grid of thresholds, num_perm and weights (tests/dedup/test_banding.py).
"""

from __future__ import annotations

import numpy as np


def optimal_banding(
    threshold: float, num_perm: int, false_positive_weight: float, false_negative_weight: float
) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false-positive and false-negative areas at `threshold`."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    pairs = [(bands, rows) for bands in range(1, num_perm + 1) for rows in range(1, num_perm // bands + 1)]
    bands = np.array([b for b, _ in pairs], dtype=np.float64)[:, None]
    rows = np.array([r for _, r in pairs], dtype=np.float64)[:, None]
    below = threshold / 2 * (nodes + 1)  # nodes mapped from [-1, 1] onto [0, threshold]
    above = threshold + (1 - threshold) / 2 * (nodes + 1)  # onto [threshold, 1]
    false_positive = threshold / 2 * ((1 - (1 - below**rows) ** bands) @ weights)
    false_negative = (1 - threshold) / 2 * (((1 - above**rows) ** bands) @ weights)
    error = false_positive * false_positive_weight + false_negative * false_negative_weight
    return pairs[int(np.argmin(error))]  # argmin keeps the first minimum, as datasketch's strict "<"
