"""The finalise phase for one shard: its parts become kept/, rejected/ and stats/ files.

A shard cleaned in one chunk has one segment per output, which is hard-linked into place (no
copy); several chunks or segments are merged under one schema. The shard's done-marker is
written last, and the part folders are removed after it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cleaner.errors import AccountingError
from cleaner.fsutil import publish_copy, read_json, write_json_atomic
from cleaner.plan import Shard
from cleaner.samples import merge as merge_samples
from cleaner.stats import Stats, check_accounting
from cleaner.writer import BASE_FIELDS, REJECT_FIELDS, merge_segments


@dataclass(frozen=True)
class FinaliseTask:
    shard: Shard
    dest: str
    state: str
    compression_level: int
    annotation_fields: tuple = ()


def output_paths(dest: Path, shard_name: str) -> dict[str, Path]:
    """Final file names for a shard; refuses any name that would land outside DEST."""
    root = dest.resolve()
    paths = {
        "kept": root / "kept" / f"{shard_name}.parquet",
        "rejected": root / "rejected" / f"{shard_name}.parquet",
        "stats": root / "stats" / f"{shard_name}.json",
    }
    for path in paths.values():
        if not path.resolve().is_relative_to(root):
            raise ValueError(f"shard name {shard_name!r} would write outside {root}")
    return paths


def _publish(segments: list[Path], dest: Path, head: list, tail: list, level: int) -> None:
    if len(segments) == 1:
        publish_copy(segments[0], dest)
    else:
        merge_segments(segments, dest, head, tail, level)


def _rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def finalise_shard(task: FinaliseTask) -> dict[str, Any]:
    shard, state = task.shard, Path(task.state)
    parts = [state / "parts" / chunk.unit for chunk in shard.chunks]
    results = [read_json(part / "part.json") for part in parts]
    stats = Stats()
    for result in results:
        stats.add(Stats.from_json(result["stats"]))
    check_accounting(stats, shard.source_file)

    paths = output_paths(Path(task.dest), shard.name)
    head = [*BASE_FIELDS, *task.annotation_fields]
    kept = [part / name for part, r in zip(parts, results) for name in r["kept_segments"]]
    rejected = [part / name for part, r in zip(parts, results) for name in r["rejected_segments"]]
    _publish(kept, paths["kept"], head, [], task.compression_level)
    _publish(rejected, paths["rejected"], head, REJECT_FIELDS, task.compression_level)
    kept_rows, rejected_rows = _rows(paths["kept"]), _rows(paths["rejected"])
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
    write_json_atomic(paths["stats"], shard_json)
    shard_samples = merge_samples([read_json(part / "samples.json") for part in parts])
    write_json_atomic(state / "samples" / f"{shard.sid}.json", shard_samples)
    write_json_atomic(state / "done" / f"{shard.sid}.json", {"shard": shard.name})
    for part in parts:
        shutil.rmtree(part, ignore_errors=True)
    return shard_json
