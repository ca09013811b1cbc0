"""The per-unit signature file the clean phase writes, and its readers.

One Parquet file per work unit (zstd), one row per kept document in unit order:

    row int64             the document's index among the unit's kept rows (0-based)
    id string, source_file string, line int64
    quality_score double  NaN when no quality annotator ran
    length int64          characters of the cleaned text (a keeper tie-break)
    exact_hi, exact_lo uint64   128-bit exact hash (exact.py)
    bands fixed_size_list<uint64>[bands]        LSH band hashes (lsh.py)
    signature fixed_size_list<uint32>[num_perm] MinHash signature (minhash.py), for verification
    shingles int64        distinct shingles (|A|/|B| bounds the Jaccard, also used at verification)
    tokens int64          the kept text's token count, when the run counts tokens (the finalise
                          phase subtracts those of removed duplicates)

The schema metadata holds the unit name and `DedupParams.signature_key()`, so the global phase can
refuse stores made with other parameters (e.g. an earlier run deduplicated against).
Parquet because the engine writes Parquet already, readers can load single columns (the global
phase reads bands and keys first and signatures only for candidate documents), and zstd
shrinks the low-entropy columns.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.dedup.exact import exact_hashes
from cleaner.dedup.lsh import band_hashes
from cleaner.dedup.minhash import minhash_batch
from cleaner.dedup.params import DedupParams
from cleaner.dedup.shingles import distinct_counts, shingle_batch

META_KEY = b"cleaner.dedup"
KEY_COLUMNS = ["row", "id", "source_file", "line", "quality_score", "length"]
TOKENS_COLUMN = "tokens"


@dataclass
class BatchHashes:
    """What the clean phase computes for a batch of texts."""

    exact: np.ndarray  # (n, 2) uint64
    bands: np.ndarray  # (n, bands) uint64
    signatures: np.ndarray  # (n, num_perm) uint32
    shingles: np.ndarray  # (n,) int64 distinct shingles


def hash_batch(texts: list[str], params: DedupParams) -> BatchHashes:
    """Exact hashes, MinHash signatures and band hashes of `texts` (the whole per-document cost)."""
    bands, rows = params.lsh
    shingles, offsets = shingle_batch(texts, params.ngram, params.seed)
    signatures = minhash_batch(shingles, offsets, params.num_perm, params.seed)
    return BatchHashes(
        exact_hashes(texts, params.exact_fold),
        band_hashes(signatures, bands, rows, params.seed),
        signatures,
        distinct_counts(shingles, offsets),
    )


class UnitSignatures:
    """Collects the kept documents of one work unit and writes its signature file.

    Texts are hashed every `params.batch_docs` documents, so memory holds one batch of texts plus
    the compact hashes of the unit (about 0.6 KB per document at 128 permutations).
    """

    def __init__(self, unit: str, params: DedupParams) -> None:
        self.unit, self.params = unit, params
        self._texts: list[str] = []
        self._keys: dict[str, list[Any]] = {name: [] for name in KEY_COLUMNS}
        self._batches: list[BatchHashes] = []

    def add(
        self, row: int, doc_id: str, text: str, source_file: str, line: int, quality_score: float | None = None
    ) -> None:
        """Record kept document number `row` of the unit (rows must be added in increasing order)."""
        keys = self._keys
        keys["row"].append(row)
        keys["id"].append(doc_id)
        keys["source_file"].append(source_file)
        keys["line"].append(line)
        keys["quality_score"].append(math.nan if quality_score is None else float(quality_score))
        keys["length"].append(len(text))
        self._texts.append(text)
        if len(self._texts) >= self.params.batch_docs:
            self._flush()

    def _flush(self) -> None:
        if self._texts:
            self._batches.append(hash_batch(self._texts, self.params))
            self._texts = []

    def __len__(self) -> int:
        return len(self._keys["row"])

    def write(self, path: Path, tokens: Sequence[int] | None = None) -> int:
        """Write the file atomically (temporary name, then rename); return the number of rows.
        `tokens`: each kept document's token count, in row order."""
        self._flush()
        params = self.params
        bands, _ = params.lsh
        empty = BatchHashes(
            np.zeros((0, 2), np.uint64),
            np.zeros((0, bands), np.uint64),
            np.zeros((0, params.num_perm), np.uint32),
            np.zeros(0, np.int64),
        )
        batches = self._batches or [empty]
        hashes = BatchHashes(
            *(np.concatenate([getattr(b, f) for b in batches]) for f in ("exact", "bands", "signatures", "shingles"))
        )
        write_unit(path, self.unit, params, self._keys, hashes, tokens)
        return len(self)


