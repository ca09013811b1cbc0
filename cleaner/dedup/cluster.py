"""The global dedup phase: band and exact-hash collisions -> verified edges -> clusters -> keepers.

Documents are numbered by keeper priority (their *rank*): documents of an earlier run first (they
are never removed), then highest quality_score (NaN lowest), longest text, smallest
(source_file, line). Every index entry carries the rank instead of a position, so the best
document of a group wins (keepers.py) and the result does not depend on how documents were split
into units or in which order units were listed.

Memory: the driver holds a few arrays per document (rank, keys while ranking) and the candidate
edges. The index entries (bands x 12 bytes + 20 bytes per document) are split by the top bits of
the hash into as many partitions as `memory_budget_mb` needs, each sorted by its own task
(candidates.py), in the driver one after another or as parallel Ray tasks. Signatures
(num_perm x 4 bytes) are read only for documents in candidate pairs.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import xxhash

from cleaner.dedup.candidates import (
    NO_RANK,
    Mapper,
    PartitionTask,
    SpillTask,
    Unit,
    merged_edges,
    partition_task,
    partitions_needed,
    spill_task,
)
from cleaner.dedup.components import components
from cleaner.dedup.keepers import greedy_keepers, union_find_keepers
from cleaner.dedup.params import DedupParams
from cleaner.dedup.removals import load_removals, write_removals
from cleaner.dedup.store import read_columns, read_signatures, unit_meta, unit_rows

#: Candidate pairs verified per numpy step.
_VERIFY_CHUNK = 1 << 16


def _catalogue(units: Sequence[Path], against: Sequence[Path], params: DedupParams) -> list[Unit]:
    """Old units then new units, each group sorted by unit name; checks parameters and names."""
    expected = params.signature_key()
    found: list[tuple[bool, str, Path]] = []
    seen: set[tuple[bool, str]] = set()
    for old, paths in ((True, against), (False, units)):
        for path in paths:
            meta = unit_meta(Path(path))
            if meta["params"] != expected:
                raise ValueError(
                    f"{path}: signatures made with {meta['params']}, this run uses {expected}; "
                    "rerun the clean phase (or dedup against a run made with the same dedup parameters)"
                )
            if (old, meta["unit"]) in seen:
                raise ValueError(f"{path}: unit {meta['unit']} listed twice")
            seen.add((old, meta["unit"]))
            found.append((old, meta["unit"], Path(path)))
    found.sort(key=lambda item: (not item[0], item[1]))
    catalogue, start = [], 0
    for old, name, path in found:
        rows = unit_rows(path)
        catalogue.append(Unit(path, name, old, start, rows))
        start += rows
    if start >= 2**32 - 1:
        raise ValueError(f"{start} documents: the index numbers documents with uint32")
    return catalogue


def _ranks(catalogue: list[Unit], against_removed: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """rank[global position] by keeper priority, and which positions take part (old docs that the
    earlier run removed do not)."""
    quality, length, line, source, old, active = [], [], [], [], [], []
    names: dict[str, int] = {}
    for unit in catalogue:
        table = read_columns(unit.path, ["row", "source_file", "line", "quality_score", "length"])
        encoded = table.column("source_file").combine_chunks().dictionary_encode()
        local = np.array([names.setdefault(s, len(names)) for s in encoded.dictionary.to_pylist()], dtype=np.int64)
        source.append(local[encoded.indices.to_numpy()] if len(local) else np.zeros(0, np.int64))
        quality.append(table.column("quality_score").to_numpy())
        length.append(table.column("length").to_numpy())
        line.append(table.column("line").to_numpy())
        old.append(np.full(unit.rows, unit.old))
        keep = np.ones(unit.rows, dtype=bool)
        if unit.old and against_removed is not None:
            removed = load_removals(against_removed, unit.name).column("row").to_numpy()
            keep[np.isin(table.column("row").to_numpy(), removed)] = False
        active.append(keep)
    order_of_name = np.empty(len(names), dtype=np.int64)
    order_of_name[np.argsort(np.array(list(names), dtype=object), kind="stable")] = np.arange(len(names))
    source_rank = order_of_name[np.concatenate(source)] if names else np.zeros(0, np.int64)
    q = np.concatenate(quality)
    q = np.where(np.isnan(q), np.inf, -q)  # highest first, NaN last
    order = np.lexsort((np.concatenate(line), source_rank, -np.concatenate(length), q, ~np.concatenate(old)))
    rank = np.empty(len(order), dtype=np.uint32)
    rank[order] = np.arange(len(order), dtype=np.uint32)
    return rank, np.concatenate(active)


def _estimated_jaccard(
    catalogue: list[Unit], rank: np.ndarray, a: np.ndarray, b: np.ndarray, params: DedupParams, work: Path
) -> np.ndarray:
    """Estimated Jaccard of each pair (a[k], b[k]) of ranks: the share of equal signature entries,
    capped by min(|A|, |B|) / max(|A|, |B|), an exact upper bound that removes the pairs of very
    different sizes whose estimate lands above the threshold by chance."""
    involved = np.unique(np.concatenate([a, b]))
    size = len(involved) * params.num_perm * 4
    if size > int(params.memory_budget_mb * 2**20):
        signatures = np.lib.format.open_memmap(
            work / "signatures.npy", mode="w+", dtype=np.uint32, shape=(len(involved), params.num_perm)
        )
    else:
        signatures = np.empty((len(involved), params.num_perm), dtype=np.uint32)
    sizes = np.empty(len(involved), dtype=np.float64)
    marked = np.zeros(len(rank), dtype=bool)
    marked[involved] = True
    for unit in catalogue:
        unit_ranks = rank[unit.start : unit.start + unit.rows]
        wanted = np.flatnonzero(marked[unit_ranks])
        if len(wanted):
            slots = np.searchsorted(involved, unit_ranks[wanted])
            signatures[slots], sizes[slots] = read_signatures(unit.path, params.num_perm, wanted)
    ia, ib = np.searchsorted(involved, a), np.searchsorted(involved, b)
    estimate = np.empty(len(a), dtype=np.float64)
    for lo in range(0, len(a), _VERIFY_CHUNK):
        hi = lo + _VERIFY_CHUNK
        estimate[lo:hi] = (signatures[ia[lo:hi]] == signatures[ib[lo:hi]]).mean(axis=1)
    bound = np.minimum(sizes[ia], sizes[ib]) / np.maximum(sizes[ia], sizes[ib])
    del signatures
    (work / "signatures.npy").unlink(missing_ok=True)
    return np.minimum(estimate, bound)


def _cluster_id(source_file: str, line: int) -> int:
    """Stable cluster name: a 63-bit hash of the keeper's (source_file, line)."""
    return xxhash.xxh3_64_intdigest(f"{source_file}\x00{line}".encode()) & (2**63 - 1)


