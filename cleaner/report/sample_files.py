"""Review samples for the run: the workers' samples, completed from the outputs, written as JSONL.

The workers sample while cleaning (`cleaner.run.samples`, saved merged at DEST/_state/samples.json).
Two things only the finished outputs know: which sampled documents the dedup phase removed
(excluded here) and documents of reasons the workers never saw (`near_duplicate`, ...), which the
report's scan samples from rejected/ with the same seed. Without a saved sample (or with another
seed) the scan samples everything from the outputs; the original text is then unknown (null).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cleaner.io.fsutil import read_json
from cleaner.run.layout import RunLayout
from cleaner.run.outputs import claim, claimed, release
from cleaner.run.samples import SampleCollector, merge

DEFAULT_SEED = 0
DEFAULT_KEPT = 100
DEFAULT_PER_REASON = 20


def load_saved(dest: Path, seed: int | None) -> dict[str, Any] | None:
    """The workers' merged sample, unless missing or drawn with another seed than the one asked."""
    path = RunLayout(dest).saved_samples
    if not path.exists():
        return None
    saved = read_json(path)
    return saved if seed is None or seed == saved["seed"] else None


def fallback_collector(saved: dict[str, Any] | None, seed: int | None) -> SampleCollector:
    """A collector for the scan, with the saved sample's settings so both merge as one run."""
    if saved is None:
        return SampleCollector(DEFAULT_SEED if seed is None else seed, DEFAULT_KEPT, DEFAULT_PER_REASON)
    return SampleCollector(saved["seed"], saved["kept_k"], saved["per_reason_k"], saved["spare"], saved["max_chars"])


def combine(saved: dict[str, Any] | None, fallback: SampleCollector, removed: set[str]) -> dict[str, Any]:
    """The final sample: saved kept documents minus `removed` refs, rejected reasons from both."""
    scanned = fallback.to_json()
    if saved is None:
        return merge([scanned])
    final = merge([saved], exclude=removed)
    final["rejected"].update(merge([scanned])["rejected"])
    final["offered"]["rejected"].update(scanned["offered"]["rejected"])
    final["rejected"] = dict(sorted(final["rejected"].items()))
    return final


def file_names(reasons: list[str]) -> dict[str, str]:
    """reason -> `samples/rejected_<reason>.jsonl`, the reason made safe (and unique) as a file name."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for reason in reasons:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", reason).strip("._") or "reason"
        name, n = stem, 1
        while name in taken:
            n += 1
            name = f"{stem}_{n}"
        taken.add(name)
        names[reason] = f"samples/rejected_{name}.jsonl"
    return names


def _write_jsonl(path: Path, entries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for entry in entries:
            record = {k: v for k, v in entry.items() if k != "key"}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)


def write_samples(dest: Path, final: dict[str, Any]) -> dict[str, Any]:
    """Write samples/kept.jsonl and one file per reason (the run's earlier sample files first
    removed, nothing else in samples/); describe them."""
    layout = RunLayout(dest)
    release(layout, claimed(layout, f"{layout.samples_dir.name}/"))
    _write_jsonl(layout.samples_dir / "kept.jsonl", final["kept"])
    names = file_names(list(final["rejected"]))
    for reason, entries in final["rejected"].items():
        _write_jsonl(dest / names[reason], entries)
    claim(layout, [layout.samples_dir / "kept.jsonl", *(dest / name for name in names.values())])
    return {
        "seed": final["seed"],
        "kept": {"file": "samples/kept.jsonl", "docs": len(final["kept"])},
        "rejected": [
            {"reason": reason, "file": names[reason], "docs": len(entries)}
            for reason, entries in final["rejected"].items()
        ],
    }