def write_unit(
    path: Path,
    unit: str,
    params: DedupParams,
    keys: dict[str, Any],
    hashes: BatchHashes,
    tokens: Sequence[int] | None = None,
) -> None:
    """Write a signature file from its columns: `keys` maps each of KEY_COLUMNS to a sequence.
    (UnitSignatures.write uses it; benchmarks write precomputed signatures with it.)"""
    if tokens is not None and len(tokens) != len(keys["row"]):
        raise ValueError(f"{unit}: {len(tokens)} token counts for {len(keys['row'])} kept documents")
    bands, _ = params.lsh
    table = pa.table(
        {
            "row": pa.array(keys["row"], pa.int64()),
            "id": pa.array(keys["id"], pa.string()),
            "source_file": pa.array(keys["source_file"], pa.string()),
            "line": pa.array(keys["line"], pa.int64()),
            "quality_score": pa.array(keys["quality_score"], pa.float64()),
            "length": pa.array(keys["length"], pa.int64()),
            "exact_hi": pa.array(hashes.exact[:, 0]),
            "exact_lo": pa.array(hashes.exact[:, 1]),
            "bands": pa.FixedSizeListArray.from_arrays(pa.array(hashes.bands.ravel()), bands),
            "signature": pa.FixedSizeListArray.from_arrays(pa.array(hashes.signatures.ravel()), params.num_perm),
            "shingles": pa.array(hashes.shingles, pa.int64()),
            **({TOKENS_COLUMN: pa.array(tokens, pa.int64())} if tokens is not None else {}),
        }
    )
    meta = {"unit": unit, "params": params.signature_key()}
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd", row_group_size=65536)
    os.replace(tmp, path)


def unit_meta(path: Path) -> dict[str, Any]:
    """{"unit": name, "params": signature key} of a signature file."""
    raw = pq.read_schema(path).metadata or {}
    if META_KEY not in raw:
        raise ValueError(f"{path} is not a dedup signature file")
    return json.loads(raw[META_KEY])


def read_tokens(path: Path) -> np.ndarray | None:
    """Each row's token count, or None when the file has none (written without counts)."""
    if TOKENS_COLUMN not in pq.read_schema(path).names:
        return None
    return pq.read_table(path, columns=[TOKENS_COLUMN]).column(0).to_numpy()


def unit_rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def _fixed_list(column: pa.ChunkedArray, width: int, dtype: type) -> np.ndarray:
    values = column.combine_chunks().flatten().to_numpy(zero_copy_only=False)
    return np.ascontiguousarray(values, dtype=dtype).reshape(-1, width)


def read_columns(path: Path, columns: list[str]) -> pa.Table:
    return pq.read_table(path, columns=columns)


def read_bands(path: Path, bands: int) -> np.ndarray:
    """(n, bands) uint64 band hashes."""
    return _fixed_list(pq.read_table(path, columns=["bands"]).column("bands"), bands, np.uint64)


def read_exact(path: Path) -> np.ndarray:
    """(n, 2) uint64 exact hashes."""
    table = pq.read_table(path, columns=["exact_hi", "exact_lo"])
    return np.stack([table.column(0).to_numpy(), table.column(1).to_numpy()], axis=1)


def read_signatures(path: Path, num_perm: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signatures (len(rows), num_perm) uint32 and distinct-shingle counts of the sorted local
    `rows`, one row group at a time (memory: one group's signatures, not the file's)."""
    file = pq.ParquetFile(path)
    signatures = np.empty((len(rows), num_perm), np.uint32)
    shingles = np.empty(len(rows), np.int64)
    start = 0
    for group in range(file.num_row_groups):
        size = file.metadata.row_group(group).num_rows
        a, b = np.searchsorted(rows, [start, start + size])
        if b > a:
            table = file.read_row_group(group, columns=["signature", "shingles"])
            local = rows[a:b] - start
            signatures[a:b] = _fixed_list(table.column("signature"), num_perm, np.uint32)[local]
            shingles[a:b] = table.column("shingles").to_numpy()[local]
        start += size
    return signatures, shingles
