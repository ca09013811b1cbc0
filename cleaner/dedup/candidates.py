"""Candidate edges of the dedup phase, one hash partition at a time: documents whose band hashes
or exact hashes collide.

Why partitions: the index entries of a large corpus (bands x 12 bytes + 20 bytes per document,
more while sorted) do not fit one process's memory budget. A partition holds only the entries whose
key's top bits select it (partitions.py) and finds all collisions of those keys, so the merged
edges do not depend on the number of partitions; merging sorts and deduplicates them, so they do
not depend on the order in which partitions finish either.

Each partition reads the band and exact columns of every unit file, one unit at a time, and the
ranks from a file in the phase's work folder, so `partition_task` runs in any process that sees
that folder: in the driver one partition after another (local executor) or as one Ray task per
partition. The price is one read of those columns per partition instead of a spill to disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.dedup.params import DedupParams
from cleaner.dedup.partitions import in_partition, partition_count
from cleaner.dedup.store import read_bands, read_exact

#: Working bytes per index entry while a partition is sorted (entry, sort order, gathered copies).
_BAND_ENTRY_BYTES, _EXACT_ENTRY_BYTES = 40, 56
#: Rank of a document that takes no part (an earlier run removed it); ranks are below 2**32 - 1.
NO_RANK = np.uint32(2**32 - 1)

Edges = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Unit:
    """A signature file and the global position of its first row."""

    path: Path
    name: str
    old: bool
    start: int
    rows: int


@dataclass(frozen=True)
class PartitionEdges:
    """Candidate edges (pairs of ranks, low < high, sorted, unique) of one partition."""

    near: Edges  # band collisions
    exact: Edges  # exact-hash collisions
    entries: int  # index entries the partition held


@dataclass(frozen=True)
class PartitionTask:
    units: tuple[Unit, ...]
    params: DedupParams
    ranks_file: Path  # .npy of ranks by global position (NO_RANK: takes no part)
    partition: int
    partitions: int


#: Runs a function over tasks and yields its results in any order (builtin `map`, or an executor).
Mapper = Callable[[Callable[[PartitionTask], PartitionEdges], Sequence[PartitionTask]], Iterable[PartitionEdges]]


def partitions_needed(documents: int, params: DedupParams) -> int:
    """Partitions whose index entries fit `params.memory_budget_mb` each."""
    bands, _ = params.lsh
    per_doc = (bands * _BAND_ENTRY_BYTES if params.near else 0) + (_EXACT_ENTRY_BYTES if params.exact else 0)
    return partition_count(documents, per_doc, int(params.memory_budget_mb * 2**20))


def _collision_edges(keys: np.ndarray, docs: np.ndarray) -> Edges:
    """Edges between documents with equal keys: per bucket, each member to the previous one and to
    the bucket's best-ranked member (a star plus a chain, so one odd member cannot cut a bucket
    apart at verification and no bucket costs more than two edges per member)."""
    order = np.argsort(keys[:, 0]) if keys.shape[1] == 1 else np.lexsort(keys.T[::-1])
    keys, docs = keys[order], docs[order]
    equal = np.zeros(len(docs), dtype=bool)
    equal[1:] = (keys[1:] == keys[:-1]).all(axis=1)
    if not equal.any():
        return np.zeros(0, np.uint32), np.zeros(0, np.uint32)
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
    return a, b


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> Edges:
    """Edges as (low, high) pairs, sorted and without repeats."""
    low, high = np.minimum(a, b).astype(np.uint64), np.maximum(a, b).astype(np.uint64)
    packed = np.unique((low << np.uint64(32)) | high)
    return (packed >> np.uint64(32)).astype(np.uint32), (packed & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def partition_edges(
    units: Sequence[Unit], ranks: np.ndarray, params: DedupParams, partition: int, partitions: int
) -> PartitionEdges:
    """Band and exact-hash collision edges among the index entries of `partition` (of `partitions`).
    `ranks` (may be a memmap) gives each global position's rank, NO_RANK for documents left out."""
    bands, _ = params.lsh
    band_keys, band_docs, exact_keys, exact_docs = [], [], [], []
    for unit in units:
        unit_ranks = np.asarray(ranks[unit.start : unit.start + unit.rows])
        keep = unit_ranks != NO_RANK
        unit_ranks = unit_ranks[keep]
        if params.near:
            keys = read_bands(unit.path, bands)[keep].ravel()
            mine = in_partition(keys, partition, partitions)
            band_keys.append(keys[mine])
            band_docs.append(unit_ranks[np.flatnonzero(mine) // bands])
        if params.exact:
            keys = read_exact(unit.path)[keep]
            mine = in_partition(keys[:, 0], partition, partitions)
            exact_keys.append(keys[mine])
            exact_docs.append(unit_ranks[mine])

    def edges(keys: list[np.ndarray], docs: list[np.ndarray], width: int) -> Edges:
        """Collision edges of the collected entries; the per-unit pieces are freed before sorting
        (the budget counts one copy of the entries plus the sort's working arrays)."""
        if not keys:
            return np.zeros(0, np.uint32), np.zeros(0, np.uint32)
        all_keys, all_docs = np.concatenate(keys).reshape(-1, width), np.concatenate(docs)
        keys.clear()
        docs.clear()
        return _unique_pairs(*_collision_edges(all_keys, all_docs))

    entries = sum(len(d) for d in band_docs) + sum(len(d) for d in exact_docs)
    return PartitionEdges(edges(band_keys, band_docs, 1), edges(exact_keys, exact_docs, 2), entries)


def partition_task(task: PartitionTask) -> PartitionEdges:
    """`partition_edges` of a task, with the ranks memory-mapped (each unit reads only its slice)."""
    ranks = np.load(task.ranks_file, mmap_mode="r")
    return partition_edges(task.units, ranks, task.params, task.partition, task.partitions)


def merged_edges(results: Iterable[PartitionEdges]) -> tuple[Edges, Edges, int]:
    """(near edges, exact edges, index entries) of all partitions, independent of their order."""
    near_a, near_b, exact_a, exact_b, entries = [], [], [], [], 0
    for result in results:
        near_a.append(result.near[0])
        near_b.append(result.near[1])
        exact_a.append(result.exact[0])
        exact_b.append(result.exact[1])
        entries += result.entries

    def joined(a: list[np.ndarray], b: list[np.ndarray]) -> Edges:
        if not a:
            return np.zeros(0, np.uint32), np.zeros(0, np.uint32)
        return _unique_pairs(np.concatenate(a), np.concatenate(b))

    return joined(near_a, near_b), joined(exact_a, exact_b), entries
