"""Candidate edges of the dedup phase, one hash partition at a time: documents whose band hashes
or exact hashes collide.

Why partitions: the index entries of a large corpus (bands x 16 bytes + 24 bytes per document,
more while sorted) do not fit one process's memory budget. A partition holds only the entries whose
key's top bits select it (partitions.py) and finds all collisions of those keys, so the union of
the partitions' edges does not depend on the number of partitions.

1. `SpillTask`, one per unit: looks up the ranks of the unit's documents (ranking.RankIndex) and
   writes its index entries grouped by partition (work.save_buckets).
2. `PartitionTask`, one per partition: reads its spill file of every unit, finds the collisions
   and writes them as (better rank, worse rank) pairs grouped by the rank range of the worse one
   (the range that will verify them and decide the worse document), plus the positions of the
   documents in band pairs grouped by position block (whose signatures verification needs). An edge
   found by several partitions is written by each; the range that reads them drops the repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.params import DedupParams
from cleaner.dedup.partitions import partition_count, partition_of
from cleaner.dedup.ranking import NO_RANK, RankIndex, Unit
from cleaner.dedup.store import read_bands, read_exact
from cleaner.dedup.work import bucket_of, load_bucket, save_buckets, unique_pairs

#: Working bytes per document in the largest step: a partition's band and exact entries while
#: sorted (entry, sort order, gathered copies), and about as much again for its edges.
_DOC_BYTES_PER_BAND, _DOC_BYTES_EXACT = 64, 80


def partitions_needed(documents: int, params: DedupParams) -> int:
    """Partitions (of the index, the ranks and the edges) whose work fits `params.memory_budget_mb`."""
    bands, _ = params.lsh
    per_doc = (bands * _DOC_BYTES_PER_BAND if params.near else 0) + _DOC_BYTES_EXACT
    return partition_count(documents, per_doc, int(params.memory_budget_mb * 2**20))


def collision_edges(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Edges (n, 2) between documents with equal keys: per bucket, each member to the previous one
    and to the bucket's best-ranked member (a star plus a chain, so one odd member cannot cut a
    bucket apart at verification and no bucket costs more than two edges per member). Each row is
    (better, worse); unique and sorted."""
    order = np.argsort(keys[:, 0]) if keys.shape[1] == 1 else np.lexsort(keys.T[::-1])
    keys, docs = keys[order], docs[order]
    equal = np.zeros(len(docs), dtype=bool)
    equal[1:] = (keys[1:] == keys[:-1]).all(axis=1)
    if not equal.any():
        return np.zeros((0, 2), np.uint64)
    member = equal.copy()
    member[:-1] |= equal[1:]
    keep = np.flatnonzero(member)
    docs, equal = docs[keep], equal[keep]
    bucket = np.cumsum(~equal)
    docs = docs[np.lexsort((docs, bucket))]
    position = np.arange(len(docs))
    first = np.maximum.accumulate(np.where(equal, 0, position))
    later = np.flatnonzero(equal)
    star = later[first[later] != later - 1]
    a = np.concatenate([docs[later - 1], docs[first[star]]])
    b = np.concatenate([docs[later], docs[star]])
    return unique_pairs(np.stack([a, b], axis=1).astype(np.uint64))


@dataclass(frozen=True)
class SpillTask:
    unit: Unit
    params: DedupParams
    ranks: RankIndex
    partitions: int
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        unit, params, count = self.unit, self.params, self.partitions
        ranks = self.ranks.unit_ranks(unit.start, unit.rows)
        keep = ranks != NO_RANK
        ranks = ranks[keep]
        bands, _ = params.lsh
        band_keys, band_docs = np.zeros(0, np.uint64), np.zeros(0, np.uint64)
        exact_keys, exact_docs = np.zeros((0, 2), np.uint64), np.zeros(0, np.uint64)
        if params.near:
            band_keys, band_docs = read_bands(unit.path, bands)[keep].ravel(), np.repeat(ranks, bands)
        if params.exact:
            exact_keys, exact_docs = read_exact(unit.path)[keep], ranks
        band_part, exact_part = partition_of(band_keys, count), partition_of(exact_keys[:, 0], count)
        save_buckets(folder / "band_keys.npy", band_keys, band_part, count)
        save_buckets(folder / "band_docs.npy", band_docs, band_part, count)
        save_buckets(folder / "exact_keys.npy", exact_keys, exact_part, count)
        save_buckets(folder / "exact_docs.npy", exact_docs, exact_part, count)
        return {"entries": len(band_docs) + len(exact_docs)}


@dataclass(frozen=True)
class PartitionTask:
    spills: tuple[Path, ...]  # every unit's SpillTask folder
    partition: int
    ranks: RankIndex
    #: First position of each block of units, then the end: where `involved<block>.npy` go (empty:
    #: nothing is verified, no signatures are needed).
    blocks: tuple[int, ...]
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        p = self.partition
        band_keys = [load_bucket(spill / "band_keys.npy", p) for spill in self.spills]
        band_docs = [load_bucket(spill / "band_docs.npy", p) for spill in self.spills]
        exact_keys = [load_bucket(spill / "exact_keys.npy", p) for spill in self.spills]
        exact_docs = [load_bucket(spill / "exact_docs.npy", p) for spill in self.spills]
        entries = sum(len(d) for d in band_docs) + sum(len(d) for d in exact_docs)
        near = _edges(band_keys, band_docs, 1)
        exact = _edges(exact_keys, exact_docs, 2)
        ranges = len(self.ranks.offsets) - 1
        for kind, edges in (("near", near), ("exact", exact)):
            save_buckets(folder / f"{kind}.npy", edges, self.ranks.range_of(edges[:, 1]), ranges)
        if self.blocks:
            involved = self.ranks.positions(np.unique(near))
            blocks = np.array(self.blocks, np.uint64)
            save_buckets(folder / "involved.npy", involved, bucket_of(involved, blocks), len(blocks) - 1)
        return {"entries": entries, "near": len(near), "exact": len(exact)}


def _edges(keys: list[np.ndarray], docs: list[np.ndarray], width: int) -> np.ndarray:
    """Collision edges of the collected entries; the pieces are freed before sorting (the budget
    counts one copy of the entries plus the sort's working arrays)."""
    if not keys:
        return np.zeros((0, 2), np.uint64)
    all_keys, all_docs = np.concatenate(keys).reshape(-1, width), np.concatenate(docs)
    keys.clear()
    docs.clear()
    return collision_edges(all_keys, all_docs)
