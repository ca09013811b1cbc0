"""Which hash partition an index key belongs to, and how many partitions a memory budget needs.

Keys (band hashes, exact hashes) are uniform 64-bit values, so their top bits split the index into
partitions of about equal size. Equal keys always land in the same partition, so each partition
finds all of its own collisions and the union of the partitions' edges is the same whatever their
number (the memory budget only changes how many there are).
"""

from __future__ import annotations

import math

import numpy as np


def partition_count(entries: int, bytes_per_entry: int, budget_bytes: int) -> int:
    """Smallest power of two of partitions whose entries fit the budget (at most 4096)."""
    needed = max(1, math.ceil(entries * bytes_per_entry / max(budget_bytes, 1)))
    return min(1 << (needed - 1).bit_length(), 4096)


def partition_of(keys: np.ndarray, count: int) -> np.ndarray:
    """The partition of each uint64 key: its top log2(count) bits (count: a power of two)."""
    if count == 1:
        return np.zeros(len(keys), dtype=np.int64)
    shift = np.uint64(64 - (count.bit_length() - 1))
    return (keys >> shift).astype(np.int64)
