"""Candidate edges of the dedup phase, one hash partition at a time: documents whose band hashes
or exact hashes collide.

Why partitions: the index entries of a large corpus (bands x 12 bytes + 20 bytes per document,
more while sorted) do not fit one process's memory budget. A partition holds only the entries whose
key's top bits select it (partitions.py) and finds all collisions of those keys, so the merged
edges do not depend on the number of partitions; merging sorts and deduplicates them, so they do
not depend on the order in which partitions finish either.

With one partition the index is built straight from the unit files. With several, each unit's
entries are first spilled to disk already split by partition (`spill_task`, one per unit), then
each partition reads only its own spill files (`partition_task`): every entry is read, written and
read again once, whatever the number of partitions. Both steps read the ranks from a file in the
phase's work folder, so they run in any process that sees that folder: in the driver one after
another (local executor) or as Ray tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.dedup.params import DedupParams
from cleaner.dedup.partitions import in_partition, partition_count, partition_of
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
    #: Where `spill_task` wrote the entries split by partition; None: read the unit files directly.
    spill_dir: Path | None = None


@dataclass(frozen=True)
class SpillTask:
    unit: Unit
    params: DedupParams
    ranks_file: Path
    partitions: int
    spill_dir: Path


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


def _unit_entries(
    unit: Unit, ranks: np.ndarray, params: DedupParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(band keys, their ranks, exact keys (n, 2), their ranks) of one unit's taking-part documents."""
    bands, _ = params.lsh
    unit_ranks = np.asarray(ranks[unit.start : unit.start + unit.rows])
    keep = unit_ranks != NO_RANK
    unit_ranks = unit_ranks[keep]
    band_keys, band_docs = np.zeros(0, np.uint64), np.zeros(0, np.uint32)
    exact_keys, exact_docs = np.zeros((0, 2), np.uint64), np.zeros(0, np.uint32)
    if params.near:
        band_keys = read_bands(unit.path, bands)[keep].ravel()
        band_docs = np.repeat(unit_ranks, bands)
    if params.exact:
        exact_keys, exact_docs = read_exact(unit.path)[keep], unit_ranks
    return band_keys, band_docs, exact_keys, exact_docs


def _edges(keys: list[np.ndarray], docs: list[np.ndarray], width: int) -> Edges:
    """Collision edges of the collected entries; the pieces are freed before sorting (the budget
    counts one copy of the entries plus the sort's working arrays)."""
    if not keys:
        return np.zeros(0, np.uint32), np.zeros(0, np.uint32)
    all_keys, all_docs = np.concatenate(keys).reshape(-1, width), np.concatenate(docs)
    keys.clear()
    docs.clear()
    return _unique_pairs(*_collision_edges(all_keys, all_docs))


def partition_edges(
    units: Sequence[Unit], ranks: np.ndarray, params: DedupParams, partition: int, partitions: int
) -> PartitionEdges:
    """Band and exact-hash collision edges among the index entries of `partition` (of `partitions`),
    read from the unit files. `ranks` (may be a memmap) gives each global position's rank,
    NO_RANK for documents left out."""
    band_keys, band_docs, exact_keys, exact_docs = [], [], [], []
    for unit in units:
        bk, bd, ek, ed = _unit_entries(unit, ranks, params)
        mine = in_partition(bk, partition, partitions)
        band_keys.append(bk[mine])
        band_docs.append(bd[mine])
        mine = in_partition(ek[:, 0], partition, partitions)
        exact_keys.append(ek[mine])
        exact_docs.append(ed[mine])
    entries = sum(len(d) for d in band_docs) + sum(len(d) for d in exact_docs)
    return PartitionEdges(_edges(band_keys, band_docs, 1), _edges(exact_keys, exact_docs, 2), entries)


def _split(keys: np.ndarray, docs: np.ndarray, partition: np.ndarray, count: int) -> list[tuple]:
    """(keys, docs) of each partition, by one stable sort instead of one mask per partition."""
    order = np.argsort(partition, kind="stable")
    bounds = np.searchsorted(partition[order], np.arange(count + 1))
    keys, docs = keys[order], docs[order]
    return [(keys[bounds[p] : bounds[p + 1]], docs[bounds[p] : bounds[p + 1]]) for p in range(count)]


def spill_task(task: SpillTask) -> int:
    """Write one unit's entries split by partition to `<spill_dir>/<partition>/<unit>.npz`;
    return how many entries it wrote."""
    ranks = np.load(task.ranks_file, mmap_mode="r")
    bk, bd, ek, ed = _unit_entries(task.unit, ranks, task.params)
    count = task.partitions
    band_parts = _split(bk, bd, partition_of(bk, count), count)
    exact_parts = _split(ek, ed, partition_of(ek[:, 0], count), count)
    for p, ((band_keys, band_docs), (exact_keys, exact_docs)) in enumerate(zip(band_parts, exact_parts)):
        if len(band_docs) or len(exact_docs):
            folder = task.spill_dir / f"{p:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            np.savez(
                folder / f"{task.unit.name}.npz",
                band_keys=band_keys,
                band_docs=band_docs,
                exact_keys=exact_keys,
                exact_docs=exact_docs,
            )
    return len(bd) + len(ed)


def _spilled_edges(folder: Path) -> PartitionEdges:
    """Collision edges of one partition from its spill files (the order of files does not matter)."""
    band_keys, band_docs, exact_keys, exact_docs = [], [], [], []
    for path in sorted(folder.glob("*.npz")) if folder.is_dir() else []:
        with np.load(path) as spilled:
            band_keys.append(spilled["band_keys"])
            band_docs.append(spilled["band_docs"])
            exact_keys.append(spilled["exact_keys"])
            exact_docs.append(spilled["exact_docs"])
    entries = sum(len(d) for d in band_docs) + sum(len(d) for d in exact_docs)
    return PartitionEdges(_edges(band_keys, band_docs, 1), _edges(exact_keys, exact_docs, 2), entries)


def partition_task(task: PartitionTask) -> PartitionEdges:
    """The edges of a task's partition: from its spill files, or from the unit files with the
    ranks memory-mapped (each unit reads only its slice)."""
    if task.spill_dir is not None:
        return _spilled_edges(task.spill_dir / f"{task.partition:05d}")
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
