"""report.json -> one self-contained HTML page: inline CSS and SVG, no script, no URL of any kind.

Document text is untrusted: everything printed goes through `_esc`, which HTML-escapes it and
also writes `://` as `:&#47;&#47;` (displayed the same), so a URL quoted in a document can never
appear in the file as a link or a fetchable address. Every section is always present; a section
whose data the run did not record (no language ID, no dedup) says so instead of disappearing.
"""

from __future__ import annotations

from html import escape
from typing import Any

from cleaner.report.svg import column_chart, hbar_chart

SECTIONS = [
    ("overview", "Overview"),
    ("funnel", "Retention funnel"),
    ("reasons", "Reject reasons"),
    ("by_source", "Rejections by source file"),
    ("lengths", "Document length"),
    ("quality", "Quality score"),
    ("languages", "Languages"),
    ("blacklist", "Blacklists"),
    ("dedup", "Deduplication"),
    ("timing", "Time and throughput"),
    ("shards", "Shards"),
    ("samples", "Review samples"),
    ("checks", "Checks"),
]

#: Languages listed in the table; the rest are summed in one row (all are in report.json).
TOP_LANGUAGES = 20

_CSS = """
body{font-family:sans-serif;margin:24px auto;max-width:1180px;color:#212529;line-height:1.4}
h1{font-size:22px;margin-bottom:4px}
h2{font-size:18px;border-bottom:1px solid #dee2e6;padding-bottom:4px;margin-top:32px}
nav a{margin-right:12px;font-size:13px} .muted{color:#868e96;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
td,th{border:1px solid #dee2e6;padding:3px 8px;vertical-align:top}
th{background:#f1f3f5;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #dee2e6;border-radius:6px;padding:8px 14px;min-width:130px}
.card b{display:block;font-size:20px}
.snip{font-size:12px;color:#495057;white-space:pre-wrap;max-width:640px;margin:2px 0 6px}
.ok{color:#2f9e44;font-weight:bold} .bad{color:#e03131;font-weight:bold}
"""


