"""The `lines` pre-pass: which normalised lines occur in at least `min_docs` distinct documents of
their scope, for the recipe's `remove_repeated_lines` stage (cleaner/stages/repeated_lines.py).

It runs before the clean phase, in two resumable steps:

1. One task per clean unit (a shard chunk, in the workers): read the unit's documents exactly as
   the clean phase does, run the stages that precede `remove_repeated_lines` (documents they reject
   are not counted), and collect one (line key, content hash) pair per distinct line of each
   document. Every `RUN_PAIRS` pairs are sorted, made unique and written as one *run* (keys and
   content hashes, 12 bytes a pair) into `_state/lines/units/<unit>.tmp/`, renamed to `<unit>/`
   when the unit is complete: a worker holds at most one run in memory, whatever the unit's size.
2. One task per hash partition, as many as `memory_budget_mb` needs (cleaner/dedup/partitions.py):
   every run is sorted by key, so a partition (the keys with the same top bits) is one slice of
   each run, read through a memory map; the task drops repeated (key, content) pairs, counts the
   documents per key and writes the keys at or above `min_docs`. Locally the driver runs the
   partitions one after another (the workers would multiply the budget); on Ray each is a task.

The driver joins the partitions, in order (already sorted, as they split the key space by top
bits), into `_state/lines/frequent.npy`, then writes `_state/lines/summary.json`, which marks the
phase done, and removes the runs. The frequent set depends only on the documents and the stage's
parameters: not on the worker count, the chunking, the partition count or any interruption.
"""

from __future__ import annotations

import os
import resource
import shutil
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.partitions import partition_count
from cleaner.document import Document
from cleaner.errors import OutputError
from cleaner.io.fsutil import publish_folder, read_json, start_folder, temp_name, write_atomic, write_json_atomic
from cleaner.io.parse import Malformed, parse_line
from cleaner.recipe import Recipe
from cleaner.run.clean import BATCH_CHARS, BATCH_DOCS, StageRunner
from cleaner.run.executors import Executor
from cleaner.run.layout import RunLayout
from cleaner.run.plan import Shard, UnitInput, bytes_to_read, unit_lines, verify_unchanged
from cleaner.run.progress import Progress, log
from cleaner.run.worker import current
from cleaner.stages.repeated_lines import RepeatedLines, find_repeated_lines

#: (line key, content hash) pairs a unit collects before sorting them and writing them as one run.
RUN_PAIRS = 1 << 21
#: Working bytes per pair while a partition is counted: the pair (12), the lexsort order (8),
#: the sorted copies (12) and the masks and run starts (about 10).
PAIR_BYTES = 42


@dataclass(frozen=True)
class LinesTask:
    input: UnitInput
    out_dir: str


@dataclass(frozen=True)
class CountTask:
    #: Key files of every run of every unit (each run's content hashes are beside it).
    runs: tuple[str, ...]
    partition: int
    partitions: int
    min_docs: int
    out: str


def _save_atomic(path: Path, values: np.ndarray) -> None:
    write_atomic(path, lambda fh: np.save(fh, values))


def _contents_path(keys_path: Path) -> Path:
    return keys_path.with_name(keys_path.name.replace("keys-", "contents-"))


