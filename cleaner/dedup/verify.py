"""Verification of candidate pairs by the Jaccard estimated from the full signatures.

1. `SignatureTask`, one per block of consecutive units: the signatures and shingle counts of the
   block's documents that are in a band pair (the partitions list them per block), written as
   plain arrays sorted by position, so any task can look a document up through a memory map.
2. `VerifyTask`, one per rank range: the range's candidate pairs from every partition (repeats
   dropped: a pair colliding in several bands is one pair), each verified, and its exact pairs.
   Its folder then holds every edge whose worse document lies in the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.ranking import RankIndex, Unit
from cleaner.dedup.store import read_signatures
from cleaner.dedup.work import bins, load, load_buckets, save, unique_pairs

#: Candidate pairs verified per numpy step (two signature matrices of this many rows in memory).
_VERIFY_CHUNK = 1 << 14


@dataclass(frozen=True)
class SignatureTask:
    units: tuple[Unit, ...]  # the block's units
    block: int
    partitions: tuple[Path, ...]  # every PartitionTask folder
    num_perm: int
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        positions = np.unique(load_buckets((p / "involved.npy" for p in self.partitions), self.block))
        signatures = np.empty((len(positions), self.num_perm), np.uint32)
        shingles = np.empty(len(positions), np.int64)
        for unit in self.units:
            a, b = np.searchsorted(positions, np.array([unit.start, unit.start + unit.rows], np.uint64))
            if b > a:
                rows = (positions[a:b] - np.uint64(unit.start)).astype(np.int64)
                signatures[a:b], shingles[a:b] = read_signatures(unit.path, self.num_perm, rows)
        save(folder / "positions.npy", positions)
        save(folder / "signatures.npy", signatures)
        save(folder / "shingles.npy", shingles)
        return {"documents": len(positions)}


@dataclass(frozen=True)
class SignatureStore:
    """Signatures of the documents in band pairs, by position, from the SignatureTask folders."""

    blocks: tuple[int, ...]  # first position of each block, then the end
    folders: tuple[Path, ...]
    num_perm: int

    def get(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(signatures (n, num_perm) uint32, distinct shingles as float64) of `positions`."""
        signatures = np.empty((len(positions), self.num_perm), np.uint32)
        sizes = np.empty(len(positions), np.float64)
        for g, idx in enumerate(bins(positions, np.array(self.blocks, np.uint64))):
            if len(idx):
                folder = self.folders[g]
                slot = np.searchsorted(load(folder / "positions.npy", mmap=True), positions[idx])
                signatures[idx] = load(folder / "signatures.npy", mmap=True)[slot]
                sizes[idx] = load(folder / "shingles.npy", mmap=True)[slot]
        return signatures, sizes


def estimated_jaccard(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Share of equal signature entries, capped by min(|A|, |B|) / max(|A|, |B|), an exact upper
    bound that removes the pairs of very different sizes whose estimate lands above the threshold
    by chance. a, b: (signatures, sizes) of the pairs' two sides."""
    estimate = (a[0] == b[0]).mean(axis=1)
    return np.minimum(estimate, np.minimum(a[1], b[1]) / np.maximum(a[1], b[1]))


@dataclass(frozen=True)
class VerifyTask:
    partitions: tuple[Path, ...]  # every PartitionTask folder
    rank_range: int
    #: Jaccard a pair needs (threshold + verify_offset); None: keep every candidate pair.
    needed: float | None
    ranks: RankIndex
    signatures: SignatureStore | None
    out: Path

    def run(self, folder: Path) -> dict[str, Any]:
        near = unique_pairs(load_buckets((p / "near.npy" for p in self.partitions), self.rank_range))
        exact = unique_pairs(load_buckets((p / "exact.npy" for p in self.partitions), self.rank_range))
        candidates = len(near)
        if self.needed is not None and self.signatures is not None and len(near):
            good = np.zeros(len(near), dtype=bool)
            for lo in range(0, len(near), _VERIFY_CHUNK):
                chunk = near[lo : lo + _VERIFY_CHUNK]
                sides = [self.signatures.get(self.ranks.positions(chunk[:, k])) for k in (0, 1)]
                good[lo : lo + _VERIFY_CHUNK] = estimated_jaccard(*sides) >= self.needed
            near = near[good]
        save(folder / "near.npy", near)
        save(folder / "exact.npy", exact)
        return {"candidate_pairs": candidates, "verified_pairs": len(near), "exact_pairs": len(exact)}
