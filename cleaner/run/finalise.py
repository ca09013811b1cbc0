"""The finalise phase for one shard: its parts become kept/, rejected/ and stats/ files.

Every shard is conformed to the run-wide schema (see cleaner/run/schema.py): a single segment
that already has it is hard-linked into place (no copy); otherwise the segments are rewritten
under it, one row group at a time. The shard's done-marker is written last, and the part folders
are removed after it.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.dedup.removals import load_removals, split_removed
from cleaner.dedup.store import read_tokens
from cleaner.errors import AccountingError, OutputError
from cleaner.io.fsutil import publish_copy, read_json, write_json_atomic
from cleaner.io.writer import conform, merge_segments, write_table
from cleaner.run.layout import RunLayout
from cleaner.run.plan import Shard
from cleaner.run.samples import doc_ref
from cleaner.run.samples import merge as merge_samples
from cleaner.run.stats import StageCounters, Stats, check_accounting
from cleaner.run.tokens import TokenCounter


@dataclass(frozen=True)
class FinaliseTask:
    shard: Shard
    dest: str
    compression_level: int
    batch_rows: int
    #: The run-wide schemas every kept/ and rejected/ file is conformed to.
    kept_schema: pa.Schema
    rejected_schema: pa.Schema
    #: The dedup phase's output folder when the recipe deduplicates, else None.
    dedup_dir: str | None = None
    tokenizer: str = "none"


@functools.lru_cache(maxsize=2)
def _token_counter(spec: str) -> TokenCounter:
    return TokenCounter(spec)


def _removed_tokens(signatures: Path, removals: pa.Table, texts: list[str], tokenizer: str) -> int:
    """Tokens of a unit's removed duplicates: the counts its signature file kept (the clean phase
    counted every kept text), or, for a file written before it kept them (a run resumed across
    versions), the texts counted again."""
    counts = read_tokens(signatures)
    if counts is None:
        counter = _token_counter(tokenizer)
        return sum(counter.count(text) for text in texts)
    return int(counts[removals.column("row").to_numpy()].sum())


def _remove_duplicates(
    part: Path, segments: list[Path], removals: pa.Table, task: FinaliseTask
) -> tuple[Path, Path, pa.Table]:
    """Split a unit's kept rows into what stays and what dedup removed; write both as segments.

    Works one row group at a time, so memory holds one batch of the unit plus its removed rows,
    however large the unit. Returns (kept segment, duplicates segment, removed rows)."""
    schema = task.kept_schema
    rows = removals.column("row").to_numpy()
    kept_path, duplicates_path = part / "kept-dedup.parquet", part / "duplicates.parquet"
    removed_parts = []
    offset = 0
    try:
        with pq.ParquetWriter(kept_path, schema, compression="zstd", compression_level=task.compression_level) as out:
            for segment in segments:
                source = pq.ParquetFile(segment)
                for group in range(source.num_row_groups):
                    batch = conform(source.read_row_group(group), schema)
                    here = (rows >= offset) & (rows < offset + batch.num_rows)
                    local = removals.filter(pa.array(here))
                    local = local.set_column(0, "row", pa.array(rows[here] - offset, pa.int64()))
                    stay, removed = split_removed(batch, local)
                    out.write_table(stay)
                    removed_parts.append(removed)
                    offset += batch.num_rows
    except OSError as err:
        raise OutputError(f"cannot write {kept_path}: {err}") from None
    removed = pa.concat_tables(removed_parts)  # a unit with removals has kept rows, so parts exist
    removed = removed.append_column("stage", pa.array(["dedup"] * removed.num_rows, pa.string()))
    details = [f"duplicate of {keeper}" for keeper in removed.column("duplicate_of").to_pylist()]
    removed = removed.append_column("detail", pa.array(details, pa.string()))
    write_table(removed, duplicates_path, task.compression_level, task.batch_rows)
    return kept_path, duplicates_path, removed


def _apply_dedup(
    task: FinaliseTask,
    parts: list[Path],
    kept: list[list[Path]],
    rejected: list[Path],
    stats: Stats,
) -> tuple[list[Path], list[Path], list[str]]:
    """Drop the shard's duplicates from its kept segments, add them to its rejected segments and
    to the stats (a `dedup` stage); return the new segment lists and the removed documents' refs."""
    counters = StageCounters("dedup", "dedup", docs_in=stats.kept)
    new_kept: list[Path] = []
    removed_refs: list[str] = []
    layout = RunLayout(Path(task.dest))
    for part, segments in zip(parts, kept):
        removals = load_removals(Path(task.dedup_dir), part.name)
        if removals.num_rows == 0:
            new_kept += segments
            continue
        kept_path, duplicates_path, removed = _remove_duplicates(part, segments, removals, task)
        new_kept.append(kept_path)
        rejected = [*rejected, duplicates_path]
        counters.rejected.update(removed.column("reason").to_pylist())
        texts = removed.column("text").to_pylist()
        stats.chars_out -= sum(map(len, texts))
        if task.tokenizer != "none":
            stats.tokens_out -= _removed_tokens(layout.signatures(part.name), removals, texts, task.tokenizer)
        removed_refs += [
            doc_ref(source, line)
            for source, line in zip(removed.column("source_file").to_pylist(), removed.column("line").to_pylist())
        ]
    removed_total = sum(counters.rejected.values())
    stats.kept -= removed_total
    stats.rejected += removed_total
    counters.docs_out = stats.kept
    stats.stages.append(counters)
    return new_kept, rejected, removed_refs


