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

Both give keeper[i] == i for kept documents. `protected` documents (an earlier run's) always stay.

The global phase decides greedy keepers one rank range at a time (sweep.py): a document's fate
and the round it is decided in depend only on better-ranked documents, so a range only needs
those two facts for the better documents of earlier ranges (`fixed_round`, `fixed_kept`), and
replaying the rounds with them gives exactly the decisions of one run over the whole graph.
Union-find components are found with large-star / small-star rounds (stars.py).
"""

from __future__ import annotations

import numpy as np

#: decided[i] of a protected document: before the first round.
PROTECTED_ROUND = 0


def greedy_rounds(
    n_nodes: int,
    a: np.ndarray,
    b: np.ndarray,
    protected: np.ndarray,
    fixed_round: np.ndarray | None = None,
    fixed_kept: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(keeper, round each node was decided in) of the greedy rule. Nodes with fixed_round >= 0
    were decided elsewhere (in that round, kept when fixed_kept): they count as open until then,
    and only the others are decided here; every edge's worse node must be one of the others."""
    better, worse = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    keep = better != worse
    better, worse = better[keep], worse[keep]
    decided = np.full(n_nodes, -1, dtype=np.int64)
    kept = np.zeros(n_nodes, dtype=bool)
    if fixed_round is not None and fixed_kept is not None:
        known = fixed_round >= 0
        decided[known], kept[known] = fixed_round[known], fixed_kept[known]
    mine = decided < 0
    decided[protected & mine], kept[protected & mine] = PROTECTED_ROUND, True
    mine &= ~protected
    keeper = np.arange(n_nodes, dtype=np.int64)
    step = PROTECTED_ROUND
    while (decided[mine] < 0).any():
        step += 1
        open_ = (decided < 0) | (decided >= step)
        pending = open_[worse]
        better, worse = better[pending], worse[pending]
        best_kept = np.full(n_nodes, n_nodes, dtype=np.int64)
        by_kept = kept[better] & ~open_[better]
        np.minimum.at(best_kept, worse[by_kept], better[by_kept])
        waiting = np.zeros(n_nodes, dtype=bool)
        waiting[worse[open_[better]]] = True
        here = mine & open_
        goes = here & (best_kept < n_nodes)
        stays = here & ~goes & ~waiting
        keeper[goes] = best_kept[goes]
        kept |= stays
        decided[goes | stays] = step
    return keeper, decided


def greedy_keepers(n_nodes: int, a: np.ndarray, b: np.ndarray, protected: np.ndarray) -> np.ndarray:
    """keeper[i] of the greedy rule over the whole graph."""
    return greedy_rounds(n_nodes, a, b, protected)[0]
