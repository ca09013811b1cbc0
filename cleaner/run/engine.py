"""Run orchestration: plan, resume checks, the clean and finalise phases, the run summary.

Each phase maps a function over units with an `Executor` (local worker processes or Ray tasks); a
unit's completion marker is written atomically by the unit itself, so rerunning skips finished
units and redoes the rest.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaner.dedup.cluster import dedup_done, run_dedup
from cleaner.errors import UsageError
from cleaner.io.fsutil import read_json, write_json_atomic
from cleaner.recipe import Recipe, first_difference
from cleaner.run.clean import CleanTask, annotation_fields, clean_unit
from cleaner.run.executors import Executor, make_executor
from cleaner.run.finalise import FinaliseTask, finalise_shard
from cleaner.run.invocations import Invocation
from cleaner.run.layout import OUTPUT_FOLDERS, RunLayout
from cleaner.run.lines import lines_phase
from cleaner.run.outputs import claim, discard_run, foreign_files, remove_debris
from cleaner.run.plan import (
    Shard,
    UnitInput,
    bytes_to_read,
    discover_inputs,
    largest_first,
    listing,
    make_plan,
    shard_from_json,
    shard_to_json,
)
from cleaner.run.progress import QUIET, Progress, heartbeat, log, set_heartbeat
from cleaner.run.records import clear_record, live_run, stop_orphans, write_record
from cleaner.run.samples import merge as merge_samples
from cleaner.run.schema import run_schema
from cleaner.run.stats import Stats, check_accounting
from cleaner.run.stopping import Stopped, stop_signal

if TYPE_CHECKING:
    from cleaner.run.remote_dest import RemoteDest


@dataclass(frozen=True)
class RunOptions:
    #: A local path, or an object store URI (cleaner/io/storage.py).
    source: Path | str
    #: The local folder the run writes; for a DEST in object storage, its staging folder.
    dest: Path
    recipe: Recipe
    workers: int
    restart: bool
    runs_dir: Path
    progress_seconds: float = 5.0
    executor: str = "local"
    ray_address: str | None = None
    #: DEST of an earlier run: documents duplicating its kept documents are removed.
    dedup_against: Path | None = None
    #: `--limit N`: a trial on lines 1..N of every shard (0: everything). Part of the manifest, so a
    #: limited run is never resumed as a full one.
    limit: int = 0
    #: How often Ray reruns a unit lost with its worker or node.
    ray_retries: int = 3
    #: A DEST in object storage that `dest` stages: what is published there is uploaded as it is.
    remote: RemoteDest | None = None


def _absolute(location: Path | str) -> str:
    return location if isinstance(location, str) else str(location.resolve())


def _shown_dest(options: RunOptions) -> str:
    """DEST as the user named it: a remote one with the staging folder it is written through."""
    if options.remote is None:
        return str(options.dest)
    return f"{options.remote.uri} (staged in {options.dest})"


def _published(options: RunOptions, at_most_every: float = 0.0) -> None:
    """Upload what the run has published so far to a remote DEST (data before completion markers)."""
    if options.remote is not None:
        options.remote.sync(at_most_every)


def _manifest(options: RunOptions, inputs: list[dict[str, object]]) -> dict[str, Any]:
    return {
        "source": _absolute(options.source),
        "recipe_path": str(options.recipe.path),
        "recipe_fingerprint": options.recipe.fingerprint,
        "recipe_settings": options.recipe.settings,
        "dedup_against": str(options.dedup_against.resolve()) if options.dedup_against else None,
        "limit": options.limit,
        "inputs": inputs,
    }


def _first_difference(old: list[dict], new: list[dict]) -> str:
    old_by_file = {entry["file"]: entry for entry in old}
    new_by_file = {entry["file"]: entry for entry in new}
    for name in sorted(old_by_file.keys() | new_by_file.keys()):
        if name not in new_by_file:
            return f"{name} is gone"
        if name not in old_by_file:
            return f"{name} is new"
        if old_by_file[name] != new_by_file[name]:
            return f"{name} changed size or modification time"
    return "file order changed"


def prepare(options: RunOptions) -> list[Shard]:
    """Check DEST against an earlier partial run and return the shard plan (saved or new)."""
    dest, layout = options.dest, RunLayout(options.dest)
    if (record := live_run(dest)) is not None:
        raise UsageError(f"a run is already active in {dest} (pid {record['pid']}); stop it with: cleaner stop {dest}")
    if orphans := stop_orphans(dest):
        log(f"stopped {orphans} workers left running by the killed run in {dest}")
    if isinstance(options.source, Path):
        _refuse_overlap(options.source, dest)
    if options.dedup_against is not None:
        earlier_run_signatures(options.dedup_against)
    local_source = isinstance(options.source, Path)
    exclude = dest if local_source and dest.resolve().is_relative_to(options.source.resolve()) else None
    inputs, skipped = discover_inputs(options.source, exclude)
    for name, reason in skipped:
        log(f"skipping {name}: {reason}")
    current = listing(inputs)
    manifest = _manifest(options, current)
    if layout.manifest.exists() and not options.restart:
        old = read_json(layout.manifest)
        if old["recipe_fingerprint"] != manifest["recipe_fingerprint"]:
            change = first_difference(old.get("recipe_settings", {}), options.recipe.settings)
            raise UsageError(
                f"{dest} holds a run made with different recipe settings ({change}); "
                "rerun with --restart to discard it, or choose a new DEST"
            )
        if old.get("dedup_against") != manifest["dedup_against"]:
            raise UsageError(
                f"{dest} was run with --dedup-against {old.get('dedup_against')}, now "
                f"{manifest['dedup_against']}; rerun with --restart to discard it, or choose a new DEST"
            )
        if old.get("limit", 0) != options.limit:
            raise UsageError(
                f"{dest} holds a run made {_limit_flag(old.get('limit', 0))}, now {_limit_flag(options.limit)}; "
                "rerun with --restart to discard it, or choose a new DEST"
            )
        if old["inputs"] != current:
            raise UsageError(
                f"the input files changed since the run in {dest} "
                f"({_first_difference(old['inputs'], current)}); rerun with --restart to discard it, "
                "or choose a new DEST"
            )
        return [shard_from_json(raw) for raw in read_json(layout.plan)]
    if options.restart:
        removed = discard_run(layout)
        if removed:
            log(f"--restart: removed {removed} files of the earlier run in {dest}")
    shards = make_plan(inputs, options.recipe.input.chunk_bytes)
    planned = []
    for shard in shards:
        outputs = layout.shard_outputs(shard.name)
        planned += [outputs.kept, outputs.rejected, outputs.stats]
    if clash := foreign_files(layout, planned):
        raise UsageError(
            f"{dest} already holds {clash[0]}, which no run of this tool recorded as its own; "
            "choose an empty DEST (nothing was changed)"
        )
    write_json_atomic(layout.plan, [shard_to_json(s) for s in shards])
    write_json_atomic(layout.manifest, manifest)
    return shards


def _limit_flag(limit: int) -> str:
    return f"with --limit {limit}" if limit else "without --limit"


def _refuse_overlap(source: Path, dest: Path) -> None:
    """SOURCE must not be DEST nor lie where the run writes: the run would read or replace its input."""
    src, out = source.resolve(), dest.resolve()
    if src == out:
        raise UsageError(f"SOURCE and DEST are the same folder ({src}); choose a DEST outside SOURCE's files")
    for folder in ("_state", *OUTPUT_FOLDERS):
        if src.is_relative_to(out / folder):
            raise UsageError(f"SOURCE {src} lies inside DEST's output folder {out / folder}; choose another DEST")


def _clean_phase(executor: Executor, shards: list[Shard], done: set[str], options: RunOptions) -> None:
    """Run every chunk whose part folder does not exist yet, printing progress as it goes."""
    layout = RunLayout(options.dest)
    units = largest_first(
        [
            UnitInput.of(shard, chunk, options.limit)
            for shard in shards
            if shard.sid not in done
            for chunk in shard.chunks
            if not layout.part(chunk.unit).is_dir()
        ]
    )
    frequent_lines = str(layout.frequent_lines) if layout.lines_summary.exists() else ""
    tasks = [CleanTask(u, str(layout.part(u.unit)), str(layout.signatures(u.unit)), frequent_lines) for u in units]
    total_bytes = bytes_to_read(units)
    progress = Progress("clean", len(tasks), total_bytes, layout.progress, options.progress_seconds)
    for result in executor.map(clean_unit, tasks, options.progress_seconds):
        if result is not None:
            stats = result["stats"]
            progress.unit_done(stats["read"], stats["kept"], stats["bytes_read"], result["unit"])
        progress.update(executor.progress())
        if result is None:
            progress.report()
    progress.report()
    progress.close()


def earlier_run_signatures(dest: Path) -> tuple[list[Path], Path | None]:
    """The signature files of a finished earlier run, and its dedup output when it had one."""
    layout = RunLayout(dest)
    if not layout.summary.exists() or not layout.signatures_dir.is_dir():
        raise UsageError(f"--dedup-against {dest}: not a finished run whose recipe had a dedup section (no signatures)")
    dedup_dir = layout.dedup_dir
    return sorted(layout.signatures_dir.glob("*.parquet")), dedup_dir if dedup_dir.is_dir() else None


def _dedup_phase(executor: Executor, shards: list[Shard], options: RunOptions) -> None:
    """Find duplicates across every unit's signatures (and an earlier run's); resumable task by
    task (cleaner/dedup/cluster.py). On Ray every step's partitions are tasks, each within the
    memory budget; locally the driver runs them one after another (the local workers would
    multiply the budget)."""
    layout = RunLayout(options.dest)
    params = options.recipe.dedup
    if params is None or dedup_done(layout.dedup_dir):
        return
    units = [layout.signatures(chunk.unit) for shard in shards for chunk in shard.chunks]
    against, against_removed = earlier_run_signatures(options.dedup_against) if options.dedup_against else ([], None)
    log(
        f"[dedup] {len(units)} units" + (f" against {len(against)} units of {options.dedup_against}" if against else "")
    )

    def on_executor(fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        return (result for result in executor.map(fn, tasks, options.progress_seconds) if result is not None)

    mapper = on_executor if executor.distributes_partitions else map
    summary = run_dedup(units, layout.dedup_dir, params, against, against_removed, mapper)
    log(
        f"[dedup] {summary.get('documents', 0):,} docs, {summary.get('clusters', 0):,} clusters, "
        f"{summary.get('removed', 0):,} removed in {summary.get('seconds', 0)}s "
        f"({summary.get('partitions', 0)} partitions)"
    )


def _finalise_phase(executor: Executor, shards: list[Shard], done: set[str], options: RunOptions) -> None:
    recipe, layout = options.recipe, RunLayout(options.dest)
    fields = annotation_fields(recipe.build_stages())
    kept_schema, rejected_schema = run_schema(layout, shards, done, fields, recipe.dedup is not None)
    dedup_dir = str(layout.dedup_dir) if recipe.dedup is not None else None
    out = recipe.output
    tasks = [
        FinaliseTask(
            shard,
            str(options.dest),
            out.compression_level,
            out.batch_rows,
            kept_schema,
            rejected_schema,
            dedup_dir,
            out.tokenizer,
        )
        for shard in shards
        if shard.sid not in done
    ]
    for result in executor.map(finalise_shard, tasks, options.progress_seconds):
        if result is None:
            heartbeat()
        else:
            _published(options, at_most_every=options.progress_seconds)


def _reused(layout: RunLayout, shards: list[Shard], done: set[str]) -> str:
    """What a resume takes over from earlier invocations: clean units and finalised shards."""
    units = sum(len(s.chunks) for s in shards)
    cleaned = sum(
        len(s.chunks) if s.sid in done else sum(layout.part(c.unit).is_dir() for c in s.chunks) for s in shards
    )
    return f"reused {cleaned}/{units} clean units; {len(done)}/{len(shards)} shards already done (finalised)"


def run(options: RunOptions) -> int:
    """Run (or resume) a cleaning run; return the process exit code."""
    shards = prepare(options)
    _published(options)
    dest, layout = options.dest, RunLayout(options.dest)
    done = {s.sid for s in shards if layout.done_marker(s.sid).exists()}
    if debris := remove_debris(layout, done):
        log(f"removed {debris} unfinished files and folders left by an interrupted run")
    invocation = Invocation(layout)
    resumed = f"invocation {invocation.number}: {_reused(layout, shards, done)}" if invocation.number > 1 else "new run"
    log(
        f"run {_shown_dest(options)}: {len(shards)} shards, {sum(len(s.chunks) for s in shards)} units, "
        f"recipe {options.recipe.path}, {options.workers} workers ({options.executor}); {resumed}"
        + (f"; limited to the first {options.limit:,} lines of each shard" if options.limit else "")
    )
    previous = stop_signal.install()
    set_heartbeat(invocation.beat)
    outcome = "failed"
    executor = make_executor(
        options.executor, options.recipe, options.workers, options.ray_address, options.ray_retries
    )
    try:
        write_record(dest, options.runs_dir, executor.worker_pids())
        lines_phase(executor, shards, options.recipe, layout, options.progress_seconds, options.limit)
        _published(options)
        _clean_phase(executor, shards, done, options)
        _published(options)
        _dedup_phase(executor, shards, options)
        _published(options)
        _finalise_phase(executor, shards, done, options)
        executor.close()
        summary = write_summary(options, shards, invocation.seconds(), invocation.number)
        _published(options)
        outcome = "done"
    except BaseException as err:
        executor.terminate()
        if not (isinstance(err, (Stopped, KeyboardInterrupt)) or stop_signal.received):
            raise
        outcome = "stopped"
        log(f"stopped; rerun the same command to resume (finished units are kept in {layout.state})")
        return 143
    finally:
        set_heartbeat(None)
        signal.signal(signal.SIGTERM, previous)
        _end_invocation(invocation, outcome)
        clear_record(dest, options.runs_dir)
    print_summary(summary)
    return 0


def _end_invocation(invocation: Invocation, outcome: str) -> None:
    """Write how this invocation ended; a DEST that became unwritable must not mask the run's error."""
    try:
        invocation.end(outcome)
    except OSError:
        pass


