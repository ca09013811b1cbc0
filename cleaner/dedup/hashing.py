"""Vectorised 64-bit mixing shared by shingles, MinHash permutations and band hashes.

numpy's unsigned multiplication wraps modulo 2**64, the same on every machine, so everything
built from these functions is bit-identical across runs, worker counts and platforms.
"""

from __future__ import annotations

import numpy as np
import xxhash

_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: an avalanching bijection applied element-wise (new array)."""
    h = values ^ (values >> _S33)
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


def seeded_constants(seed: int, label: str, count: int) -> np.ndarray:
    """`count` 64-bit constants drawn from xxh64 of (label, index) with `seed`.

    Defined by xxhash rather than a numpy generator, whose streams may change between versions.
    """
    return np.array([xxhash.xxh64_intdigest(f"{label}:{i}".encode(), seed=seed) for i in range(count)], dtype=np.uint64)
