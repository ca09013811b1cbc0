"""`cleaner status DEST`: what a running or finished run is doing, from the files it writes."""

from __future__ import annotations

from pathlib import Path

from cleaner.errors import UsageError
from cleaner.io.fsutil import read_json
from cleaner.run.layout import RunLayout
from cleaner.run.records import live_run, read_record


def describe(dest: Path) -> str:
    layout = RunLayout(dest)
    summary_path, progress_path = layout.summary, layout.progress
    record = live_run(dest)
    lines = []
    if record is not None:
        lines.append(f"running: pid {record['pid']} since {record['started']}")
    elif read_record(dest) is not None:
        lines.append("not running: stale record (the process is gone); `cleaner stop DEST` cleans it up")
    if progress_path.exists():
        p = read_json(progress_path)
        eta = "-" if p["eta_s"] is None else f"{p['eta_s']}s"
        kept = "-" if p["kept_share"] is None else f"{p['kept_share']:.1%}"
        lines.append(
            f"phase {p['phase']}: {p['units_done']}/{p['units_total']} units, {p['docs']:,} docs, "
            f"{p['docs_per_s']:,.0f} docs/s, ETA {eta}, kept {kept} (updated {p['updated']})"
        )
    if layout.plan.exists():
        shards = read_json(layout.plan)
        done = sum(layout.done_marker(shard["sid"]).exists() for shard in shards)
        lines.append(f"shards finalised: {done}/{len(shards)}")
    if record is None and summary_path.exists():
        totals = read_json(summary_path)["totals"]
        lines.append(
            f"finished: {totals['read']:,} read = {totals['kept']:,} kept + {totals['rejected']:,} rejected "
            f"+ {totals['malformed']:,} malformed"
        )
        report = layout.report_html
        lines.append(f"report: {report}" if report.exists() else f"no report yet: cleaner report {dest}")
    elif record is None and not lines:
        if not layout.state.exists():
            raise UsageError(f"{dest} holds no run")
        lines.append("not running and not finished: rerun the same `cleaner run` command to resume")
    return "\n".join(lines)
