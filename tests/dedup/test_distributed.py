"""The global phase as tasks: resumable after a kill, the driver's memory independent of the
corpus, and the same removals whether the tasks run here, in worker processes or on Ray."""

from __future__ import annotations

import multiprocessing
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from cleaner.dedup.cluster import dedup_done, run_dedup
from cleaner.dedup.lsh import band_hashes
from cleaner.dedup.params import DedupParams
from cleaner.dedup.store import BatchHashes, write_unit
from tests.dedup.test_candidates import outcome, write_units
from tests.helpers import write_recipe

#: Small signatures, so a synthetic corpus that needs many partitions is quick to build.
SMALL = DedupParams(num_perm=16, bands=4, rows=4, memory_budget_mb=1)


def synthetic_units(folder: Path, docs: int, units: int, params: DedupParams, seed: int = 0) -> list[Path]:
    """Random signatures, a third of them copies (exact, or with a few entries changed) of 2,000
    templates shared by all units, so clusters span units."""
    rng = np.random.default_rng(seed)
    bands, rows = params.lsh
    templates = rng.integers(0, 2**32, size=(2000, params.num_perm), dtype=np.uint32)
    template_exact = rng.integers(0, 2**63, size=(2000, 2), dtype=np.uint64)
    paths, per_unit = [], docs // units
    for u in range(units):
        n = per_unit
        signatures = rng.integers(0, 2**32, size=(n, params.num_perm), dtype=np.uint32)
        exact = rng.integers(0, 2**63, size=(n, 2), dtype=np.uint64)
        copy = rng.random(n) < 0.33
        which = rng.integers(0, len(templates), size=n)
        changed = rng.random((n, params.num_perm)) < np.where(rng.random(n) < 0.5, 0.0, 0.05)[:, None]
        signatures[copy] = np.where(changed[copy], signatures[copy], templates[which[copy]])
        same = copy & ~changed.any(axis=1)
        exact[same] = template_exact[which[same]]
        keys = {
            "row": np.arange(n),
            "id": [f"u{u}-{i}" for i in range(n)],
            "source_file": [f"shard{u % 3}.jsonl"] * n,
            "line": np.arange(n) + 1 + u * per_unit,
            "quality_score": np.full(n, np.nan),
            "length": rng.integers(100, 5000, size=n),
        }
        hashes = BatchHashes(exact, band_hashes(signatures, bands, rows, params.seed), signatures, np.full(n, 300))
        paths.append(folder / f"s{u:06d}-c0000.parquet")
        write_unit(paths[-1], paths[-1].stem, params, keys, hashes)
    return paths


class Killed(Exception):
    pass


def killing_map(after: int):
    """A mapper that dies (as a killed driver would) once `after` tasks have finished."""
    done = []

    def mapper(fn, tasks):
        for task in tasks:
            if len(done) == after:
                raise Killed
            done.append(fn(task))
            yield done[-1]

    return mapper


def counting_map(counted: list):
    def mapper(fn, tasks):
        for task in tasks:
            counted.append(task)
            yield fn(task)

    return mapper


@pytest.mark.parametrize("clustering", ["greedy", "union_find"])
def test_a_killed_phase_resumes_with_the_same_removals(corpus_dir, tmp_path, clustering):
    params = DedupParams(clustering=clustering)
    units = write_units(corpus_dir, tmp_path / "units", params)
    whole_tasks: list = []
    whole = run_dedup(units, tmp_path / "whole", params, mapper=counting_map(whole_tasks), partitions=4)
    out = tmp_path / "killed"
    for after in (3, 10, 13):  # killed in the sort, the partition and the keepers step (4 tasks a step)
        with pytest.raises(Killed):
            run_dedup(units, out, params, mapper=killing_map(after), partitions=4)
        assert not out.exists() and (tmp_path / "killed.tmp").is_dir()
    resumed_tasks: list = []
    resumed = run_dedup(units, out, params, mapper=counting_map(resumed_tasks), partitions=4)
    assert outcome(out, resumed) == outcome(tmp_path / "whole", whole)
    assert len(resumed_tasks) == len(whole_tasks) - 26
    assert not (tmp_path / "killed.tmp").exists()


def test_a_finished_phase_drops_the_work_a_kill_after_publication_left(corpus_dir, tmp_path):
    units = write_units(corpus_dir, tmp_path / "units", DedupParams())
    out = tmp_path / "out"
    assert not dedup_done(out)
    run_dedup(units, out, DedupParams(), partitions=4)
    (tmp_path / "out.tmp" / "range").mkdir(parents=True)  # as if killed while removing the work folder
    assert dedup_done(out) and not (tmp_path / "out.tmp").exists()


def test_changed_parameters_discard_the_interrupted_work(corpus_dir, tmp_path):
    units = write_units(corpus_dir, tmp_path / "units", DedupParams())
    with pytest.raises(Killed):
        run_dedup(units, tmp_path / "out", DedupParams(), mapper=killing_map(30), partitions=4)
    stricter = DedupParams(verify_offset=0.1)
    got = run_dedup(units, tmp_path / "out", stricter, partitions=4)
    fresh = run_dedup(units, tmp_path / "fresh", stricter, partitions=4)
    assert outcome(tmp_path / "out", got) == outcome(tmp_path / "fresh", fresh)


def _pool_map(pool):
    def mapper(fn, tasks):
        return pool.imap_unordered(fn, tasks)

    return mapper


def test_the_driver_holds_no_corpus_sized_array(tmp_path):
    # 60k documents need 16+ partitions of a 1 MB budget; the driver (tasks in worker processes)
    # must stay far below the budget however many documents there are.
    paths = synthetic_units(tmp_path / "units", 60_000, 12, SMALL)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        tracemalloc.start()
        summary = run_dedup(paths, tmp_path / "out", SMALL, mapper=_pool_map(pool))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    index_bytes = summary["index_entries"] * 16
    assert summary["partitions"] >= 16 and index_bytes > 3 * 2**20
    assert summary["removed_exact"] > 5_000 and summary["removed_near"] > 5_000
    assert peak < 0.6 * SMALL.memory_budget_mb * 2**20, f"driver peak {peak:,} B"  # measured 0.37 MB
    assert peak < index_bytes / 8


def test_worker_processes_give_the_same_removals(tmp_path):
    paths = synthetic_units(tmp_path / "units", 6_000, 5, SMALL)
    here = run_dedup(paths, tmp_path / "here", SMALL, partitions=4)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pooled = run_dedup(paths, tmp_path / "pool", SMALL, mapper=_pool_map(pool), partitions=4)
    assert outcome(tmp_path / "pool", pooled) == outcome(tmp_path / "here", here)


def test_ray_tasks_give_the_same_removals(corpus_dir, tmp_path):
    pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")
    from cleaner.recipe import load_recipe
    from cleaner.run.executors import RayExecutor

    params = DedupParams(clustering="union_find")
    units = write_units(corpus_dir, tmp_path / "units", params)
    local = run_dedup(units, tmp_path / "local", params, partitions=4)
    executor = RayExecutor(load_recipe(write_recipe(tmp_path / "r.yaml")), 2, None)
    try:
        on_ray = run_dedup(
            units,
            tmp_path / "ray",
            params,
            mapper=lambda fn, tasks: (r for r in executor.map(fn, tasks, 1.0) if r is not None),
            partitions=4,
        )
    finally:
        executor.close()
    assert outcome(tmp_path / "ray", on_ray) == outcome(tmp_path / "local", local)
