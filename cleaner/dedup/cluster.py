"""The global dedup phase: ranks -> band and exact-hash collisions -> verified edges -> keepers ->
removal files, every step a set of partitioned tasks (work.py) and the driver holding only their
summaries (per unit, range, partition or block: never one entry per document).

Documents are numbered by keeper priority (their *rank*, ranking.py) with a distributed sort, so
the best document of a group wins and the result does not depend on how documents were split into
units, in which order units were listed or into how many partitions the work is cut. Numbers are
uint64: `base` (tests use one above 2**32) plus the position in the catalogue, or plus the rank.

Steps, with `n` = the partition count (`memory_budget_mb`, or `partitions`):

1. sort (per unit) and range (n rank ranges): ranks (ranking.py);
2. spill (per unit) and partition (n hash partitions of the band / exact index): candidate
   edges (candidates.py);
3. signatures (per block of units) and verify (per rank range): verified edges (verify.py);
4. keepers: greedy, one rank range after another (sweep.py), or union-find components by
   large-star / small-star rounds (stars.py);
5. keeper facts and removal files (per block, resolve.py).

Everything is written under `<out_dir>.tmp/`, each task's folder published when complete, so a
killed phase resumes where it stopped (a change of inputs or parameters starts it afresh); at the
end the removal files and `summary.json` are published as `out_dir` and the work folder removed.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaner.dedup.candidates import PartitionTask, SpillTask, partitions_needed
from cleaner.dedup.params import DedupParams
from cleaner.dedup.ranking import RangeTask, RankIndex, SortTask, Unit, splitters
from cleaner.dedup.resolve import KeeperTask, WriteTask
from cleaner.dedup.stars import LabelTask, star_steps
from cleaner.dedup.store import unit_meta, unit_rows
from cleaner.dedup.sweep import GreedyTask
from cleaner.dedup.verify import SignatureStore, SignatureTask, VerifyTask
from cleaner.dedup.work import Mapper, run_step
from cleaner.io.fsutil import read_json, write_json_atomic

#: Unit keys sampled per rank range to place the range splitters.
_SAMPLES_PER_RANGE = 32


def _catalogue(units: Sequence[Path], against: Sequence[Path], params: DedupParams, base: int) -> list[Unit]:
    """Old units then new units, each group sorted by unit name; checks parameters and names."""
    expected = params.signature_key()
    found: list[tuple[bool, str, Path]] = []
    seen: set[tuple[bool, str]] = set()
    for old, paths in ((True, against), (False, units)):
        for path in paths:
            meta = unit_meta(Path(path))
            if meta["params"] != expected:
                raise ValueError(
                    f"{path}: signatures made with {meta['params']}, this run uses {expected}; "
                    "rerun the clean phase (or dedup against a run made with the same dedup parameters)"
                )
            if (old, meta["unit"]) in seen:
                raise ValueError(f"{path}: unit {meta['unit']} listed twice")
            seen.add((old, meta["unit"]))
            found.append((old, meta["unit"], Path(path)))
    found.sort(key=lambda item: (not item[0], item[1]))
    catalogue, start = [], base
    for old, name, path in found:
        rows = unit_rows(path)
        catalogue.append(Unit(path, name, old, start, rows))
        start += rows
    if start >= 2**64 - 1:
        raise ValueError(f"{start} documents: the index numbers documents with uint64")
    return catalogue


def _source_names(path: Path) -> set[str]:
    """The distinct source_file values of a signature file: from the Parquet statistics when each
    row group holds one (the usual case: a unit is a chunk of one shard), else from the column."""
    meta = pq.ParquetFile(path).metadata
    column = meta.schema.names.index("source_file")
    names: set[str] = set()
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(column).statistics
        if stats is None or not stats.has_min_max or stats.min != stats.max:
            return set(pc.unique(pq.read_table(path, columns=["source_file"]).column(0)).to_pylist())
        names.add(stats.min)
    return names


def _blocks(catalogue: list[Unit], count: int) -> list[tuple[Unit, ...]]:
    """Consecutive units in about `count` groups of at most total / count documents (a larger unit
    is a block of its own)."""
    total = sum(unit.rows for unit in catalogue)
    target = max(1, math.ceil(total / count))
    blocks: list[list[Unit]] = []
    for unit in catalogue:
        if not blocks or sum(u.rows for u in blocks[-1]) + unit.rows > target:
            blocks.append([])
        blocks[-1].append(unit)
    return [tuple(block) for block in blocks]


def _open_work(work: Path, plan: dict[str, Any]) -> None:
    """Keep the work folder of an interrupted phase with the same plan; otherwise start afresh."""
    plan_file = work / "plan.json"
    if plan_file.exists() and read_json(plan_file) == plan:
        return
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    write_json_atomic(plan_file, plan)


def _work_folder(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".tmp")


def dedup_done(out_dir: Path) -> bool:
    """Whether `out_dir` is a finished phase; then the work folder a run killed between publishing
    it and removing its work may have left behind is removed."""
    out_dir = Path(out_dir)
    if not (out_dir / "summary.json").exists():
        return False
    shutil.rmtree(_work_folder(out_dir), ignore_errors=True)
    return True


def run_dedup(
    units: Sequence[Path],
    out_dir: Path,
    params: DedupParams,
    against: Sequence[Path] = (),
    against_removed: Path | None = None,
    mapper: Mapper = map,
    partitions: int | None = None,
    base: int = 0,
) -> dict[str, Any]:
    """Find duplicates among the documents of signature files `units`; write the removals.

    `against`: signature files of an earlier run; its documents are never removed and always win,
    so new documents that duplicate them are removed. `against_removed`: that run's dedup output
    directory, whose removed documents are left out (a duplicate then points at their keeper).

    Writes `out_dir/<unit>.parquet` for every new unit with removals and `out_dir/summary.json`;
    an existing `out_dir` is a finished phase. `mapper` runs each step's tasks: builtin `map` here
    one after another; an executor's map as parallel tasks (Ray), which must see `<out_dir>.tmp`.
    `partitions` (a power of two) overrides the count the memory budget gives. Returns the summary
    plus, per step, its tasks' count, seconds and largest peak RSS (`steps`).
    """
    started = time.monotonic()
    out_dir = Path(out_dir)
    catalogue = _catalogue(units, against, params, base)
    total = sum(unit.rows for unit in catalogue)
    count = partitions or partitions_needed(total, params)
    if count & (count - 1):
        raise ValueError(f"partitions: {count} is not a power of two")
    work = _work_folder(out_dir)
    plan = {
        "units": [[str(u.path), u.old] for u in catalogue],
        "against_removed": str(against_removed) if against_removed else None,
        "params": dataclasses.asdict(params),
        "partitions": count,
        "base": base,
    }
    _open_work(work, plan)
    summaries: dict[str, list[dict[str, Any]]] = {}

    def step(name: str, tasks: Sequence[Any]) -> list[dict[str, Any]]:
        results = run_step(tasks, mapper)
        summaries.setdefault(name, []).extend(results)
        return results

    unit_names = [_source_names(u.path) for u in catalogue]
    index = {name: i for i, name in enumerate(sorted(set().union(*unit_names)))}
    samples = math.ceil(_SAMPLES_PER_RANGE * count / max(len(catalogue), 1)) + 1
    sorted_units = step(
        "sort",
        [
            SortTask(u, {n: index[n] for n in names}, against_removed, samples, work / "sort" / f"{i:06d}")
            for i, (u, names) in enumerate(zip(catalogue, unit_names))
        ],
    )
    bounds = splitters([k for s in sorted_units for k in s["sample"]], count)
    key_files = tuple(work / "sort" / f"{i:06d}" / "keys.npy" for i in range(len(catalogue)))
    range_folders = tuple(work / "range" / f"{r:05d}" for r in range(count))
    ranged = step("range", [RangeTask(key_files, bounds[r], bounds[r + 1], range_folders[r]) for r in range(count)])
    offsets = [base]
    for summary in ranged:
        offsets.append(offsets[-1] + summary["documents"])
    ranks = RankIndex(tuple(offsets), range_folders)
    protected_below = base + sum(s["documents"] for u, s in zip(catalogue, sorted_units) if u.old)

    blocks = _blocks(catalogue, count)
    block_starts = (
        tuple(b[0].start for b in blocks) + (blocks[-1][-1].start + blocks[-1][-1].rows,) if blocks else (base, base)
    )
    spills = tuple(work / "spill" / f"{i:06d}" for i in range(len(catalogue)))
    step("spill", [SpillTask(u, params, ranks, count, spills[i]) for i, u in enumerate(catalogue)])
    verify = params.verify and params.near
    parts = tuple(work / "partition" / f"{p:05d}" for p in range(count))
    step("partition", [PartitionTask(spills, p, ranks, block_starts if verify else (), parts[p]) for p in range(count)])

    store = None
    if verify:
        signature_folders = tuple(work / "signatures" / f"{g:05d}" for g in range(len(blocks)))
        step(
            "signatures",
            [SignatureTask(b, g, parts, params.num_perm, signature_folders[g]) for g, b in enumerate(blocks)],
        )
        store = SignatureStore(block_starts, signature_folders, params.num_perm)
    needed = params.threshold + params.verify_offset if verify else None
    verified = [work / "verify" / f"{r:05d}" for r in range(count)]
    step("verify", [VerifyTask(parts, r, needed, ranks, store, verified[r]) for r in range(count)])

    decided = [work / "keepers" / f"{r:05d}" for r in range(count)]
    if params.clustering == "greedy":
        for r in range(count):
            step(
                "keepers",
                [GreedyTask(verified[r], r, tuple(decided[:r]), ranks, protected_below, block_starts, decided[r])],
            )
    else:
        stars = star_steps(verified, ranks, work / "stars", lambda tasks: step("stars", tasks))
        step("keepers", [LabelTask(stars, r, ranks, protected_below, block_starts, decided[r]) for r in range(count)])

    facts = [work / "facts" / f"{g:05d}" for g in range(len(blocks))]
    step(
        "facts",
        [KeeperTask(b, g, tuple(decided), block_starts, facts[g]) for g, b in enumerate(blocks)],
    )
    writes = [work / "write" / f"{h:05d}" for h in range(len(blocks))]
    written = step(
        "write",
        [WriteTask(b, h, tuple(facts), params.exact, writes[h]) for h, b in enumerate(blocks)],
    )
    removed = sum(s["removed"] for s in written)
    removed_exact = sum(s["removed_exact"] for s in written)
    summary: dict[str, Any] = {
        "removed": removed,
        "removed_exact": removed_exact,
        "removed_near": removed - removed_exact,
        "units_with_removals": [name for s in written for name in s["units_with_removals"]],
        "partitions": count,
        "index_entries": sum(s["entries"] for s in summaries["partition"]),
        "candidate_pairs": sum(s["candidate_pairs"] for s in summaries["verify"]),
        "documents": offsets[-1] - base,
        "verified_pairs": sum(s["verified_pairs"] for s in summaries["verify"]),
        "exact_pairs": sum(s["exact_pairs"] for s in summaries["verify"]),
        "clusters": sum(s["clusters"] for s in summaries["facts"]),
        "bands_rows": list(params.lsh),
        "blocks": len(blocks),
        "work_bytes": sum(s["bytes"] for results in summaries.values() for s in results),
        "seconds": round(time.monotonic() - started, 2),
    }
    _publish(work, out_dir, writes, summary)
    # Not in summary.json, which is the same whatever executor ran the tasks.
    steps = {
        name: {
            "tasks": len(results),
            "task_seconds": round(sum(s["seconds"] for s in results), 2),
            "longest_task_seconds": max(s["seconds"] for s in results),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in results),
            "bytes": sum(s["bytes"] for s in results),
        }
        for name, results in summaries.items()
        if results
    }
    return {**summary, "steps": steps}


def _publish(work: Path, out_dir: Path, writes: list[Path], summary: dict[str, Any]) -> None:
    """Gather the removal files and the summary into `out_dir` (a folder renamed into place), then
    drop the work folder."""
    result = work / "result"
    shutil.rmtree(result, ignore_errors=True)
    result.mkdir()
    for folder in writes:
        for path in sorted(folder.glob("*.parquet")):
            os.link(path, result / path.name)
    with open(result / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(result, out_dir)
    shutil.rmtree(work)
