"""Dedup speed: signature throughput against datasketch, and the global phase on 1M documents.

1. Signatures, one core, real zh and en documents from ../shared/corpus, num_perm 128:
   - ours `minhash_batch` vs datasketch `MinHash.update_batch`, both from the same shingle hashes
     (datasketch gets each 64-bit shingle hash as 8 bytes and hashes it with its default hash);
   - ours from text (shingles + signature), against the same datasketch figure, which does not
     even include shingling; and the whole clean-phase cost (`hash_batch`: + band and exact hashes).
2. The global phase (`run_dedup`) on N synthetic documents (default 1M) in units of 10k rows.
   Signatures are generated, not computed from text, to keep the run within minutes on 2 cores:
   80% unique random signatures, 10% exact duplicates (same signature and exact hash) and 10%
   near-duplicates of a random document at Jaccard 0.6..1.0 (each signature entry kept with that
   probability), lengths log-normal around 2,000 characters. Band hashes are computed from the
   signatures as in the clean phase. Runs in a child process to measure its peak RSS, once in
   memory and once with a small memory budget (spilling).

Usage: .venv/bin/python bench/minhash_speed.py [--docs 1000000] [--signature-docs 2000] [--skip-global]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from corpus import CORPUS
from datasketch import MinHash

from cleaner.dedup.cluster import run_dedup
from cleaner.dedup.lsh import band_hashes
from cleaner.dedup.minhash import minhash_batch
from cleaner.dedup.params import DedupParams
from cleaner.dedup.shingles import shingle_batch
from cleaner.dedup.store import BatchHashes, hash_batch, write_unit

FILES = {
    "zh": ["zh/zh_news_peoples_daily_1998.jsonl", "zh/zh_wiki_cmrc2018.jsonl", "zh/zh_court_judgments.jsonl"],
    "en": ["en/en_usenet_20newsgroups.jsonl", "en/en_web_pages_maintext.jsonl", "en/en_commoncrawl_samples.jsonl"],
}
UNIT_ROWS = 10_000


def load(lang: str, limit: int) -> list[str]:
    texts: list[str] = []
    for name in FILES[lang]:
        with open(CORPUS / name, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh][: limit // len(FILES[lang])]
    return texts


def best_of(repeats: int, run) -> float:
    """Smallest wall time of `repeats` runs (the least disturbed by the other process on the box)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def signature_speed(lang: str, limit: int, params: DedupParams) -> dict:
    texts = load(lang, limit)
    batches = [shingle_batch(texts[i : i + 512], params.ngram, params.seed) for i in range(0, len(texts), 512)]
    shingles = sum(len(h) for h, _ in batches)

    def ours_minhash() -> None:
        for hashes, offsets in batches:
            minhash_batch(hashes, offsets, params.num_perm, params.seed)

    def ours_text_to_signature() -> None:
        for i in range(0, len(texts), params.batch_docs):
            hashes, offsets = shingle_batch(texts[i : i + params.batch_docs], params.ngram, params.seed)
            minhash_batch(hashes, offsets, params.num_perm, params.seed)

    def ours_clean_phase() -> None:
        for i in range(0, len(texts), params.batch_docs):
            hash_batch(texts[i : i + params.batch_docs], params)

    items = [
        [h.tobytes() for h in hashes[offsets[i] : offsets[i + 1]]]
        for hashes, offsets in batches
        for i in range(len(offsets) - 1)
    ]

    def datasketch() -> None:
        for doc in items:
            MinHash(num_perm=params.num_perm).update_batch(doc)

    warnings.simplefilter("ignore")
    seconds = {
        "ours_minhash": best_of(3, ours_minhash),
        "ours_text_to_signature": best_of(3, ours_text_to_signature),
        "ours_clean_phase": best_of(3, ours_clean_phase),
    }
    seconds["datasketch_update_batch"] = best_of(3, datasketch)
    rates = {k: round(len(texts) / v) for k, v in seconds.items()}
    return {
        "lang": lang,
        "docs": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
        "mean_shingles": round(shingles / len(texts)),
        "docs_per_s": rates,
        "speedup_minhash": round(rates["ours_minhash"] / rates["datasketch_update_batch"], 2),
        "speedup_text_to_signature": round(rates["ours_text_to_signature"] / rates["datasketch_update_batch"], 2),
    }


