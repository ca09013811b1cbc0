"""`<dataset>-meta-info-<version>.json`: per-file tokens, documents and averages, as the old tool wrote.

The old `utils/tokenizer.py` wrote `files[]` of `{filename, llama_tokens, total_samples,
avg_tokens_per_sample, ...}` plus `total_llama_tokens` and `dataset`. We keep those names where
they mean the same thing, but say `tokens` (with the tokenizer named) instead of `llama_tokens`,
since the count is made with whatever tokenizer the run used; the difficulty score (an SFT field)
has no equivalent. An empty file has average 0 instead of the old ZeroDivisionError.
"""

from __future__ import annotations

from typing import Any


def _average(total: int | None, docs: int) -> float | None:
    if total is None:
        return None
    return round(total / docs, 2) if docs else 0.0


def meta_info(dataset: str, version: str, tokenizer: str | None, shards: list[dict[str, Any]]) -> dict[str, Any]:
    """`shards` rows carry shard, kept, chars_out and tokens_out (None when not counted)."""
    files = [
        {
            "filename": f"kept/{row['shard']}.parquet",
            "source_file": row["source_file"],
            "tokens": row["tokens_out"],
            "total_samples": row["kept"],
            "avg_tokens_per_sample": _average(row["tokens_out"], row["kept"]),
            "chars": row["chars_out"],
            "avg_chars_per_sample": _average(row["chars_out"], row["kept"]),
        }
        for row in shards
    ]
    counted = all(f["tokens"] is not None for f in files)
    total_tokens = sum(f["tokens"] for f in files) if counted else None
    total_docs = sum(f["total_samples"] for f in files)
    return {
        "dataset": dataset,
        "version": version,
        "tokenizer": tokenizer,
        "files": files,
        "total_tokens": total_tokens,
        "total_samples": total_docs,
        "avg_tokens_per_sample": _average(total_tokens, total_docs),
    }
