"""`build_report`: DEST's stats, outputs and samples -> report.json, report.html, samples/, meta-info.

Counts come from the stats files (what the run checked); the Parquet scan adds distributions and
is cross-checked against them, and every check is listed in the report, so a reader sees that
`read = kept + rejected + malformed` holds and that the files hold what the stats say.
Nothing is rerun: the report can be rebuilt at any time with `cleaner report DEST`.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from cleaner.errors import UsageError
from cleaner.io.fsutil import read_json, write_json_atomic
from cleaner.report.histogram import CLUSTER_EDGES, Histogram
from cleaner.report.html import render_html
from cleaner.report.metainfo import meta_info
from cleaner.report.sample_files import combine, fallback_collector, load_saved, write_samples
from cleaner.report.scan import DEDUP_REASONS, OutputScanner, Scan
from cleaner.run.layout import RunLayout
from cleaner.run.outputs import claim, shard_names
from cleaner.run.tokens import DEFAULT_TOKENIZER, TokenCounter

FORMAT = "cleaner-report/1"
COUNTS = ("read", "kept", "rejected", "malformed")
#: Example snippets per reason shown in the HTML (the sample files hold more).
EXAMPLES = 3
SNIPPET_CHARS = 240
#: Reasons shown as columns of the source file x reason table (the rest are summed as "other").
TOP_SOURCE_REASONS = 8


def _share(part: int | float, whole: int | float) -> float | None:
    return round(part / whole, 4) if whole else None


def _stats_files(dest: Path) -> dict[str, dict[str, Any]]:
    """Shard name -> its stats, for the shards of the run (other files in stats/ are not the run's)."""
    layout = RunLayout(dest)
    return {name: read_json(layout.shard_outputs(name).stats) for name in shard_names(layout)}


def _reason_key(stage: str | None, reason: str) -> str:
    """The name summary.json ranks reasons by: `<stage>:<reason>`, malformed lines as `malformed:<kind>`."""
    return reason if reason.startswith("malformed:") or not stage else f"{stage}:{reason}"


def _funnel(totals: dict[str, Any], dedup_removed: int) -> list[dict[str, Any]]:
    """Documents left after each step; a run's dedup phase is a stage in the stats, and a dedup
    step is added here only for outputs whose stats do not record one. The rules inside a route
    follow it, marked `within` the route: their documents are those of their branch."""
    read = totals["read"]
    steps = [("read", "input", read, 0, ""), ("parse", "read", read - totals["malformed"], totals["malformed"], "")]
    steps += [(s["stage"], s["kind"], s["out"], s["in"] - s["out"], s.get("parent", "")) for s in totals["stages"]]
    if dedup_removed and not any(s["stage"] == "dedup" for s in totals["stages"]):
        left = [docs for _, _, docs, _, within in steps if not within][-1]
        steps.append(("dedup", "dedup", left - dedup_removed, dedup_removed, ""))
    funnel = []
    for name, kind, docs, removed, within in steps:
        step = {"step": name, "kind": kind, "docs": docs, "removed": removed, "share_of_read": _share(docs, read)}
        funnel.append({**step, "within": within} if within else step)
    return funnel


def _snippet(entry: dict[str, Any]) -> dict[str, Any]:
    text = entry["text"] if entry["text"] is not None else entry["original_text"] or ""
    return {
        "id": entry["id"],
        "ref": entry["ref"],
        "detail": entry.get("detail", ""),
        "snippet": " ".join(text[: SNIPPET_CHARS * 2].split())[:SNIPPET_CHARS],
    }


def _reasons(scan: Scan, totals: dict[str, Any], samples: dict[str, Any], files: dict[str, str]) -> list[dict]:
    removed = totals["rejected"] + totals["malformed"]
    rows = [
        {
            "reason": reason,
            "stage": stage,
            "key": _reason_key(stage, reason),
            "count": count,
            "share_of_read": _share(count, totals["read"]),
            "share_of_removed": _share(count, removed),
            "sample_file": files.get(reason),
            "examples": [_snippet(e) for e in samples["rejected"].get(reason, [])[:EXAMPLES]],
        }
        for (stage, reason), count in scan.reasons.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["key"]))


