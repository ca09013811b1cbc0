"""Recipe parameters of near-duplicate and exact-duplicate removal (the recipe's `dedup:` section).

A plain dataclass with typed fields, like the stage classes, so `cleaner.recipe.build_dataclass`
validates a `dedup:` mapping key by key. `lsh` derives bands x rows from the threshold once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from cleaner.dedup.banding import optimal_banding

ExactFold = Literal["case", "whitespace", "punctuation", "width"]


@dataclass(frozen=True)
class DedupParams:
    #: Target Jaccard similarity of shingle sets above which two documents are near-duplicates.
    threshold: float = 0.8
    num_perm: int = 128
    #: Shingle length: characters for unsegmented scripts (Han, kana, hangul, Thai...), words otherwise.
    ngram: int = 5
    seed: int = 1
    #: Remove documents whose normalised text is identical (128-bit hash), reason `exact_duplicate`.
    exact: bool = True
    #: Remove near-duplicates found by MinHash-LSH, reason `near_duplicate`.
    near: bool = True
    #: Confirm each LSH candidate pair by the Jaccard estimated from the full signatures.
    verify: bool = True
    #: A candidate pair is confirmed when its estimated Jaccard is >= threshold + verify_offset. The
    #: estimate's standard error is sqrt(J(1-J)/num_perm) (0.035 at J=0.8 with 128 perms) and real
    #: corpora hold many pairs just below the threshold, so a small positive offset buys precision.
    #: bench/dedup_eval.py, 128 perms, zh / en pair precision and recall: offset 0.02: .98/.92 and
    #: .98/.84 (datasketch: .87/.89 and .87/.79); offset 0: .87/.95 and .93/.86; 0.03: .99/.90 and
    #: .99/.74.
    verify_offset: float = 0.02
    #: "greedy": a document goes only when verified similar to a kept one (precise); "union_find":
    #: connected components of all pairs (transitive). See keepers.py.
    clustering: Literal["greedy", "union_find"] = "greedy"
    #: Weights of the banding choice (datasketch's `_optimal_param`, cleaner/dedup/banding.py).
    #: Verification removes most false positives, so the default favours recall (more, shorter
    #: bands) over LSH precision.
    false_positive_weight: float = 0.1
    false_negative_weight: float = 0.9
    #: Override the derived banding (both or neither).
    bands: int | None = None
    rows: int | None = None
    #: What the exact hash folds before hashing.
    exact_fold: list[ExactFold] = field(default_factory=lambda: ["case", "whitespace", "punctuation", "width"])
    #: Memory per task of the global phase: it sets the partition count (cleaner/dedup/cluster.py).
    memory_budget_mb: float = 2048.0
    #: Documents hashed together in one numpy batch in the clean phase.
    batch_docs: int = 512

    def validate(self) -> None:
        """Raise ValueError("key: why") for values no run could use."""
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold: must be in (0, 1]")
        if not 8 <= self.num_perm <= 1024:
            raise ValueError("num_perm: must be 8..1024")
        if self.ngram < 1:
            raise ValueError("ngram: must be >= 1")
        if not 0.0 < self.threshold + self.verify_offset <= 1.0:
            raise ValueError("verify_offset: threshold + verify_offset must be in (0, 1]")
        if (self.bands is None) != (self.rows is None):
            raise ValueError("bands: give bands and rows together, or neither")
        if self.bands is not None and self.rows is not None and (self.bands < 1 or self.rows < 1):
            raise ValueError("bands: bands and rows must be >= 1")
        if self.bands is not None and self.rows is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands: bands x rows = {self.bands * self.rows} exceeds num_perm {self.num_perm}")
        if self.memory_budget_mb <= 0:
            raise ValueError("memory_budget_mb: must be > 0")
        if self.batch_docs < 1:
            raise ValueError("batch_docs: must be >= 1")
        if not 0 <= self.seed < 2**63:
            raise ValueError("seed: must be in [0, 2**63)")

    @cached_property
    def lsh(self) -> tuple[int, int]:
        """(bands, rows): given, or minimising the weighted false-positive/negative area (banding.py)."""
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        return optimal_banding(self.threshold, self.num_perm, self.false_positive_weight, self.false_negative_weight)

    def signature_key(self) -> dict[str, Any]:
        """Everything that changes a stored signature, band hash or exact hash: stores made with a
        different key cannot be compared (checked when deduplicating against an earlier run)."""
        bands, rows = self.lsh
        return {
            "version": 2,
            "num_perm": self.num_perm,
            "ngram": self.ngram,
            "seed": self.seed,
            "bands": bands,
            "rows": rows,
            "exact_fold": sorted(self.exact_fold),
        }
