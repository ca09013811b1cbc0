"""LSH band hashes: each band's rows of a signature hashed to one uint64 with xxh3_64.

The band index is the hash seed (mixed with the run seed), so equal values in different bands
do not collide and the global phase can sort the band hashes of all bands together.
"""

from __future__ import annotations

import numpy as np
import xxhash


def band_hashes(signatures: np.ndarray, bands: int, rows: int, seed: int = 1) -> np.ndarray:
    """(n_docs, bands) uint64: band j hashes signature columns j*rows .. (j+1)*rows - 1."""
    if signatures.dtype != np.uint32 or signatures.ndim != 2:
        raise ValueError("signatures must be a 2-d uint32 array")
    if bands * rows > signatures.shape[1]:
        raise ValueError(f"bands x rows = {bands * rows} exceeds num_perm {signatures.shape[1]}")
    n = signatures.shape[0]
    used = np.ascontiguousarray(signatures[:, : bands * rows])
    view = memoryview(used.tobytes())
    width = rows * 4
    seeds = [(seed << 8) + j for j in range(bands)]
    values = [
        xxhash.xxh3_64_intdigest(view[start : start + width], seed=seeds[j])
        for start_row in range(0, n * bands * width, bands * width)
        for j, start in enumerate(range(start_row, start_row + bands * width, width))
    ]
    return np.array(values, dtype=np.uint64).reshape(n, bands)