def _languages(scan: Scan, totals: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Documents per `lang` value; parsed documents in files without the column count as "(none)"."""
    if "lang" not in scan.columns_seen:
        return None
    kept, rejected = scan.lang_docs["kept"], scan.lang_docs["rejected"]
    kept["(none)"] += totals["kept"] - sum(kept.values())
    rejected["(none)"] += totals["rejected"] - sum(rejected.values())
    kept, rejected = +kept, +rejected  # drops the zero entries
    everyone = kept + rejected
    total = sum(everyone.values())
    return [
        {
            "lang": lang,
            "docs": docs,
            "kept": kept[lang],
            "rejected": rejected[lang],
            "share": _share(docs, total),
            "mean_score": round(scan.lang_score_sum[lang] / docs, 4) if "lang_score" in scan.columns_seen else None,
        }
        for lang, docs in sorted(everyone.items(), key=lambda x: (-x[1], x[0]))
    ]


def _blacklist(scan: Scan, totals: dict[str, Any], top: int = 20) -> dict[str, Any] | None:
    """Rejections per category from the reasons; terms from the stage's counters when the stats
    carry them (exact), else from the `blacklist_hits` column (documents per listed term)."""
    rejected = Counter()
    for (_, reason), count in scan.reasons.items():
        if reason.startswith("blacklist:"):
            rejected[reason.removeprefix("blacklist:")] += count
    counters = [s["counters"] for s in totals["stages"] if "terms" in s.get("counters", {})]
    if not rejected and not counters and not scan.blacklist_terms:
        return None
    if counters:
        terms = Counter()
        for c in counters:
            terms.update(c["terms"])
        top_terms: Any = {"all": [{"term": t, "count": n} for t, n in terms.most_common(top)]}
        source = "stage counters (hits)"
    else:
        top_terms = {
            cat: [{"term": t, "count": n} for t, n in found.most_common(top)]
            for cat, found in sorted(scan.blacklist_terms.items())
        }
        source = "blacklist_hits column (documents)"
    return {
        "categories": [{"category": c, "rejected": n} for c, n in rejected.most_common()],
        "terms": top_terms,
        "terms_counted_from": source,
    }


def _dedup(scan: Scan, summary: dict[str, Any]) -> dict[str, Any] | None:
    if not scan.dedup_removed and "dedup" not in summary:
        return None
    sizes = Histogram(CLUSTER_EDGES)
    if scan.cluster_sizes:
        import numpy as np

        sizes.add(np.fromiter(scan.cluster_sizes.values(), dtype=np.int64))
    return {
        "docs_removed": sum(scan.dedup_removed.values()),
        "by_reason": {r: scan.dedup_removed[r] for r in DEDUP_REASONS if scan.dedup_removed[r]},
        "clusters": len(scan.cluster_sizes),
        "cluster_size_histogram": sizes.to_json(),
        "phase": summary.get("dedup"),
    }


def _by_source(stats: dict[str, dict[str, Any]], top: int = TOP_SOURCE_REASONS) -> dict[str, Any]:
    """Rejections per source file and reason (from the stats, so dedup and malformed lines count):
    the `top` reasons of the run as columns, the rest summed as "other"."""
    per_file: dict[str, Counter] = {}
    for raw in stats.values():
        found = per_file.setdefault(raw["source_file"], Counter())
        for stage in raw["stages"]:
            found.update({_reason_key(stage["stage"], r): n for r, n in stage["rejected"].items() if n})
        found.update({f"malformed:{kind}": n for kind, n in raw["malformed_by_kind"].items() if n})
    overall = sum(per_file.values(), Counter())
    columns = [key for key, _ in sorted(overall.items(), key=lambda x: (-x[1], x[0]))[:top]]
    reads = Counter()
    for raw in stats.values():
        reads[raw["source_file"]] += raw["read"]
    rows = [
        {
            "source_file": name,
            "read": reads[name],
            "removed": sum(found.values()),
            "removed_share": _share(sum(found.values()), reads[name]),
            "by_reason": {key: found[key] for key in columns},
            "other": sum(found.values()) - sum(found[key] for key in columns),
        }
        for name, found in sorted(per_file.items())
    ]
    return {"reasons": columns, "rows": rows}


def _timing(summary: dict[str, Any], totals: dict[str, Any]) -> dict[str, Any]:
    """Wall time is the active time of every invocation of the run (a resumed run counts each part)."""
    wall = summary.get("wall_seconds") or 0.0
    stage_seconds = sum(s["seconds"] for s in totals["stages"])
    return {
        "wall_seconds": wall,
        "invocations": summary.get("invocations", 1),
        "limit": summary.get("limit", 0),
        "workers": summary.get("workers"),
        "worker_seconds": totals["seconds"],
        "docs_per_s": round(totals["read"] / wall, 1) if wall else None,
        "mb_per_s": round(totals["bytes_read"] / wall / 1e6, 2) if wall else None,
        "stages": [
            {"stage": s["stage"], "seconds": s["seconds"], "share": _share(s["seconds"], stage_seconds)}
            for s in totals["stages"]
        ],
    }


def _shards(stats: dict[str, dict[str, Any]], scan: Scan, counted: bool) -> list[dict[str, Any]]:
    rows = []
    for shard, raw in stats.items():
        found = scan.shards.get(shard)
        tokens = found.tokens if counted and found else raw.get("tokens_out")
        rows.append(
            {
                **{k: raw[k] for k in ("shard", "source_file", *COUNTS)},
                "kept_share": _share(raw["kept"], raw["read"]),
                "bytes_read": raw["bytes_read"],
                "chars_in": raw["chars_in"],
                "chars_out": raw["chars_out"],
                "tokens_in": raw.get("tokens_in"),
                "tokens_out": tokens,
                "seconds": raw["seconds"],
                "kept_rows": found.kept_rows if found else 0,
                "rejected_rows": found.rejected_rows if found else 0,
            }
        )
    return rows


def _checks(summary: dict[str, Any], shards: list[dict[str, Any]], scan: Scan) -> list[dict[str, Any]]:
    totals = summary["totals"]
    summed = {k: sum(r[k] for r in shards) for k in COUNTS}
    checks = [
        (
            "read = kept + rejected + malformed",
            totals["read"] == totals["kept"] + totals["rejected"] + totals["malformed"],
        ),
        ("shard stats add up to summary.json", all(summed[k] == totals[k] for k in COUNTS)),
        ("kept/ rows = stats kept, every shard", all(r["kept_rows"] == r["kept"] for r in shards)),
        (
            "rejected/ rows = stats rejected + malformed, every shard",
            all(r["rejected_rows"] == r["rejected"] + r["malformed"] for r in shards),
        ),
    ]
    stated = Counter({r["reason"]: r["count"] for r in summary["reasons"]})
    found = Counter({_reason_key(s, r): n for (s, r), n in scan.reasons.items() if r not in DEDUP_REASONS})
    stated = Counter({k: n for k, n in stated.items() if k.rpartition(":")[2] not in DEDUP_REASONS})
    checks.append(("rejected/ reasons = summary.json reasons", stated == found))
    return [{"check": name, "ok": bool(ok)} for name, ok in checks]


def build_report(
    dest: Path,
    seed: int | None = None,
    tokenizer: str | None = None,
    dataset: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Write DEST/report.json, report.html, samples/*.jsonl and <dataset>-meta-info-<version>.json.

    `seed` None uses the run's sample seed (DEST/_state/samples.json), another seed redraws the
    samples from the outputs. `tokenizer` None uses the workers' counts (stats `tokens_out`),
    counting from kept/ only when a run has none; a tokenizer given here always recounts.
    `dataset`/`version` default to DEST's last two path parts (out/<dataset>/<version>).
    """
    dest = Path(dest)
    layout = RunLayout(dest)
    if not layout.summary.exists():
        raise UsageError(f"{dest} holds no finished run (no summary.json); run `cleaner run` first")
    summary = read_json(layout.summary)
    stats = _stats_files(dest)
    totals = summary["totals"]
    counted_by_workers = tokenizer is None and all("tokens_out" in s for s in stats.values())
    counter = None if counted_by_workers else TokenCounter(tokenizer or DEFAULT_TOKENIZER)
    tokenizer_name = summary.get("tokenizer", DEFAULT_TOKENIZER) if counter is None else counter.name

    saved = load_saved(dest, seed)
    fallback = fallback_collector(saved, seed)
    watch = {e["ref"] for e in (*saved["kept"], *saved["spare_kept"])} if saved else set()
    covered = set(saved["rejected"]) | set(saved["offered"]["rejected"]) if saved else set()
    scan = OutputScanner(dest, fallback, saved is None, covered, watch, counter).run()
    samples = combine(saved, fallback, scan.removed_watched)
    sample_info = {**write_samples(dest, samples), "drawn_by": "workers" if saved else "report"}
    files = {row["reason"]: row["file"] for row in sample_info["rejected"]}

    shards = _shards(stats, scan, counter is not None)
    tokens_out = [r["tokens_out"] for r in shards]
    tokens_in = [r["tokens_in"] for r in shards]
    dedup = _dedup(scan, summary)
    where = dest.resolve()
    dataset, version = dataset or where.parent.name or "dataset", version or where.name or "v"
    meta_name = f"{dataset}-meta-info-{version}.json"
    report = {
        "format": FORMAT,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dataset": dataset,
        "version": version,
        "source": summary.get("source"),
        "dest": str(dest.resolve()),
        "recipe": summary.get("recipe"),
        "totals": {
            **{k: totals[k] for k in (*COUNTS, "bytes_read", "chars_in", "chars_out")},
            "kept_share": _share(totals["kept"], totals["read"]),
            "tokens_in": sum(tokens_in) if None not in tokens_in else None,
            "tokens_out": sum(tokens_out) if None not in tokens_out else None,
            "tokenizer": tokenizer_name,
            "tokens_counted_by": "workers" if counter is None else "report",
        },
        "funnel": _funnel(totals, dedup["docs_removed"] if dedup else 0),
        "reasons": _reasons(scan, totals, samples, files),
        "reasons_by_source": _by_source(stats),
        "malformed_by_kind": totals["malformed_by_kind"],
        "languages": _languages(scan, totals),
        "quality_score": {k: h.to_json() for k, h in scan.quality.items()} or None,
        "length_chars": {"before": scan.length_before.to_json(), "after": scan.length_after.to_json()},
        "blacklist": _blacklist(scan, totals),
        "dedup": dedup,
        "timing": _timing(summary, totals),
        "shards": shards,
        "samples": sample_info,
        "meta_info_file": meta_name,
    }
    report["checks"] = _checks(summary, shards, scan)
    write_json_atomic(dest / meta_name, meta_info(dataset, version, tokenizer_name, shards))
    write_json_atomic(layout.report_json, report)
    html = render_html(report)
    tmp = layout.report_html.with_name(f".{layout.report_html.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(layout.report_html)
    claim(layout, [dest / meta_name, layout.report_json, layout.report_html])
    return report
