"""Candidate edges split into hash partitions: the same edges and byte-identical removals whatever
the number of partitions and the order in which they finish (what lets Ray run them as tasks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cleaner.dedup.candidates import Unit, merged_edges, partition_edges
from cleaner.dedup.cluster import run_dedup
from cleaner.dedup.params import DedupParams
from cleaner.dedup.store import unit_meta, unit_rows
from tests.conftest import corpus_records
from tests.dedup.helpers import write_units

PARAMS = DedupParams()


def _units(corpus_dir: Path, folder: Path) -> list[Path]:
    """Court judgments (many near-duplicates) plus exact copies of some of them, in three units."""
    docs = [(r["id"], r["text"]) for r in corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl", 300)]
    docs += [(f"{doc_id}-copy", text) for doc_id, text in docs[:40:3]]
    return write_units(folder, docs, PARAMS, [100, 7, len(docs) - 107])


def _catalogue(paths: list[Path]) -> list[Unit]:
    units, start = [], 0
    for path in paths:
        rows = unit_rows(path)
        units.append(Unit(path, unit_meta(path)["unit"], False, start, rows))
        start += rows
    return units


def test_partition_edges_merge_to_the_same_edges_for_any_partition_count(corpus_dir, tmp_path):
    units = _catalogue(_units(corpus_dir, tmp_path))
    ranks = np.arange(sum(u.rows for u in units), dtype=np.uint32)
    whole = partition_edges(units, ranks, PARAMS, 0, 1)
    assert len(whole.near[0]) > 30 and len(whole.exact[0]) >= 10
    for count in (2, 8, 64):
        parts = [partition_edges(units, ranks, PARAMS, p, count) for p in range(count)]
        assert sum(p.entries for p in parts) == whole.entries
        near, exact, entries = merged_edges(parts[::-1])
        assert entries == whole.entries
        for got, want in ((near, whole.near), (exact, whole.exact)):
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def _reversed_map(fn, tasks):
    """A mapper whose tasks finish in the opposite order (as parallel tasks may)."""
    return [fn(task) for task in reversed(tasks)]


def test_removals_are_byte_identical_for_one_and_several_partitions(corpus_dir, tmp_path):
    units = _units(corpus_dir, tmp_path / "units")
    one = run_dedup(units, tmp_path / "one", PARAMS)
    several = run_dedup(units[::-1], tmp_path / "several", DedupParams(memory_budget_mb=0.02), mapper=_reversed_map)
    assert one["partitions"] == 1 and several["partitions"] >= 8
    assert one["removed_exact"] >= 10 and one["removed_near"] > 30
    files = sorted(p.name for p in (tmp_path / "one").glob("*.parquet"))
    assert files and files == sorted(p.name for p in (tmp_path / "several").glob("*.parquet"))
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "several" / name).read_bytes()
    assert not list((tmp_path / "several").glob("*.npy"))
