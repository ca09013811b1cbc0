"""Keepers decided one rank range at a time, and the removed documents handed on by keeper block.

`GreedyTask` r runs after every range before it: it reads the verified and exact edges whose worse
document lies in range r, looks up the fate and decision round of their better documents in
earlier ranges (their `decided.npy`), replays the greedy rounds (keepers.greedy_rounds) and writes
the fate of its own documents. Ranges therefore run one after another; each holds only its edges.

`hand_on` is shared with the union-find labels (stars.py): the (keeper, removed) pairs of a range,
as positions, grouped by the position block of the keeper (`removed.npy`), which is where the
keeper's id, cluster id and cluster size are worked out (resolve.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.keepers import PROTECTED_ROUND, greedy_rounds
from cleaner.dedup.ranking import RankIndex
from cleaner.dedup.work import bins, bucket_of, load, save, save_buckets

#: decided[i] of a document with no better neighbour: kept in the first round.
_FIRST_ROUND = PROTECTED_ROUND + 1


def hand_on(folder: Path, documents: np.ndarray, keepers: np.ndarray, ranks: RankIndex, blocks: tuple[int, ...]) -> int:
    """Write the removed `documents` (ranks) and their `keepers` (ranks) by keeper block; their count."""
    pairs = np.stack([ranks.positions(keepers), ranks.positions(documents)], axis=1)
    bounds = np.array(blocks, np.uint64)
    save_buckets(folder / "removed.npy", pairs, bucket_of(pairs[:, 0], bounds), len(bounds) - 1)
    return len(documents)


@dataclass(frozen=True)
class GreedyTask:
    verified: Path  # this range's VerifyTask folder
    rank_range: int
    earlier: tuple[Path, ...]  # the GreedyTask folders of ranges 0 .. rank_range - 1
    ranks: RankIndex
    #: Ranks below this are an earlier run's documents (they rank first): protected.
    protected_below: int
    blocks: tuple[int, ...]
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        edges = np.concatenate([load(self.verified / "exact.npy"), load(self.verified / "near.npy")])
        nodes = np.unique(edges)
        ia, ib = np.searchsorted(nodes, edges[:, 0]), np.searchsorted(nodes, edges[:, 1])
        del edges
        protected = nodes < np.uint64(self.protected_below)
        fixed_round = np.full(len(nodes), -1, dtype=np.int64)
        fixed_kept = np.zeros(len(nodes), dtype=bool)
        outside = np.flatnonzero(nodes < np.uint64(self.ranks.offsets[self.rank_range]))
        fixed_round[outside] = np.where(protected[outside], PROTECTED_ROUND, _FIRST_ROUND)
        fixed_kept[outside] = True
        for q, idx in enumerate(bins(nodes[outside], self.ranks.bounds())):
            if len(idx) and q < self.rank_range:
                decided_nodes = load(self.earlier[q] / "nodes.npy", mmap=True)
                slot = np.searchsorted(decided_nodes, nodes[outside[idx]])
                found = slot < len(decided_nodes)
                found[found] = decided_nodes[slot[found]] == nodes[outside[idx[found]]]
                at, slot = outside[idx[found]], slot[found]
                fixed_round[at] = load(self.earlier[q] / "decided.npy", mmap=True)[slot]
                fixed_kept[at] = load(self.earlier[q] / "kept.npy", mmap=True)[slot]
        keeper, decided = greedy_rounds(len(nodes), ia, ib, protected, fixed_round, fixed_kept)
        local = fixed_round < 0
        save(folder / "nodes.npy", nodes[local])
        save(folder / "decided.npy", decided[local])
        save(folder / "kept.npy", (keeper == np.arange(len(nodes)))[local])
        gone = np.flatnonzero(local & (keeper != np.arange(len(nodes))))
        return {"removed": hand_on(folder, nodes[gone], nodes[keeper[gone]], self.ranks, self.blocks)}
