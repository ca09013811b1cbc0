"""Every step of the global phase is cut into partitions (ranks, index, edges, keepers, blocks):
byte-identical removals whatever the number of partitions, the order in which tasks finish, the
order of the unit list and the first document number (numbers above 2**32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cleaner.dedup.candidates import collision_edges
from cleaner.dedup.cluster import run_dedup
from cleaner.dedup.params import DedupParams
from cleaner.dedup.store import UnitSignatures
from tests.conftest import corpus_records

#: Summary entries that describe how the work was cut, not what it found.
HOW = {"partitions", "blocks", "work_bytes", "seconds", "steps"}


def write_units(corpus_dir: Path, folder: Path, params: DedupParams) -> list[Path]:
    """Court judgments (many near-duplicates) and hotel reviews plus exact copies of some of them,
    in four units of two source files, every third document with a quality score."""
    docs = [(r["id"], r["text"]) for r in corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl", 300)]
    docs += [(r["id"], r["text"]) for r in corpus_records(corpus_dir, "zh/zh_reviews_hotel_chnsenticorp.jsonl", 300)]
    docs += [(f"{doc_id}-copy", text) for doc_id, text in docs[:80:3] + docs[300:380:3]]
    paths, start = [], 0
    for u, size in enumerate([250, 7, 190, len(docs) - 447]):
        unit = UnitSignatures(f"s{u % 2:06d}-c{u:04d}", params)
        for row, (doc_id, text) in enumerate(docs[start : start + size]):
            unit.add(row, doc_id, text, f"s{u % 2}.jsonl", start + row + 1, (row % 10) / 10 if row % 3 == 0 else None)
        paths.append(folder / f"{unit.unit}.parquet")
        unit.write(paths[-1])
        start += size
    return paths


def _reversed_map(fn, tasks):
    """A mapper whose tasks finish in the opposite order (as parallel tasks may)."""
    return [fn(task) for task in reversed(list(tasks))]


def outcome(out: Path, summary: dict) -> tuple[dict[str, bytes], dict]:
    files = {p.name: p.read_bytes() for p in sorted(out.glob("*.parquet"))}
    return files, {k: v for k, v in summary.items() if k not in HOW}


@pytest.mark.parametrize("clustering", ["greedy", "union_find"])
def test_removals_are_byte_identical_for_1_4_and_16_partitions(corpus_dir, tmp_path, clustering):
    params = DedupParams(clustering=clustering)
    units = write_units(corpus_dir, tmp_path / "units", params)
    runs = {}
    for count, order, mapper in ((1, units, map), (4, units[::-1], _reversed_map), (16, units, _reversed_map)):
        summary = run_dedup(order, tmp_path / str(count), params, mapper=mapper, partitions=count)
        assert summary["partitions"] == count
        runs[count] = outcome(tmp_path / str(count), summary)
    files, summary = runs[1]
    assert len(files) >= 3 and summary["removed_exact"] >= 25 and summary["removed_near"] > 30
    assert runs[4] == runs[1] and runs[16] == runs[1]
    assert not (tmp_path / "16.tmp").exists()


def test_union_find_removes_a_superset_of_greedy(corpus_dir, tmp_path):
    units = write_units(corpus_dir, tmp_path / "units", DedupParams())
    greedy = run_dedup(units, tmp_path / "greedy", DedupParams(), partitions=4)
    union = run_dedup(units, tmp_path / "union", DedupParams(clustering="union_find"), partitions=4)
    assert union["removed"] > greedy["removed"] and union["clusters"] <= greedy["clusters"]


def test_document_numbers_beyond_2_32(corpus_dir, tmp_path):
    units = write_units(corpus_dir, tmp_path / "units", DedupParams())
    plain = run_dedup(units, tmp_path / "plain", DedupParams(), partitions=4)
    high = run_dedup(units, tmp_path / "high", DedupParams(), partitions=4, base=2**33 + 12345)
    assert outcome(tmp_path / "high", high) == outcome(tmp_path / "plain", plain)


def test_the_memory_budget_sets_the_partition_count(corpus_dir, tmp_path):
    units = write_units(corpus_dir, tmp_path / "units", DedupParams())
    whole = run_dedup(units, tmp_path / "whole", DedupParams())
    small = run_dedup(units, tmp_path / "small", DedupParams(memory_budget_mb=0.05))
    assert whole["partitions"] == 1 and small["partitions"] >= 8
    assert outcome(tmp_path / "small", small) == outcome(tmp_path / "whole", whole)


def test_collision_edges_are_a_chain_and_a_star_per_bucket():
    keys = np.array([[5], [9], [5], [5], [7], [9], [5]], dtype=np.uint64)
    docs = np.array([40, 11, 3, 20, 8, 2, 10], dtype=np.uint64)
    edges = collision_edges(keys, docs).tolist()
    # bucket 5 in rank order: 3, 10, 20, 40 -> chain 3-10, 10-20, 20-40 and star 3-20, 3-40; bucket 9: 2-11.
    assert edges == [[2, 11], [3, 10], [3, 20], [3, 40], [10, 20], [20, 40]]
