"""From (keeper, removed) positions to the removal files, one position block at a time.

1. `KeeperTask`, one per block of consecutive units: the removed documents whose keeper lies in
   the block (from every range's `removed.npy`); counts them per keeper (cluster size: the
   keeper plus its removed documents), reads the keepers' id, source_file, line and exact hash
   from the block's signature files, and writes for every removed document the keeper's facts,
   one row group per block of the removed documents (`answers.parquet`).
2. `WriteTask`, one per block: the answers about its documents; reason `exact_duplicate` when
   the removed document has its keeper's exact hash (and exact dedup is on), `near_duplicate`
   otherwise; one removal file per unit with removals (removals.py), rows in unit order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

from cleaner.dedup.ranking import Unit
from cleaner.dedup.removals import write_removals
from cleaner.dedup.store import read_columns
from cleaner.dedup.work import bins, load_bucket

_ANSWER = pa.schema(
    [
        pa.field("position", pa.uint64()),
        pa.field("duplicate_of", pa.string()),
        pa.field("cluster_id", pa.int64()),
        pa.field("cluster_size", pa.int64()),
        pa.field("exact_hi", pa.uint64()),
        pa.field("exact_lo", pa.uint64()),
    ]
)


def cluster_id(source_file: str, line: int) -> int:
    """Stable cluster name: a 63-bit hash of the keeper's (source_file, line)."""
    return xxhash.xxh3_64_intdigest(f"{source_file}\x00{line}".encode()) & (2**63 - 1)


def _rows(units: tuple[Unit, ...], positions: np.ndarray, columns: list[str]) -> pa.Table:
    """`columns` of the documents at sorted `positions`, all within `units`."""
    tables = []
    for unit in units:
        a, b = np.searchsorted(positions, np.array([unit.start, unit.start + unit.rows], np.uint64))
        if b > a:
            local = (positions[a:b] - np.uint64(unit.start)).astype(np.int64)
            tables.append(read_columns(unit.path, columns).take(pa.array(local)))
    if not tables:
        schema = pq.ParquetFile(units[0].path).schema_arrow
        return pa.schema([schema.field(c) for c in columns]).empty_table()
    return pa.concat_tables(tables)


@dataclass(frozen=True)
class KeeperTask:
    units: tuple[Unit, ...]  # the block's units
    block: int
    decided: tuple[Path, ...]  # every keepers task folder (one per rank range)
    blocks: tuple[int, ...]
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        keepers, counts = np.zeros(0, np.uint64), np.zeros(0, np.int64)
        for source in self.decided:
            mine, many = np.unique(load_bucket(source / "removed.npy", self.block)[:, 0], return_counts=True)
            keepers, at = np.unique(np.concatenate([keepers, mine]), return_inverse=True)
            counts = np.bincount(at, weights=np.concatenate([counts, many]), minlength=len(keepers)).astype(np.int64)
        facts = _rows(self.units, keepers, ["id", "source_file", "line", "exact_hi", "exact_lo"])
        names = facts.column("id")
        places = zip(facts.column("source_file").to_pylist(), facts.column("line").to_pylist())
        clusters = np.array([cluster_id(source, line) for source, line in places], np.int64)
        answers: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(len(self.blocks) - 1)]
        for source in self.decided:
            pairs = load_bucket(source / "removed.npy", self.block)
            slot = np.searchsorted(keepers, pairs[:, 0])
            for h, idx in enumerate(bins(pairs[:, 1], np.array(self.blocks, np.uint64))):
                answers[h].append((pairs[idx, 1], slot[idx]))
        with pq.ParquetWriter(folder / "answers.parquet", _ANSWER) as writer:
            for parts in answers:
                position = np.concatenate([p for p, _ in parts])
                slot = pa.array(np.concatenate([s for _, s in parts]))
                table = pa.Table.from_arrays(
                    [
                        pa.array(position, pa.uint64()),
                        names.take(slot),
                        pa.array(clusters[slot.to_numpy()], pa.int64()),
                        pa.array(counts[slot.to_numpy()] + 1, pa.int64()),
                        facts.column("exact_hi").take(slot),
                        facts.column("exact_lo").take(slot),
                    ],
                    schema=_ANSWER,
                )
                writer.write_table(table, row_group_size=max(1, table.num_rows))
        return {"clusters": len(keepers)}


@dataclass(frozen=True)
class WriteTask:
    units: tuple[Unit, ...]  # the block's units
    block: int
    facts: tuple[Path, ...]  # every KeeperTask folder
    exact: bool  # exact dedup is on: a removed copy of its keeper's exact text is an exact duplicate
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        tables = [pq.ParquetFile(f / "answers.parquet").read_row_group(self.block) for f in self.facts]
        answers = pa.concat_tables(tables) if tables else _ANSWER.empty_table()
        answers = answers.take(pa.array(np.argsort(answers.column("position").to_numpy(), kind="stable")))
        positions = answers.column("position").to_numpy()
        written, exact_count = [], 0
        for unit in self.units:
            a, b = np.searchsorted(positions, np.array([unit.start, unit.start + unit.rows], np.uint64))
            if b == a:
                continue
            mine = answers.slice(a, b - a)
            own = _rows((unit,), positions[a:b], ["row", "id", "exact_hi", "exact_lo"])
            same = (own.column("exact_hi").to_numpy() == mine.column("exact_hi").to_numpy()) & (
                own.column("exact_lo").to_numpy() == mine.column("exact_lo").to_numpy()
            )
            same &= self.exact
            exact_count += int(same.sum())
            write_removals(
                folder / f"{unit.name}.parquet",
                rows=own.column("row").to_numpy(),
                ids=own.column("id").to_pylist(),
                reasons=np.where(same, "exact_duplicate", "near_duplicate").tolist(),
                duplicate_of=mine.column("duplicate_of").to_pylist(),
                cluster_ids=mine.column("cluster_id").to_pylist(),
                cluster_sizes=mine.column("cluster_size").to_pylist(),
            )
            written.append(unit.name)
        return {"removed": len(positions), "removed_exact": exact_count, "units_with_removals": written}