def _publish(segments: list[Path], dest: Path, schema: pa.Schema, level: int) -> None:
    if len(segments) == 1 and pq.read_schema(segments[0]).equals(schema, check_metadata=True):
        publish_copy(segments[0], dest)
    else:
        merge_segments(segments, dest, schema, level)


def _rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def finalise_shard(task: FinaliseTask) -> dict[str, Any]:
    shard, layout = task.shard, RunLayout(Path(task.dest))
    parts = [layout.part(chunk.unit) for chunk in shard.chunks]
    results = [read_json(part / "part.json") for part in parts]
    stats = Stats()
    for result in results:
        stats.add(Stats.from_json(result["stats"]))
    check_accounting(stats, shard.source_file)

    paths = layout.shard_outputs(shard.name)
    kept_by_part = [[part / name for name in r["kept_segments"]] for part, r in zip(parts, results)]
    rejected = [part / name for part, r in zip(parts, results) for name in r["rejected_segments"]]
    removed_refs: list[str] = []
    if task.dedup_dir is None:
        kept = [segment for segments in kept_by_part for segment in segments]
    else:
        kept, rejected, removed_refs = _apply_dedup(task, parts, kept_by_part, rejected, stats)
        check_accounting(stats, shard.source_file)
    _publish(kept, paths.kept, task.kept_schema, task.compression_level)
    _publish(rejected, paths.rejected, task.rejected_schema, task.compression_level)
    kept_rows, rejected_rows = _rows(paths.kept), _rows(paths.rejected)
    if kept_rows != stats.kept or rejected_rows != stats.rejected + stats.malformed:
        raise AccountingError(
            f"{shard.source_file}: parquet has {kept_rows} kept / {rejected_rows} rejected rows, "
            f"stats say {stats.kept} / {stats.rejected + stats.malformed}"
        )
    shard_json = {
        "shard": shard.name,
        "source_file": shard.source_file,
        "chunks": len(shard.chunks),
        **stats.to_json(),
        "worker_peak_rss_mb": max(r["worker_peak_rss_mb"] for r in results),
    }
    write_json_atomic(paths.stats, shard_json)
    shard_samples = merge_samples([read_json(part / "samples.json") for part in parts], exclude=set(removed_refs))
    write_json_atomic(layout.shard_samples(shard.sid), shard_samples)
    write_json_atomic(layout.done_marker(shard.sid), {"shard": shard.name})
    for part in parts:
        shutil.rmtree(part, ignore_errors=True)
    return shard_json
