"""`cleaner status DEST`: what a running or finished run is doing, from the files it writes.

Whether the run is running comes from its record (a live recorded PID), and how it ended from its
invocation records: "stopped" (SIGTERM, `cleaner stop`, `stopall.sh`), "killed" (the process is
gone without writing an end), "failed" or finished. The ETA of progress.json is shown only while
the run is alive; after that it is history, not a forecast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cleaner.errors import UsageError
from cleaner.io.fsutil import read_json
from cleaner.run.invocations import active_seconds, read_invocations
from cleaner.run.layout import RunLayout
from cleaner.run.records import live_run, read_record


def _invocations(count: int) -> str:
    return f"{count} invocation{'' if count == 1 else 's'}"


def _progress_line(p: dict[str, Any], alive: bool) -> str:
    kept = "-" if p["kept_share"] is None else f"{p['kept_share']:.1%}"
    figures = f"{p['units_done']}/{p['units_total']} units, {p['docs']:,} docs, {p['docs_per_s']:,.0f} docs/s"
    if alive:
        eta = "-" if p["eta_s"] is None else f"{p['eta_s']}s"
        return f"phase {p['phase']}: {figures}, ETA {eta}, kept {kept} (updated {p['updated']})"
    return f"last progress (phase {p['phase']}, {p['updated']}): {figures}, kept {kept}"


def _ended(invocations: list[dict[str, Any]], stale_record: bool) -> str | None:
    """How the last invocation ended, when the run is not running, or None if it finished."""
    total = f"{_invocations(len(invocations))}, {active_seconds(invocations):,.0f}s active in total"
    resume = "rerun the same `cleaner run` command to resume"
    last = invocations[-1] if invocations else None
    if last is None:
        return "killed: the process is gone without a clean stop; " + resume if stale_record else None
    outcome = last.get("outcome")
    if outcome == "stopped":
        return f"stopped at {last['ended']} ({total}); {resume}"
    if outcome == "failed":
        return f"failed at {last['ended']} ({total}); the error is in the run's output; {resume} once fixed"
    if outcome is None:
        gone = f"pid {last['pid']} is gone without a clean stop (last seen {last['last_seen']}; {total})"
        return f"killed: {gone}; {resume}"
    return None


def describe(dest: Path) -> str:
    layout = RunLayout(dest)
    summary_path, progress_path = layout.summary, layout.progress
    record = live_run(dest)
    invocations = read_invocations(layout)
    lines = []
    ended = None
    if record is not None:
        lines.append(f"running: pid {record['pid']} since {record['started']}")
    else:
        stale = read_record(dest) is not None
        ended = _ended(invocations, stale)
        if ended is not None:
            lines.append(ended)
        if stale:
            lines.append("stale record (the process is gone); `cleaner stop DEST` cleans it up")
    finished = record is None and ended is None and summary_path.exists()
    if progress_path.exists() and not finished:
        lines.append(_progress_line(read_json(progress_path), record is not None))
    if layout.plan.exists():
        shards = read_json(layout.plan)
        done = sum(layout.done_marker(shard["sid"]).exists() for shard in shards)
        lines.append(f"shards finalised: {done}/{len(shards)}")
    if finished:
        summary = read_json(summary_path)
        totals = summary["totals"]
        count = summary.get("invocations", 1)
        lines.append(
            f"finished: {totals['read']:,} read = {totals['kept']:,} kept + {totals['rejected']:,} rejected "
            f"+ {totals['malformed']:,} malformed ({summary['wall_seconds']:,.1f}s active over {_invocations(count)})"
        )
        report = layout.report_html
        lines.append(f"report: {report}" if report.exists() else f"no report yet: cleaner report {dest}")
    elif record is None and not lines:
        if not layout.state.exists():
            raise UsageError(f"{dest} holds no run")
        lines.append("not running and not finished: rerun the same `cleaner run` command to resume")
    return "\n".join(lines)