def write_summary(options: RunOptions, shards: list[Shard], seconds: float, invocations: int) -> dict[str, Any]:
    """Add up the shard stats, check the run-wide accounting, write DEST/summary.json. `seconds` is
    the active time of all `invocations` of the run (a stopped and resumed run counts both parts)."""
    layout = RunLayout(options.dest)
    totals = Stats()
    per_shard = []
    peak_rss = 0.0
    for shard in shards:
        raw = read_json(layout.shard_outputs(shard.name).stats)
        totals.add(Stats.from_json(raw))
        peak_rss = max(peak_rss, raw["worker_peak_rss_mb"])
        per_shard.append({k: raw[k] for k in ("shard", "source_file", "read", "kept", "rejected", "malformed")})
    check_accounting(totals, "run total")
    wall = round(seconds, 2)
    reasons: Counter = Counter()
    for stage in totals.stages:
        reasons.update({f"{stage.label}:{reason}": n for reason, n in stage.rejected.items()})
    reasons.update({f"malformed:{kind}": n for kind, n in totals.malformed_by_kind.items()})
    summary = {
        "source": _absolute(options.source),
        "dest": options.remote.uri if options.remote is not None else str(options.dest.resolve()),
        "recipe": str(options.recipe.path),
        "workers": options.workers,
        "tokenizer": options.recipe.output.tokenizer,
        "wall_seconds": wall,
        "invocations": invocations,
        "docs_per_s": round(totals.read / wall, 1) if wall > 0 else None,
        "limit": options.limit,
        "worker_peak_rss_mb": peak_rss,
        "totals": totals.to_json(),
        "reasons": [{"reason": r, "count": n} for r, n in sorted(reasons.items(), key=lambda x: (-x[1], x[0]))],
        "shards": per_shard,
    }
    write_json_atomic(layout.summary, summary)
    claim(layout, [layout.summary])
    shard_samples = [read_json(layout.shard_samples(shard.sid)) for shard in shards]
    write_json_atomic(layout.saved_samples, merge_samples(shard_samples))
    return summary


