"""Build signature files from (id, text) documents and read back who was removed."""

from __future__ import annotations

from pathlib import Path

from cleaner.dedup.cluster import run_dedup
from cleaner.dedup.params import DedupParams
from cleaner.dedup.removals import load_removals
from cleaner.dedup.store import UnitSignatures, unit_meta


def write_units(
    folder: Path,
    docs: list[tuple[str, str]],
    params: DedupParams,
    unit_sizes: list[int] | None = None,
    prefix="s000000",
) -> list[Path]:
    """Write docs (id, text) as consecutive units of the given sizes (default: one unit)."""
    sizes = unit_sizes or [len(docs)]
    assert sum(sizes) == len(docs)
    paths, start = [], 0
    for u, size in enumerate(sizes):
        name = f"{prefix}-c{u:04d}"
        unit = UnitSignatures(name, params)
        for row, (doc_id, text) in enumerate(docs[start : start + size]):
            unit.add(row, doc_id, text, f"{prefix}.jsonl", start + row + 1)
        path = folder / f"{name}.parquet"
        unit.write(path)
        paths.append(path)
        start += size
    return paths


def dedup(folder: Path, units: list[Path], params: DedupParams, **kwargs) -> dict[str, dict]:
    """Run the global phase; return {removed id: removal record}."""
    out = folder / "dedup"
    run_dedup(units, out, params, **kwargs)
    removed = {}
    for path in units:
        for record in load_removals(out, unit_meta(path)["unit"]).to_pylist():
            removed[record["id"]] = record
    return removed