def synthetic_units(folder: Path, docs: int, params: DedupParams, seed: int = 0) -> list[Path]:
    """Signature files of `docs` synthetic documents (see module docstring)."""
    rng = np.random.default_rng(seed)
    bands, rows = params.lsh
    paths = []
    for u, start in enumerate(range(0, docs, UNIT_ROWS)):
        n = min(UNIT_ROWS, docs - start)
        signatures = rng.integers(0, 2**32, size=(n, params.num_perm), dtype=np.uint32)
        exact = rng.integers(0, 2**63, size=(n, 2), dtype=np.uint64)
        kind = rng.random(n)
        source = rng.integers(0, n, size=n)
        exact_dup = kind < 0.1
        signatures[exact_dup] = signatures[source[exact_dup]]
        exact[exact_dup] = exact[source[exact_dup]]
        near = (kind >= 0.1) & (kind < 0.2)
        similarity = rng.uniform(0.6, 1.0, size=n)[near, None]
        keep = rng.random((int(near.sum()), params.num_perm)) < similarity
        signatures[near] = np.where(keep, signatures[source[near]], signatures[near])
        keys = {
            "row": np.arange(n),
            "id": [f"doc-{start + i}" for i in range(n)],
            "source_file": [f"shard-{u // 10:04d}.jsonl"] * n,
            "line": np.arange(n) + 1 + (u % 10) * UNIT_ROWS,
            "quality_score": np.where(rng.random(n) < 0.5, np.nan, rng.random(n)),
            "length": rng.lognormal(np.log(2000), 0.8, size=n).astype(np.int64) + 1,
        }
        shingles = rng.integers(200, 2000, size=n)
        shingles[exact_dup | near] = shingles[source[exact_dup | near]]
        hashes = BatchHashes(exact, band_hashes(signatures, bands, rows, params.seed), signatures, shingles)
        paths.append(folder / "signatures" / f"s{u // 10:06d}-c{u % 10:04d}.parquet")
        write_unit(paths[-1], paths[-1].stem, params, keys, hashes)
    return paths


def _child(paths: list[Path], out: Path, params: DedupParams, queue) -> None:
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        summary = run_dedup(paths, out, params)
    except Exception as err:  # reported by the parent, which would otherwise wait forever
        queue.put({"error": repr(err)})
        raise
    summary["wall_seconds"] = round(time.perf_counter() - started, 1)
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    summary["rss_before_mb"] = round(baseline / 1024)
    summary.pop("units_with_removals")
    queue.put(summary)


def global_phase(paths: list[Path], out: Path, params: DedupParams) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(paths, out, params, queue))
    process.start()
    summary = queue.get()
    process.join()
    if "error" in summary:
        raise RuntimeError(f"global phase failed: {summary['error']}")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="documents in the global-phase run")
    parser.add_argument("--signature-docs", type=int, default=1500, help="real documents per language")
    parser.add_argument("--spill-budget-mb", type=float, default=64.0)
    parser.add_argument("--skip-global", action="store_true")
    args = parser.parse_args()
    params = DedupParams()
    print(f"num_perm {params.num_perm}, bands x rows {params.lsh}")
    for lang in ("zh", "en"):
        print(json.dumps(signature_speed(lang, args.signature_docs, params)), flush=True)
    if args.skip_global:
        return 0
    folder = Path(tempfile.mkdtemp(prefix="dedup-bench-"))
    try:
        started = time.perf_counter()
        paths = synthetic_units(folder, args.docs, params)
        store_bytes = sum(p.stat().st_size for p in paths)
        print(
            f"wrote {args.docs:,} synthetic docs in {len(paths)} units in {time.perf_counter() - started:.0f}s: "
            f"{store_bytes / args.docs:.0f} bytes/doc on disk",
            flush=True,
        )
        for label, run_params in (
            ("in memory", params),
            ("spilling", DedupParams(memory_budget_mb=args.spill_budget_mb)),
        ):
            summary = global_phase(paths, folder / f"dedup-{label.replace(' ', '-')}", run_params)
            print(json.dumps({"mode": label, **summary}), flush=True)
            per_doc = (summary["peak_rss_mb"] - summary["rss_before_mb"]) * 2**20 / args.docs
            print(
                f"{label}: {summary['wall_seconds']}s wall, peak RSS {summary['peak_rss_mb']} MB "
                f"({summary['rss_before_mb']} MB before the phase, {per_doc:.0f} B/doc above it), "
                f"{summary['partitions']} partitions, removed {summary['removed']:,}; 100M docs if linear: "
                f"~{per_doc * 1e8 / 2**30:.0f} GiB RSS, "
                f"signature store {store_bytes / args.docs * 1e8 / 2**30:.0f} GiB",
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