def _unique_pairs(keys: np.ndarray, contents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (key, content) pairs sorted by key, then content, each once."""
    order = np.lexsort((contents, keys))
    keys, contents = keys[order], contents[order]
    del order
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (contents[1:] != contents[:-1])
    return keys[new], contents[new]


def _frequent(keys: np.ndarray, min_docs: int) -> tuple[np.ndarray, int]:
    """From sorted keys, one per (key, document content): the keys held by at least `min_docs`
    documents, and how many distinct keys there are."""
    if not len(keys):
        return keys, 0
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    documents = np.diff(np.append(starts, len(keys)))
    return keys[starts[documents >= min_docs]], len(starts)


def frequent_keys(stage: RepeatedLines, docs: Iterable[Document]) -> np.ndarray:
    """The frequent-line set of documents held in memory (a benchmark's or an evaluation's few
    thousand), counted as the pre-pass counts them, for `stage.use_frequent`."""
    keys, contents = array("Q"), array("I")
    for doc in docs:
        doc_keys, content = stage.document_keys(doc)
        keys.extend(doc_keys)
        contents.extend([content] * len(doc_keys))
    sorted_keys, _ = _unique_pairs(np.frombuffer(keys, dtype=np.uint64), np.frombuffer(contents, dtype=np.uint32))
    return _frequent(sorted_keys, stage.min_docs)[0]


def _write_run(folder: Path, index: int, keys: array, contents: array) -> tuple[str, int]:
    """Write one run's pairs, sorted and each once; return (key file name, pairs)."""
    k, c = _unique_pairs(np.frombuffer(keys, dtype=np.uint64), np.frombuffer(contents, dtype=np.uint32))
    keys_path = folder / f"keys-{index:04d}.npy"
    np.save(keys_path, k)
    np.save(_contents_path(keys_path), c)
    return keys_path.name, len(k)


def _reaching(runner: StageRunner | None, parsed: Iterable[Document | Malformed]) -> Iterator[Document]:
    """The parsed documents that the stages before remove_repeated_lines keep, in input order,
    run through those stages in the clean phase's batches."""
    batch: list[Document] = []
    chars = 0
    for item in parsed:
        if not isinstance(item, Document):
            continue
        if runner is None:
            yield item
            continue
        batch.append(item)
        chars += len(item.text)
        if len(batch) >= BATCH_DOCS or chars >= BATCH_CHARS:
            yield from _kept(runner, batch)
            batch, chars = [], 0
    if batch:
        yield from _kept(runner, batch)


def _kept(runner: StageRunner, batch: list[Document]) -> Iterator[Document]:
    return (doc for doc, outcome in zip(batch, runner.run_batch(batch)) if outcome is None)


def count_unit(task: LinesTask) -> dict[str, Any]:
    """Collect one unit's (line key, content hash) pairs into sorted runs under `task.out_dir`."""
    worker = current()
    recipe, stages = worker.recipe, worker.stages
    found = find_repeated_lines(stages)
    if found is None:
        raise RuntimeError("the lines pre-pass needs a recipe with remove_repeated_lines")
    position, stage = found
    before = stages[:position]
    runner = StageRunner(recipe, before) if before else None  # as the clean phase runs them: routes, time budget
    started = time.perf_counter()
    out = Path(task.out_dir)
    tmp = start_folder(out)
    keys, contents = array("Q"), array("I")
    runs: list[dict[str, Any]] = []
    read = documents = lines = 0
    progress = [0]
    unit = task.input

    def parsed() -> Iterator[Document | Malformed]:
        nonlocal read
        for raw in unit_lines(unit, recipe.input.max_line_bytes, progress):
            read += 1
            yield parse_line(raw, unit.source_file, recipe.text_fields, recipe.input.id_field, recipe.input.html_field)

    verify_unchanged(unit.path, unit.source_file, unit.size, unit.mtime_ns, unit.end)
    for doc in _reaching(runner, parsed()):
        doc_keys, content = stage.document_keys(doc)
        documents += 1
        lines += len(doc_keys)
        keys.extend(doc_keys)
        contents.extend([content] * len(doc_keys))
        if len(keys) >= RUN_PAIRS:
            name, pairs = _write_run(tmp, len(runs), keys, contents)
            runs.append({"keys": name, "pairs": pairs})
            keys, contents = array("Q"), array("I")
    if keys:
        name, pairs = _write_run(tmp, len(runs), keys, contents)
        runs.append({"keys": name, "pairs": pairs})
    verify_unchanged(unit.path, unit.source_file, unit.size, unit.mtime_ns, unit.end)
    if runner is not None:
        runner.collect_counters()  # drained: the clean phase counts these documents again
    result = {
        "unit": unit.unit,
        "read": read,
        "documents": documents,
        "lines": lines,
        "runs": runs,
        "bytes_read": progress[0],
        "seconds": round(time.perf_counter() - started, 3),
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    write_json_atomic(tmp / "unit.json", result)
    publish_folder(tmp, out)
    return result


def _key_range(partition: int, partitions: int) -> tuple[np.uint64, np.uint64 | None]:
    """The keys of a partition: [low, high), high None for the last (partitions: a power of two)."""
    shift = 64 - (partitions.bit_length() - 1)
    if shift == 64:
        return np.uint64(0), None
    high = None if partition == partitions - 1 else np.uint64((partition + 1) << shift)
    return np.uint64(partition << shift), high


def count_partition(task: CountTask) -> dict[str, Any]:
    """Count the distinct documents of every key of one partition; write the frequent keys."""
    low, high = _key_range(task.partition, task.partitions)
    key_parts, content_parts = [], []
    for run in task.runs:
        keys = np.load(run, mmap_mode="r")
        a = int(np.searchsorted(keys, low))
        b = len(keys) if high is None else int(np.searchsorted(keys, high))
        if b > a:
            key_parts.append(np.array(keys[a:b]))
            content_parts.append(np.array(np.load(_contents_path(Path(run)), mmap_mode="r")[a:b]))
    keys = np.concatenate(key_parts) if key_parts else np.zeros(0, np.uint64)
    contents = np.concatenate(content_parts) if content_parts else np.zeros(0, np.uint32)
    key_parts.clear()
    content_parts.clear()
    keys = _unique_pairs(keys, contents)[0]
    del contents
    frequent, distinct = _frequent(keys, task.min_docs)
    out = Path(task.out)
    summary = {"partition": task.partition, "pairs": len(keys), "keys": distinct, "frequent": len(frequent)}
    write_json_atomic(out.with_suffix(".json"), summary)
    _save_atomic(out, frequent)
    return summary


def _join(parts: list[Path], path: Path) -> None:
    """Write the partitions' frequent keys, in partition order, as one sorted array at `path`, one
    partition in memory at a time."""
    sizes = [int(np.load(part, mmap_mode="r").shape[0]) for part in parts]
    tmp = temp_name(path)
    try:
        joined = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint64, shape=(sum(sizes),))
        at = 0
        for part, size in zip(parts, sizes):
            joined[at : at + size] = np.load(part)
            at += size
        joined.flush()
        del joined
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from None


def _unit_pass(
    executor: Executor, shards: list[Shard], layout: RunLayout, heartbeat: float, limit: int
) -> list[dict[str, Any]]:
    """Step 1: every unit without a finished folder collects its pairs; return every unit's record."""
    units = [UnitInput.of(shard, chunk, limit) for shard in shards for chunk in shard.chunks]
    tasks = [LinesTask(u, str(layout.lines_unit(u.unit))) for u in units if not layout.lines_unit(u.unit).is_dir()]
    total_bytes = bytes_to_read([task.input for task in tasks])
    progress = Progress("lines", len(tasks), total_bytes, layout.progress, heartbeat)
    for result in executor.map(count_unit, tasks, heartbeat):
        if result is not None:
            progress.unit_done(result["read"], result["documents"], result["bytes_read"])
        progress.update(None)  # finished units only: the workers' live counters run on into the clean phase
        if result is None:
            progress.report()
    progress.report()
    progress.close()
    return [read_json(layout.lines_unit(u.unit) / "unit.json") for u in units]


def _partition_pass(
    executor: Executor, units: list[dict[str, Any]], stage: RepeatedLines, layout: RunLayout, heartbeat: float
) -> tuple[int, int]:
    """Step 2: count every partition not yet written, join them; (partitions, distinct keys)."""
    runs = tuple(str(layout.lines_unit(u["unit"]) / run["keys"]) for u in units for run in u["runs"])
    pairs = sum(run["pairs"] for u in units for run in u["runs"])
    partitions = partition_count(pairs, PAIR_BYTES, int(stage.memory_budget_mb * 2**20))
    tasks = [
        CountTask(runs, p, partitions, stage.min_docs, str(layout.lines_partition(p, partitions)))
        for p in range(partitions)
    ]
    pending = [task for task in tasks if not Path(task.out).exists()]
    if executor.distributes_partitions:
        for _ in executor.map(count_partition, pending, heartbeat):
            pass
    else:
        for task in pending:
            count_partition(task)
    _join([Path(task.out) for task in tasks], layout.frequent_lines)
    return partitions, sum(read_json(Path(task.out).with_suffix(".json"))["keys"] for task in tasks)


def lines_phase(
    executor: Executor, shards: list[Shard], recipe: Recipe, layout: RunLayout, heartbeat: float, limit: int = 0
) -> None:
    """Compute the run's frequent-line set when the recipe removes repeated lines; resumable.
    `limit`: count only lines 1..N of every shard (`cleaner run --limit N`)."""
    spec = next((spec for spec in recipe.stages if spec.name == RepeatedLines.name), None)
    if spec is None:
        return
    stage = spec.build()
    assert isinstance(stage, RepeatedLines)
    if layout.lines_summary.exists():
        shutil.rmtree(layout.lines_units_dir, ignore_errors=True)
        return
    started = time.monotonic()
    units = _unit_pass(executor, shards, layout, heartbeat, limit)
    partitions, distinct = _partition_pass(executor, units, stage, layout, heartbeat)
    documents = sum(u["documents"] for u in units)
    pairs = sum(run["pairs"] for u in units for run in u["runs"])
    frequent = int(np.load(layout.frequent_lines, mmap_mode="r").shape[0])
    summary = {
        "units": len(units),
        "documents": documents,
        "lines": sum(u["lines"] for u in units),
        "pairs": pairs,
        "distinct_keys": distinct,
        "frequent_keys": frequent,
        "partitions": partitions,
        "min_docs": stage.min_docs,
        "per": stage.per,
        "spill_bytes_per_document": round(pairs * 12 / documents, 1) if documents else 0.0,
        "frequent_set_bytes": frequent * 8,
        "worker_peak_rss_mb": max((u["worker_peak_rss_mb"] for u in units), default=0.0),
        "seconds": round(time.monotonic() - started, 2),
    }
    write_json_atomic(layout.lines_summary, summary)
    shutil.rmtree(layout.lines_units_dir, ignore_errors=True)
    shutil.rmtree(layout.lines_partitions_dir, ignore_errors=True)
    log(
        f"[lines] {documents:,} docs, {distinct:,} distinct lines, {frequent:,} in >= {stage.min_docs} documents "
        f"per {stage.per}; spilled {summary['spill_bytes_per_document']} B/doc, frequent set {frequent * 8:,} B "
        f"({partitions} partitions, {summary['seconds']}s)"
    )
