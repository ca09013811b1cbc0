"""Dedup phase at scale: wall time, driver and largest-task peak RSS, disk, for N documents.

Synthetic signature files are written directly (no text, so 10M documents take minutes): units of
100k documents, ten units per source file. Duplicate structure: 70% of documents are unique; 27%
belong to one of N/8 clusters picked uniformly (sizes about Poisson, mostly 2-5 members) and 3% to
one of 200 boilerplate clusters picked by a Zipf law (the largest thousands of members); members
are spread over the whole corpus. A member is an exact copy of its cluster's template (same
signature and exact hash) or, for half of them, a near copy with 2-12% of the signature entries
replaced (estimated Jaccard about 0.88-0.98) and its own exact hash. Templates are a hash of the
cluster number, so no process holds them. Band hashes are a vectorised 64-bit mix of each band's
rows (the phase only compares them for equality; the clean phase uses xxh3).

Each configuration runs `run_dedup` in a fresh child process (the driver) whose tasks run in a
pool of W spawned worker processes; driver peak RSS is the child's VmHWM, the largest task's is
the highest VmHWM a worker reported after a task (a worker's high-water mark).

Usage: .venv/bin/python bench/dedup_scale.py [--docs 1000000 3000000] [--configs 1x1 4x4]
       [--budget-mb 2048] [--keep DIR]
A config PxW is P partitions (0: from the memory budget) and W workers. Prints a table and JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from cleaner.dedup.cluster import run_dedup
from cleaner.dedup.params import DedupParams
from cleaner.dedup.store import BatchHashes, write_unit
from cleaner.dedup.work import peak_rss_mb

UNIT_ROWS = 100_000
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (uint64 -> uint64)."""
    x = (x + _GOLDEN).astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _bands(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    out = np.empty((len(signatures), bands), np.uint64)
    for j in range(bands):
        h = np.full(len(signatures), (j + 1) * int(_GOLDEN) % 2**64, dtype=np.uint64)
        for k in range(j * rows, (j + 1) * rows):
            h = _mix(h ^ signatures[:, k].astype(np.uint64))
        out[:, j] = h
    return out


def write_corpus(folder: Path, docs: int, params: DedupParams, seed: int = 0) -> list[Path]:
    """Signature files of `docs` synthetic documents (see module docstring)."""
    bands, rows = params.lsh
    clusters = max(1, docs // 8)
    perm = np.arange(params.num_perm, dtype=np.uint64)
    paths = []
    for u, start in enumerate(range(0, docs, UNIT_ROWS)):
        rng = np.random.default_rng([seed, u])
        n = min(UNIT_ROWS, docs - start)
        kind = rng.random(n)
        cluster = np.where(
            kind < 0.27,
            rng.integers(0, clusters, n),
            clusters + (rng.zipf(1.6, n) - 1) % 200,
        ).astype(np.uint64)
        member = kind < 0.30
        signatures = rng.integers(0, 2**32, size=(n, params.num_perm), dtype=np.uint32)
        template = (_mix(cluster[member, None] * np.uint64(params.num_perm) + perm) >> np.uint64(32)).astype(np.uint32)
        near = rng.random(int(member.sum())) < 0.5
        replaced = rng.random(template.shape) < rng.uniform(0.02, 0.12, len(template))[:, None]
        replaced &= near[:, None]
        signatures[member] = np.where(replaced, signatures[member], template)
        exact = rng.integers(0, 2**63, size=(n, 2), dtype=np.uint64)
        copies = np.flatnonzero(member)[~near]
        exact[copies, 0] = _mix(cluster[copies] ^ np.uint64(0xE1))
        exact[copies, 1] = _mix(cluster[copies] ^ np.uint64(0xE2))
        size = rng.integers(200, 3000, n)
        size[member] = 200 + (_mix(cluster[member]) % np.uint64(2800)).astype(np.int64)
        keys = {
            "row": np.arange(n),
            "id": [f"doc-{start + i}" for i in range(n)],
            "source_file": [f"shard-{u // 10:05d}.jsonl"] * n,
            "line": np.arange(n) + 1 + (u % 10) * UNIT_ROWS,
            "quality_score": np.where(rng.random(n) < 0.5, np.nan, rng.random(n).round(3)),
            "length": size * 4,
        }
        hashes = BatchHashes(exact, _bands(signatures, bands, rows), signatures, size)
        paths.append(folder / f"s{u // 10:06d}-c{u % 10:04d}.parquet")
        write_unit(paths[-1], paths[-1].stem, params, keys, hashes)
    return paths


def _pool_map(pool):
    def mapper(fn, tasks):
        return pool.imap_unordered(fn, tasks)

    return mapper


def _driver(paths: list[Path], out: Path, params: DedupParams, partitions: int, workers: int, queue) -> None:
    try:
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            summary = run_dedup(paths, out, params, mapper=_pool_map(pool), partitions=partitions or None)
        summary["wall_seconds"] = round(time.perf_counter() - started, 1)
        summary["driver_peak_rss_mb"] = round(peak_rss_mb())
        summary.pop("units_with_removals")
        queue.put(summary)
    except Exception as err:  # reported by the parent, which would otherwise wait forever
        queue.put({"error": repr(err)})
        raise


def measure(paths: list[Path], out: Path, params: DedupParams, partitions: int, workers: int) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_driver, args=(paths, out, params, partitions, workers, queue))
    process.start()
    summary = queue.get()
    process.join()
    if "error" in summary:
        raise RuntimeError(summary["error"])
    shutil.rmtree(out, ignore_errors=True)
    steps = summary["steps"]
    summary["task_peak_rss_mb"] = max(s["peak_rss_mb"] for s in steps.values())
    summary["task_cpu_seconds"] = round(sum(s["task_seconds"] for s in steps.values()), 1)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--configs", nargs="+", default=["1x1", "4x4"], help="PARTITIONSxWORKERS (0: budget)")
    parser.add_argument("--budget-mb", type=float, default=2048.0)
    parser.add_argument("--keep", type=Path, help="folder for the signature files (kept between runs)")
    args = parser.parse_args()
    params = DedupParams(memory_budget_mb=args.budget_mb)
    root = args.keep or Path(tempfile.mkdtemp(prefix="dedup_scale_"))
    rows = []
    for docs in args.docs:
        folder = root / f"{docs}"
        paths = sorted(folder.glob("*.parquet"))
        if len(paths) != -(-docs // UNIT_ROWS):
            shutil.rmtree(folder, ignore_errors=True)
            started = time.perf_counter()
            paths = write_corpus(folder, docs, params)
            print(f"[{docs:,} docs] signatures written in {time.perf_counter() - started:.0f}s", flush=True)
        input_bytes = sum(p.stat().st_size for p in paths)
        for config in args.configs:
            partitions, workers = (int(x) for x in config.split("x"))
            summary = measure(paths, root / "out", params, partitions, workers)
            summary.update(docs=docs, workers=workers, input_bytes=input_bytes)
            print(json.dumps(summary), flush=True)
            rows.append(summary)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    header = f"{'docs':>11} {'P':>3} {'W':>2} {'wall s':>7} {'task cpu s':>10} {'driver MB':>9} {'task MB':>8}"
    header += f" {'work GB':>8} {'input GB':>8} {'removed':>10} {'greedy s':>8}"
    print(header)
    for r in rows:
        greedy = r["steps"].get("keepers", {}).get("task_seconds", 0)
        print(
            f"{r['docs']:>11,} {r['partitions']:>3} {r['workers']:>2} {r['wall_seconds']:>7.0f} "
            f"{r['task_cpu_seconds']:>10.0f} {r['driver_peak_rss_mb']:>9} {r['task_peak_rss_mb']:>8.0f} "
            f"{r['work_bytes'] / 1e9:>8.2f} {r['input_bytes'] / 1e9:>8.2f} {r['removed']:>10,} {greedy:>8.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
