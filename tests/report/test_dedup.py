"""A run whose dedup phase moved kept documents to rejected/ (reason near_duplicate, cluster columns).

The dedup phase is wired in by the engine, not here; this test moves rows the way its finalise step
is specified to (DESIGN.md, cleaner/dedup/removals.py) and checks that the report counts the
clusters, shows the funnel step, samples the reason and keeps removed documents out of kept.jsonl.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaner.io.fsutil import read_json, write_json_atomic
from cleaner.report.build import build_report
from cleaner.run.samples import SampleCollector, merge

SHARD = "zh/news"


def _dedup_rows(dest: Path, refs: set[str]) -> int:
    """Move the kept rows with these refs to rejected/ as near-duplicates of one keeper; fix the stats."""
    kept_path, rejected_path = dest / "kept" / f"{SHARD}.parquet", dest / "rejected" / f"{SHARD}.parquet"
    kept = pq.read_table(kept_path)
    ref = pc.binary_join_element_wise(kept["source_file"], pc.cast(kept["line"], pa.string()), ":")
    moving = pc.is_in(ref, pa.array(sorted(refs)))
    removed = kept.filter(moving)
    n = removed.num_rows
    removed = (
        removed.append_column("stage", pa.array(["dedup"] * n))
        .append_column("reason", pa.array(["near_duplicate"] * n))
        .append_column("detail", pa.array([""] * n))
        .append_column("raw", pa.nulls(n, pa.binary()))
        .append_column("duplicate_of", pa.array(["keeper"] * n))
        .append_column("cluster_id", pa.array([1] * (n - 1) + [2], pa.int64()))
        .append_column("cluster_size", pa.array([n] * (n - 1) + [2], pa.int64()))
    )
    rejected = pa.concat_tables([pq.read_table(rejected_path), removed], promote_options="default")
    pq.write_table(kept.filter(pc.invert(moving)), kept_path)
    pq.write_table(rejected, rejected_path)
    stats_path = dest / "stats" / f"{SHARD}.json"
    stats, summary = read_json(stats_path), read_json(dest / "summary.json")
    shard_row = next(row for row in summary["shards"] if row["shard"] == SHARD)
    for counts in (stats, summary["totals"], shard_row):
        counts["kept"] -= n
        counts["rejected"] += n
    for counts in (stats, summary["totals"]):
        counts["chars_out"] -= sum(len(t) for t in removed["text"].to_pylist())
    summary["reasons"].append({"reason": "dedup:near_duplicate", "count": n})
    write_json_atomic(stats_path, stats)
    write_json_atomic(dest / "summary.json", summary)
    return n


def test_dedup_clusters_funnel_and_sample_exclusion(run_dest: tuple[Path, Path], tmp_path: Path) -> None:
    dest = tmp_path / "ds" / "v1"
    shutil.copytree(run_dest[1], dest)
    collector = SampleCollector(5, kept_k=20, per_reason_k=5)
    for path in sorted((dest / "kept").rglob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            collector.offer_kept(row["id"], row["source_file"], row["line"], row["text"], row["text"])
    saved = merge([collector.to_json()])
    write_json_atomic(dest / "_state" / "samples.json", saved)
    in_sample = {e["ref"] for e in saved["kept"] if e["source_file"] == "zh/news.jsonl.gz"}
    assert in_sample, "the sample should hold documents of the shard the test deduplicates"
    removed = _dedup_rows(dest, in_sample | {f"zh/news.jsonl.gz:{n}" for n in range(1, 8)})

    report = build_report(dest)
    assert report["checks"] and all(check["ok"] for check in report["checks"]), report["checks"]
    dedup = report["dedup"]
    assert dedup["docs_removed"] == removed and dedup["by_reason"] == {"near_duplicate": removed}
    assert dedup["clusters"] == 2
    sizes = {b["lo"]: b["count"] for b in dedup["cluster_size_histogram"]}
    assert sizes[2] == 1 and sum(sizes.values()) == 2
    assert report["funnel"][-1] == {**report["funnel"][-1], "step": "dedup", "docs": report["totals"]["kept"]}
    kept = [json.loads(line) for line in (dest / "samples" / "kept.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(kept) == 20 and not in_sample & {k["ref"] for k in kept}
    near = (dest / "samples" / "rejected_near_duplicate.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(near) == 5
    html = (dest / "report.html").read_text(encoding="utf-8")
    assert "documents removed (near_duplicate" in html
