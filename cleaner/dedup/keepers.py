"""Who keeps and who goes, given verified duplicate pairs between documents numbered by rank
(node 0 is the best keeper candidate).

Two rules (`DedupParams.clustering`):

- "union_find": connected components; every member goes except the component's best. Transitive:
  in a chain A~B~C, C goes as a duplicate of A even when A and C are not alike, which on templated
  text (court rulings) removes pairs far below the threshold (bench/dedup_eval.py).
- "greedy" (default): in rank order, a document is kept unless a verified pair links it to an
  already kept document, so every removed document is itself verified similar to its keeper.
  Decided in vectorised rounds: an open document with a kept better-ranked neighbour goes (to the
  best one kept so far); one whose better-ranked neighbours are all decided and none kept stays.
  Each round decides at least the best open document; in practice a handful of rounds.

Both return keeper[i] == i for kept documents. `protected` documents (an earlier run's) always stay.
"""

from __future__ import annotations

import numpy as np

from cleaner.dedup.components import components


def union_find_keepers(n_nodes: int, a: np.ndarray, b: np.ndarray, protected: np.ndarray) -> np.ndarray:
    root = components(n_nodes, a, b)
    return np.where(protected, np.arange(n_nodes), root)


def greedy_keepers(n_nodes: int, a: np.ndarray, b: np.ndarray, protected: np.ndarray) -> np.ndarray:
    better, worse = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    keep = better != worse
    better, worse = better[keep], worse[keep]
    open_, kept = np.ones(n_nodes, dtype=bool), np.zeros(n_nodes, dtype=bool)
    open_[protected], kept[protected] = False, True
    keeper = np.arange(n_nodes, dtype=np.int64)
    while open_.any():
        pending = open_[worse]
        better, worse = better[pending], worse[pending]
        best_kept = np.full(n_nodes, n_nodes, dtype=np.int64)
        by_kept = kept[better]
        np.minimum.at(best_kept, worse[by_kept], better[by_kept])
        waiting = np.zeros(n_nodes, dtype=bool)
        waiting[worse[open_[better]]] = True
        goes = open_ & (best_kept < n_nodes)
        stays = open_ & ~goes & ~waiting
        keeper[goes] = best_kept[goes]
        kept |= stays
        open_ &= ~(goes | stays)
    return keeper