@dataclass
class Pairs:
    """Duplicate pairs of a set of signature files, as pairs of ranks (see module docstring)."""

    catalogue: list[Unit]
    rank: np.ndarray  # rank[global position]
    active: np.ndarray  # global position takes part
    near: tuple[np.ndarray, np.ndarray]  # LSH pairs that passed verification (all, if verify is off)
    exact: tuple[np.ndarray, np.ndarray]
    info: dict[str, Any]

    def positions(self, ranks: np.ndarray) -> np.ndarray:
        """Global positions of documents given by rank."""
        by_rank = np.empty(len(self.rank), dtype=np.int64)
        by_rank[self.rank] = np.arange(len(self.rank))
        return by_rank[ranks]


def find_pairs(
    units: Sequence[Path],
    params: DedupParams,
    work: Path,
    against: Sequence[Path] = (),
    against_removed: Path | None = None,
    mapper: Mapper = map,
) -> Pairs:
    """Band-collision candidates verified by estimated Jaccard, and exact-hash pairs. `work` holds
    the ranks file the partitions read (so it must be visible to wherever `mapper` runs them)."""
    catalogue = _catalogue(units, against, params)
    rank, active = _ranks(catalogue, against_removed)
    ranks_file = work / "ranks.npy"
    np.save(ranks_file, np.where(active, rank, NO_RANK))
    count = partitions_needed(int(active.sum()), params)
    spill_dir = work / "spill" if count > 1 else None
    if spill_dir is not None:
        list(mapper(spill_task, [SpillTask(unit, params, ranks_file, count, spill_dir) for unit in catalogue]))
    tasks = [PartitionTask(tuple(catalogue), params, ranks_file, p, count, spill_dir) for p in range(count)]
    (near_a, near_b), exact, entries = merged_edges(mapper(partition_task, tasks))
    ranks_file.unlink()
    if spill_dir is not None:
        shutil.rmtree(spill_dir)
    info: dict[str, Any] = {"partitions": count, "index_entries": entries, "candidate_pairs": len(near_a)}
    if params.verify and len(near_a):
        estimate = _estimated_jaccard(catalogue, rank, near_a, near_b, params, work)
        good = estimate >= params.threshold + params.verify_offset
        near_a, near_b = near_a[good], near_b[good]
    return Pairs(catalogue, rank, active, (near_a, near_b), exact, info)


