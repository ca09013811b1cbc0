"""Connected components over an edge list, vectorised with numpy (union-find without a Python loop
per edge).

Each round hooks the larger root of every unresolved edge under the smaller one with
`np.minimum.at`, then compresses paths by pointer jumping until every node points at a root.
Labels only ever decrease, so every component ends labelled by its smallest node: callers number
nodes so that the smallest is the one they want as representative (the keeper).
"""

from __future__ import annotations

import numpy as np


def components(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """root[i] = smallest node connected to node i by edges (a[k], b[k])."""
    parent = np.arange(n_nodes, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        open_edges = ra != rb
        if not open_edges.any():
            break
        a, b, ra, rb = a[open_edges], b[open_edges], ra[open_edges], rb[open_edges]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent
