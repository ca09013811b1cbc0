"""Documents numbered by keeper priority (their *rank*) with a distributed sort.

The priority is: documents of an earlier run first (never removed), then highest quality_score
(NaN lowest), longest text, smallest (source_file, line), and finally the global position (the
order of the catalogue), so every document has a distinct key. Each key is packed big-endian into
37 bytes whose byte order is the priority order, so numpy sorts and searches them as strings.

1. `SortTask`, one per unit: the unit's keys, sorted, and an evenly spaced sample of them.
2. The driver picks range splitters from the pooled samples (a few dozen keys per range).
3. `RangeTask`, one per key range: the keys of every unit within the range (a slice of each
   sorted unit file, through a memory map), sorted; writes the documents' positions in rank order
   and, sorted by position, each document's rank within the range.

Ranks are `base + documents in earlier ranges + rank within the range`: dense, uint64, the same
whatever the number of ranges. `RankIndex` maps ranks to positions and a unit's positions to ranks
by memory-mapping those files, so no process holds a corpus-sized array.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.removals import load_removals
from cleaner.dedup.store import read_columns
from cleaner.dedup.work import bins, load, save

#: Rank of a document that takes no part (an earlier run removed it).
NO_RANK = np.uint64(2**64 - 1)
_SIGN = np.uint64(1 << 63)
KEY_DTYPE = np.dtype(
    [("new", "u1"), ("quality", ">u8"), ("length", ">u8"), ("source", ">u4"), ("line", ">u8"), ("position", ">u8")]
)
KEY_BYTES = KEY_DTYPE.itemsize
_KEY = f"S{KEY_BYTES}"


@dataclass(frozen=True)
class Unit:
    """A signature file and the global position of its first row."""

    path: Path
    name: str
    old: bool
    start: int
    rows: int


def _ordered_int(values: np.ndarray) -> np.ndarray:
    """int64 -> uint64 with the same order."""
    return np.asarray(values, dtype=np.int64).view(np.uint64) ^ _SIGN


def _ordered_float(values: np.ndarray) -> np.ndarray:
    """float64 (no NaN) -> uint64 with the same order (-0.0 taken as 0.0)."""
    bits = (np.asarray(values, dtype=np.float64) + 0.0).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


@dataclass(frozen=True)
class SortTask:
    unit: Unit
    #: Index of each of the unit's source_file names in the sorted names of the whole catalogue.
    names: dict[str, int]
    #: The earlier run's dedup output, whose removed documents take no part (old units only).
    removed: Path | None
    samples: int
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        unit = self.unit
        table = read_columns(unit.path, ["row", "source_file", "line", "quality_score", "length"])
        active = np.ones(unit.rows, dtype=bool)
        if unit.old and self.removed is not None:
            removed = load_removals(self.removed, unit.name).column("row").to_numpy()
            active[np.isin(table.column("row").to_numpy(), removed)] = False
        encoded = table.column("source_file").combine_chunks().dictionary_encode()
        local = np.array([self.names[s] for s in encoded.dictionary.to_pylist()], dtype=np.uint32)
        quality = table.column("quality_score").to_numpy()
        key = np.zeros(unit.rows, KEY_DTYPE)
        key["new"] = 0 if unit.old else 1
        key["quality"] = _ordered_float(np.where(np.isnan(quality), np.inf, -quality))
        key["length"] = ~_ordered_int(table.column("length").to_numpy())
        key["source"] = local[encoded.indices.to_numpy()] if len(local) else 0
        key["line"] = _ordered_int(table.column("line").to_numpy())
        key["position"] = np.arange(unit.start, unit.start + unit.rows, dtype=np.uint64)
        keys = np.sort(key[active].view(_KEY))
        save(folder / "keys.npy", keys)
        picks = np.unique(np.linspace(0, len(keys) - 1, min(self.samples, len(keys))).astype(np.int64))
        return {"documents": len(keys), "sample": [k.hex() for k in keys[picks].tolist()]}


def splitters(samples: list[str], ranges: int) -> list[str | None]:
    """ranges + 1 bounds (hex keys; None: open end) from the pooled unit samples."""
    pooled = sorted(samples)
    if not pooled:
        return [None] * (ranges + 1)
    return [None, *(pooled[len(pooled) * i // ranges] for i in range(1, ranges)), None]


@dataclass(frozen=True)
class RangeTask:
    keys: tuple[Path, ...]  # every unit's sorted keys
    low: str | None  # hex key, None: from the start
    high: str | None  # hex key, None: to the end
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        parts = []
        for path in self.keys:
            keys = load(path, mmap=True)
            a = 0 if self.low is None else int(np.searchsorted(keys, bytes.fromhex(self.low)))
            b = len(keys) if self.high is None else int(np.searchsorted(keys, bytes.fromhex(self.high)))
            if b > a:
                parts.append(np.array(keys[a:b]))
        keys = np.sort(np.concatenate(parts)) if parts else np.zeros(0, _KEY)
        parts.clear()
        raw = keys.view(np.uint8).reshape(-1, KEY_BYTES)[:, KEY_BYTES - 8 :]
        positions = np.ascontiguousarray(raw).view(">u8").ravel().astype(np.uint64)
        del keys, raw
        save(folder / "by_rank.npy", positions)
        order = np.argsort(positions, kind="stable")
        save(folder / "by_position.npy", positions[order])
        save(folder / "local_rank.npy", order.astype(np.uint64))
        return {"documents": len(positions)}


@dataclass(frozen=True)
class RankIndex:
    """Ranks <-> positions, from the published range folders (memory-mapped)."""

    offsets: tuple[int, ...]  # first rank of each range, then the end
    folders: tuple[Path, ...]

    def range_of(self, ranks: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.array(self.offsets, np.uint64), ranks, side="right") - 1

    def bounds(self) -> np.ndarray:
        return np.array(self.offsets, np.uint64)

    def positions(self, ranks: np.ndarray) -> np.ndarray:
        """Global position of each rank."""
        out = np.empty(len(ranks), np.uint64)
        for r, idx in enumerate(bins(ranks, self.bounds())):
            if len(idx):
                by_rank = load(self.folders[r] / "by_rank.npy", mmap=True)
                out[idx] = by_rank[(ranks[idx] - np.uint64(self.offsets[r])).astype(np.int64)]
        return out

    def unit_ranks(self, start: int, rows: int) -> np.ndarray:
        """Rank of positions start .. start + rows - 1 (NO_RANK: takes no part)."""
        ranks = np.full(rows, NO_RANK, dtype=np.uint64)
        for r, folder in enumerate(self.folders):
            by_position = load(folder / "by_position.npy", mmap=True)
            a, b = np.searchsorted(by_position, np.array([start, start + rows], np.uint64))
            if b > a:
                local = load(folder / "local_rank.npy", mmap=True)[a:b]
                ranks[(by_position[a:b] - np.uint64(start)).astype(np.int64)] = np.uint64(self.offsets[r]) + local
        return ranks