def run_dedup(
    units: Sequence[Path],
    out_dir: Path,
    params: DedupParams,
    against: Sequence[Path] = (),
    against_removed: Path | None = None,
    mapper: Mapper = map,
) -> dict[str, Any]:
    """Find duplicates among the documents of signature files `units`; write the removals.

    `against`: signature files of an earlier run; its documents are never removed and always win,
    so new documents that duplicate them are removed. `against_removed`: that run's dedup output
    directory, whose removed documents are left out (a duplicate then points at their keeper).

    Writes `out_dir/<unit>.parquet` for every new unit with removals and `out_dir/summary.json`;
    everything goes to `<out_dir>.tmp` first and is renamed into place at the end, so an existing
    `out_dir` is a finished phase. `mapper` runs the hash partitions (candidates.py): builtin `map`
    runs them here one after another; an executor's map runs them as parallel tasks (Ray), which
    must see `<out_dir>.tmp`. Returns the summary.
    """
    started = time.monotonic()
    out_dir = Path(out_dir)
    work = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    pairs = find_pairs(units, params, work, against, against_removed, mapper)
    (near_a, near_b), (exact_a, exact_b) = pairs.near, pairs.exact
    nodes = np.unique(np.concatenate([near_a, near_b, exact_a, exact_b]))
    ea, eb = np.searchsorted(nodes, exact_a), np.searchsorted(nodes, exact_b)
    exact_root = components(len(nodes), ea, eb)
    position = pairs.positions(nodes)
    old = np.zeros(len(pairs.rank), dtype=bool)
    for unit in pairs.catalogue:
        old[unit.start : unit.start + unit.rows] = unit.old
    assign = greedy_keepers if params.clustering == "greedy" else union_find_keepers
    keeper = assign(
        len(nodes),
        np.concatenate([ea, np.searchsorted(nodes, near_a)]),
        np.concatenate([eb, np.searchsorted(nodes, near_b)]),
        old[position],
    )
    size = np.bincount(keeper, minlength=len(nodes))
    removed = np.flatnonzero(keeper != np.arange(len(nodes)))
    summary = _write(pairs.catalogue, work, removed, keeper, exact_root, size, position)
    summary.update(
        pairs.info,
        documents=int(pairs.active.sum()),
        verified_pairs=int(len(near_a)),
        exact_pairs=int(len(exact_a)),
        clusters=int(np.count_nonzero((keeper == np.arange(len(nodes))) & (size > 1))),
        bands_rows=list(params.lsh),
        seconds=round(time.monotonic() - started, 2),
    )
    with open(work / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(work, out_dir)
    return summary


def _by_unit(unit_of: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(unit, indices into unit_of) for each unit present, from one sort (no scan per unit)."""
    order = np.argsort(unit_of, kind="stable")
    units, starts = np.unique(unit_of[order], return_index=True)
    return list(zip(units.tolist(), np.split(order, starts[1:])))


def _write(
    catalogue: list[Unit],
    work: Path,
    removed: np.ndarray,
    keeper: np.ndarray,
    exact_root: np.ndarray,
    size: np.ndarray,
    position: np.ndarray,
) -> dict[str, Any]:
    """Write one removal file per unit with removals; return counts for the summary."""
    starts = np.array([u.start for u in catalogue], dtype=np.int64)
    keeper_nodes = np.unique(keeper[removed])
    keeper_pos = position[keeper_nodes]
    keeper_unit = np.searchsorted(starts, keeper_pos, side="right") - 1
    keeper_key: dict[int, tuple[str, int]] = {}
    keeper_id: dict[int, str] = {}
    for u, here in _by_unit(keeper_unit):
        unit = catalogue[u]
        table = read_columns(unit.path, ["id", "source_file", "line"]).take(pa.array(keeper_pos[here] - unit.start))
        rows = zip(
            table.column("id").to_pylist(), table.column("source_file").to_pylist(), table.column("line").to_pylist()
        )
        for node, (doc_id, source_file, line) in zip(keeper_nodes[here].tolist(), rows):
            keeper_id[node] = doc_id
            keeper_key[node] = (source_file, line)
    removed_pos = position[removed]
    removed_unit = np.searchsorted(starts, removed_pos, side="right") - 1
    reasons = np.where(exact_root[removed] == exact_root[keeper[removed]], "exact_duplicate", "near_duplicate")
    written = []
    for u, mine in _by_unit(removed_unit):
        unit = catalogue[u]
        local = removed_pos[mine] - unit.start
        order = np.argsort(local)
        mine, local = mine[order], local[order]
        table = read_columns(unit.path, ["row", "id"]).take(pa.array(local))
        keepers = keeper[removed[mine]].tolist()
        write_removals(
            work / f"{unit.name}.parquet",
            rows=table.column("row").to_numpy(),
            ids=table.column("id").to_pylist(),
            reasons=reasons[mine].tolist(),
            duplicate_of=[keeper_id[k] for k in keepers],
            cluster_ids=[_cluster_id(*keeper_key[k]) for k in keepers],
            cluster_sizes=size[keepers].tolist(),
        )
        written.append(unit.name)
    return {
        "removed": int(len(removed)),
        "removed_exact": int(np.count_nonzero(reasons == "exact_duplicate")),
        "removed_near": int(np.count_nonzero(reasons == "near_duplicate")),
        "units_with_removals": written,
    }