def print_summary(summary: dict[str, Any], limit: int = 40) -> None:
    rows = summary["shards"]
    width = max([len("shard"), *(len(r["shard"]) for r in rows[:limit])])
    header = f"{'shard':<{width}} {'read':>10} {'kept':>10} {'rejected':>10} {'malformed':>10} {'kept%':>7}"
    lines = [header, "-" * len(header)]
    totals = summary["totals"]
    for row in [*rows[:limit], {"shard": "TOTAL", **totals}]:
        share = f"{row['kept'] / row['read']:.1%}" if row["read"] else "-"
        lines.append(
            f"{row['shard']:<{width}} {row['read']:>10,} {row['kept']:>10,} {row['rejected']:>10,} "
            f"{row['malformed']:>10,} {share:>7}"
        )
        if row is rows[min(limit, len(rows)) - 1] and len(rows) > limit:
            lines.append(f"... {len(rows) - limit} more shards in {summary['dest']}/summary.json")
    if summary["reasons"]:
        lines.append("rejections: " + ", ".join(f"{r['reason']} {r['count']:,}" for r in summary["reasons"][:8]))
    invocations = summary.get("invocations", 1)
    over = f" over {invocations} invocations" if invocations > 1 else ""
    if summary.get("limit"):
        lines.append(f"limited run: only the first {summary['limit']:,} lines of each shard were read")
    lines.append(
        f"done in {summary['wall_seconds']:.1f}s{over} ({summary.get('docs_per_s') or 0:,.0f} docs/s): "
        f"{totals['read']:,} lines read = {totals['kept']:,} kept + {totals['rejected']:,} rejected "
        f"+ {totals['malformed']:,} malformed; output in {summary['dest']}"
    )
    log("\n".join(lines), QUIET, stamp=False)
