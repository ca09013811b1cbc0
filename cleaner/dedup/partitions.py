"""Index entries (hash key, document) split by the top bits of the key into partitions, held in
memory or spilled to disk, so the global phase sorts one partition at a time.

Equal keys always land in the same partition, so each partition finds its own collisions and the
union of their edges is the same whatever the number of partitions (the memory budget only
changes how many there are). Files are raw little-endian arrays appended unit by unit.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np


def partition_count(entries: int, bytes_per_entry: int, budget_bytes: int) -> int:
    """Smallest power of two of partitions whose entries fit the budget (at most 4096)."""
    needed = max(1, math.ceil(entries * bytes_per_entry / max(budget_bytes, 1)))
    return min(1 << (needed - 1).bit_length(), 4096)


class Partitions:
    """Collects (keys, docs) rows; keys are (m, width) uint64 with column 0 deciding the partition."""

    def __init__(self, count: int, width: int, spill_dir: Path | None) -> None:
        self.count, self.width = count, width
        self.shift = np.uint64(64 - (count.bit_length() - 1)) if count > 1 else None
        self.spill_dir = spill_dir if count > 1 else None
        self._memory: list[tuple[np.ndarray, np.ndarray]] = []
        self.entries = 0
        if self.spill_dir is not None:
            self.spill_dir.mkdir(parents=True, exist_ok=True)

    def _files(self, p: int) -> tuple[Path, Path]:
        assert self.spill_dir is not None
        return self.spill_dir / f"p{p:04d}.keys", self.spill_dir / f"p{p:04d}.docs"

    def add(self, keys: np.ndarray, docs: np.ndarray) -> None:
        keys = np.ascontiguousarray(keys, dtype=np.uint64).reshape(-1, self.width)
        docs = np.ascontiguousarray(docs, dtype=np.uint32)
        self.entries += len(docs)
        if self.spill_dir is None:
            self._memory.append((keys, docs))
            return
        part = (keys[:, 0] >> self.shift).astype(np.int64)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(self.count + 1))
        keys, docs = keys[order], docs[order]
        for p in np.flatnonzero(np.diff(bounds)).tolist():
            lo, hi = bounds[p], bounds[p + 1]
            key_file, doc_file = self._files(p)
            with open(key_file, "ab") as fh:
                fh.write(keys[lo:hi].tobytes())
            with open(doc_file, "ab") as fh:
                fh.write(docs[lo:hi].tobytes())

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(keys (m, width), docs (m,)) of each non-empty partition, in the order rows were added."""
        if self.spill_dir is None:
            if self._memory:
                keys = np.concatenate([k for k, _ in self._memory])
                docs = np.concatenate([d for _, d in self._memory])
                self._memory = []
                yield keys, docs
            return
        for p in range(self.count):
            key_file, doc_file = self._files(p)
            if key_file.exists():
                keys = np.fromfile(key_file, dtype=np.uint64).reshape(-1, self.width)
                docs = np.fromfile(doc_file, dtype=np.uint32)
                key_file.unlink()
                doc_file.unlink()
                yield keys, docs

    def close(self) -> None:
        if self.spill_dir is not None:
            shutil.rmtree(self.spill_dir, ignore_errors=True)