def _esc(value: object) -> str:
    return escape(str(value), quote=True).replace("://", ":&#47;&#47;")


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else _esc(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _missing(what: str) -> str:
    return f'<p class="muted">{_esc(what)}</p>'


def _short(value: int | float) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _bin_label(b: dict[str, Any], integer: bool) -> str:
    """A bin is labelled by its lower edge (`+` on the open last bin): short enough for 20 bins."""
    if b["hi"] is None:
        return f"{_short(b['lo'])}+"
    return _short(b["lo"]) if integer else f"{b['lo']:g}"


def _overview(r: dict[str, Any]) -> str:
    t = r["totals"]
    cards = [
        ("lines read", _num(t["read"])),
        ("kept", f"{_num(t['kept'])} ({_pct(t['kept_share'])})"),
        ("rejected", _num(t["rejected"])),
        ("malformed", _num(t["malformed"])),
        ("characters in", _num(t["chars_in"])),
        ("characters out", _num(t["chars_out"])),
        ("tokens in", _num(t["tokens_in"])),
        ("tokens out", _num(t["tokens_out"])),
    ]
    html = '<div class="cards">' + "".join(f'<div class="card"><b>{v}</b>{_esc(k)}</div>' for k, v in cards) + "</div>"
    return html + (
        f'<p class="muted">source {_esc(r["source"])} &middot; recipe {_esc(r["recipe"])} &middot; tokens counted '
        f"by the {_esc(t['tokens_counted_by'])} with {_esc(t['tokenizer'])} &middot; per-file tokens: "
        f'<a href="{_esc(r["meta_info_file"])}">{_esc(r["meta_info_file"])}</a></p>'
    )


def _funnel(r: dict[str, Any]) -> str:
    steps = [f for f in r["funnel"] if (f["removed"] or f["step"] == "read") and "within" not in f]
    rows = [(f["step"], f["docs"], f"{f['docs']:,} ({_pct(f['share_of_read'])})") for f in steps]
    table = _table(
        ["step", "kind", "documents left", "removed here", "share of read"],
        [
            [
                ("&nbsp;&nbsp;↳ " if "within" in f else "") + _esc(f["step"]),
                _esc(f["kind"]),
                _num(f["docs"]),
                _num(f["removed"]),
                _pct(f["share_of_read"]),
            ]
            for f in r["funnel"]
        ],
        {2, 3, 4},
    )
    note = _missing(
        "The chart shows the steps that removed documents; the table lists every step, and under a route "
        "the rules of its branches (↳), whose documents left are those of their branch."
    )
    return hbar_chart(rows) + note + table


def _reasons(r: dict[str, Any]) -> str:
    if not r["reasons"]:
        return _missing("No document was rejected.")
    rows = []
    for x in r["reasons"]:
        examples = "".join(
            f'<div class="snip"><b>{_esc(e["ref"])}</b> {_esc(e["detail"])}<br>{_esc(e["snippet"])}</div>'
            for e in x["examples"]
        )
        link = f'<a href="{_esc(x["sample_file"])}">{_esc(x["sample_file"])}</a>' if x["sample_file"] else "-"
        rows.append(
            [_esc(x["key"]), _num(x["count"]), _pct(x["share_of_read"]), _pct(x["share_of_removed"]), examples + link]
        )
    chart = hbar_chart([(x["key"], x["count"], f"{x['count']:,}") for x in r["reasons"][:15]])
    return chart + _table(["reason", "documents", "of read", "of removed", "examples"], rows, {1, 2, 3})


def _histogram(bins_by_series: dict[str, list[dict[str, Any]]], integer: bool) -> str:
    first = next(iter(bins_by_series.values()))
    labels = [_bin_label(b, integer) for b in first]
    return column_chart(labels, [(name, [b["count"] for b in bins]) for name, bins in bins_by_series.items()])


def _lengths(r: dict[str, Any]) -> str:
    lengths = r["length_chars"]
    chart = _histogram({"kept (after)": lengths["after"], "all parsed (before)": lengths["before"]}, True)
    return chart + _missing(
        "Characters per document; each bin starts at its label. Before: every parsed document as it left "
        "the pipeline (kept, or as it was when rejected); after: kept documents, cleaned."
    )


def _quality(r: dict[str, Any]) -> str:
    if not r["quality_score"]:
        return _missing("This run recorded no quality_score column.")
    return _histogram(r["quality_score"], False)


def _languages(r: dict[str, Any]) -> str:
    langs = r["languages"]
    if not langs:
        return _missing("This run recorded no lang column (no language identification stage).")
    chart = hbar_chart([(x["lang"], x["docs"], f"{x['docs']:,} ({_pct(x['share'])})") for x in langs[:TOP_LANGUAGES]])
    rows = [
        [_esc(x["lang"]), _num(x["docs"]), _num(x["kept"]), _num(x["rejected"]), _num(x["mean_score"])]
        for x in langs[:TOP_LANGUAGES]
    ]
    if len(langs) > TOP_LANGUAGES:
        rest = langs[TOP_LANGUAGES:]
        rows.append([f"{len(rest)} more (in report.json)", _num(sum(x["docs"] for x in rest)), "", "", ""])
    return chart + _table(["language", "documents", "kept", "rejected", "mean score"], rows, {1, 2, 3, 4})


def _blacklist(r: dict[str, Any]) -> str:
    b = r["blacklist"]
    if not b:
        return _missing("This run has no blacklist rejections or hits.")
    cats = _table(["category", "rejected"], [[_esc(c["category"]), _num(c["rejected"])] for c in b["categories"]], {1})
    terms = "".join(
        f"<p><b>{_esc(cat)}</b>: " + ", ".join(f"{_esc(t['term'])} ({t['count']:,})" for t in found) + "</p>"
        for cat, found in b["terms"].items()
    )
    return cats + f'<p class="muted">Most frequent terms, from the {_esc(b["terms_counted_from"])}:</p>' + terms


def _dedup(r: dict[str, Any]) -> str:
    d = r["dedup"]
    if not d:
        return _missing("This run removed no duplicates (no dedup phase, or nothing found).")
    by_reason = ", ".join(f"{_esc(k)} {v:,}" for k, v in d["by_reason"].items())
    text = f"<p>{d['docs_removed']:,} documents removed ({by_reason}) in {d['clusters']:,} clusters.</p>"
    return text + _histogram({"clusters by size": d["cluster_size_histogram"]}, True)


def _by_source(r: dict[str, Any]) -> str:
    b = r["reasons_by_source"]
    if not b["reasons"]:
        return _missing("No document was rejected.")
    headers = ["source file", "read", "removed", *b["reasons"], "other"]
    rows = [
        [
            _esc(x["source_file"]),
            _num(x["read"]),
            f"{_num(x['removed'])} ({_pct(x['removed_share'])})",
            *(_num(x["by_reason"][key]) for key in b["reasons"]),
            _num(x["other"]),
        ]
        for x in b["rows"]
    ]
    note = _missing("Documents removed per input file and reason: the run's most frequent reasons, the rest in other.")
    return note + _table(headers, rows, set(range(1, len(headers))))


def _timing(r: dict[str, Any]) -> str:
    t = r["timing"]
    parts = t.get("invocations", 1)
    over = f", active time of {parts} invocations (stopped and resumed or rerun)" if parts > 1 else ""
    limited = f" Limited run: only the first {t['limit']:,} lines of each shard were read." if t.get("limit") else ""
    head = (
        f"<p>wall {t['wall_seconds']:,.1f} s{over} with {_num(t['workers'])} workers: {_num(t['docs_per_s'])} "
        f"docs/s, {_num(t['mb_per_s'])} MB/s; {t['worker_seconds']:,.1f} worker-seconds in total.{limited}</p>"
    )
    rows = [(s["stage"], s["seconds"], f"{s['seconds']:,.2f} s ({_pct(s['share'])})") for s in t["stages"]]
    return head + hbar_chart(rows) + _missing("Seconds per stage are summed over workers (CPU time in the stage).")


def _shards(r: dict[str, Any]) -> str:
    headers = ["shard", "read", "kept", "rejected", "malformed", "kept %", "chars out", "tokens out", "seconds"]
    rows = [
        [
            _esc(s["shard"]),
            _num(s["read"]),
            _num(s["kept"]),
            _num(s["rejected"]),
            _num(s["malformed"]),
            _pct(s["kept_share"]),
            _num(s["chars_out"]),
            _num(s["tokens_out"]),
            _num(s["seconds"]),
        ]
        for s in r["shards"]
    ]
    return _table(headers, rows, set(range(1, 9)))


def _samples(r: dict[str, Any]) -> str:
    s = r["samples"]
    kept = s["kept"]
    rows = [[f'<a href="{_esc(kept["file"])}">{_esc(kept["file"])}</a>', "kept", _num(kept["docs"])]]
    rows += [
        [f'<a href="{_esc(x["file"])}">{_esc(x["file"])}</a>', _esc(x["reason"]), _num(x["docs"])]
        for x in s["rejected"]
    ]
    how = (
        "collected by the workers, original text beside the cleaned text"
        if s["drawn_by"] == "workers"
        else "drawn from the outputs (this run saved no worker samples), so without the original text"
    )
    note = _missing(f"Seeded random samples (seed {s['seed']}), {how}; one JSON document per line.")
    return note + _table(["file", "of", "documents"], rows, {2})


def _checks(r: dict[str, Any]) -> str:
    rows = [
        [_esc(c["check"]), '<span class="ok">ok</span>' if c["ok"] else '<span class="bad">FAILED</span>']
        for c in r["checks"]
    ]
    return _table(["check", "result"], rows)


_RENDER = {
    "overview": _overview,
    "funnel": _funnel,
    "reasons": _reasons,
    "by_source": _by_source,
    "lengths": _lengths,
    "quality": _quality,
    "languages": _languages,
    "blacklist": _blacklist,
    "dedup": _dedup,
    "timing": _timing,
    "shards": _shards,
    "samples": _samples,
    "checks": _checks,
}


def render_html(report: dict[str, Any]) -> str:
    title = f"Cleaning report: {report['dataset']} {report['version']}"
    nav = "".join(f'<a href="#{key}">{_esc(name)}</a>' for key, name in SECTIONS)
    body = "".join(
        f'<section id="{key}"><h2>{_esc(name)}</h2>{_RENDER[key](report)}</section>' for key, name in SECTIONS
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{_esc(title)}</h1><p class="muted">generated {_esc(report["generated"])} from {_esc(report["dest"])}</p>'
        f"<nav>{nav}</nav>{body}</body></html>\n"
    )
