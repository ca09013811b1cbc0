"""Which files in DEST this run wrote, so that replacing or discarding them never touches others.

A shard's kept/rejected/stats files follow from the plan; every other file the run writes outside
`_state/` (summary, report, review samples, meta-info, the legacy good/ and bad/ files) is claimed
in `_state/outputs.json` when written. Deletion goes only through `release` and `discard_run`,
which remove nothing that is not on those lists.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from cleaner.io.fsutil import read_json, write_json_atomic
from cleaner.run.layout import OUTPUT_FOLDERS, RunLayout


def _ledger(layout: RunLayout) -> list[str]:
    return read_json(layout.outputs) if layout.outputs.exists() else []


def _relative(layout: RunLayout, path: Path) -> str:
    return Path(path).resolve().relative_to(layout.dest.resolve()).as_posix()


def claim(layout: RunLayout, paths: Iterable[Path]) -> None:
    """Record files this run has written (outside `_state/`) as its own."""
    owned = set(_ledger(layout)) | {_relative(layout, p) for p in paths}
    write_json_atomic(layout.outputs, sorted(owned))


def release(layout: RunLayout, relative_paths: Iterable[str]) -> None:
    """Delete files the run claimed earlier and forget them; a path not claimed is left alone."""
    owned = set(_ledger(layout))
    wanted = set(relative_paths) & owned
    for name in sorted(wanted):
        (layout.dest / name).unlink(missing_ok=True)
    write_json_atomic(layout.outputs, sorted(owned - wanted))


def claimed(layout: RunLayout, prefix: str) -> list[str]:
    """Claimed files whose DEST-relative path starts with `prefix` (e.g. "samples/")."""
    return [name for name in _ledger(layout) if name.startswith(prefix)]


def shard_names(layout: RunLayout) -> list[str]:
    """The shards of the run planned in DEST, sorted (the order of its reports)."""
    return sorted(shard["name"] for shard in read_json(layout.plan)) if layout.plan.exists() else []


def shard_files(layout: RunLayout) -> list[Path]:
    """The per-shard outputs of the run planned in DEST."""
    files = []
    for name in shard_names(layout):
        outputs = layout.shard_outputs(name)
        files += [outputs.kept, outputs.rejected, outputs.stats]
    return files


def owned_files(layout: RunLayout) -> list[Path]:
    return [*shard_files(layout), *(layout.dest / name for name in _ledger(layout))]


def discard_run(layout: RunLayout) -> int:
    """`--restart`: delete the earlier run's own files and `_state/`, then output folders left
    empty; return how many files were deleted. Files of others in DEST stay where they are."""
    if not layout.manifest.exists():
        return 0
    removed = 0
    for path in owned_files(layout):
        if path.is_file():
            path.unlink()
            removed += 1
    shutil.rmtree(layout.state)
    for folder in OUTPUT_FOLDERS:
        _prune_empty(layout.dest / folder)
    return removed


def remove_debris(layout: RunLayout, done_sids: Iterable[str]) -> int:
    """What a killed run left behind, removed before a resume: temporary files beside the run's
    own outputs (`.<name>.tmp…`, some partial, some hard links), unfinished part folders, and part
    folders of shards already finalised. Returns how many were removed."""
    removed = 0
    for path in [*owned_files(layout), layout.summary, layout.report_json, layout.report_html]:
        if path.parent.is_dir():
            for debris in path.parent.glob(f".{path.name}.tmp*"):
                debris.unlink()
                removed += 1
    if layout.state.is_dir():
        for debris in layout.state.rglob(".*.tmp-*"):  # the engine's own JSON: invocations, done markers, ...
            if debris.is_file():
                debris.unlink()
                removed += 1
    if layout.parts_dir.is_dir():
        done = set(done_sids)
        for folder in layout.parts_dir.iterdir():
            if folder.name.endswith(".tmp") or folder.name.split("-")[0] in done:
                shutil.rmtree(folder)
                removed += 1
    return removed


def _prune_empty(folder: Path) -> None:
    if not folder.is_dir() or folder.is_symlink():
        return
    for child in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if child.is_dir() and not child.is_symlink() and not any(child.iterdir()):
            child.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()


def foreign_files(layout: RunLayout, planned: Iterable[Path]) -> list[Path]:
    """Planned output files that already exist in a DEST holding no run of ours: writing them
    would overwrite someone else's data."""
    if layout.manifest.exists():
        return []
    fixed = [layout.summary, layout.schema, layout.report_json, layout.report_html]
    return [path for path in [*planned, *fixed] if path.exists()]
