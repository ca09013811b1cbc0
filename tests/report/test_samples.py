"""Review samples: exactly N, reproducible with the seed, different with another, mergeable, exclusions honoured."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner.io.fsutil import write_json_atomic
from cleaner.report.build import build_report
from cleaner.report.sample_files import combine, file_names
from cleaner.run.samples import SampleCollector, doc_ref, merge


def _kept_rows(dest: Path) -> dict[str, list[dict]]:
    """Kept documents per shard, as the workers would offer them."""
    return {
        path.relative_to(dest / "kept").as_posix(): pq.read_table(path).to_pylist()
        for path in sorted((dest / "kept").rglob("*.parquet"))
    }


def _parts(dest: Path, seed: int, kept_k: int = 50) -> list[dict]:
    """One collector per shard (a worker each), fed the kept and rejected rows of the run."""
    parts = []
    for shard, rows in _kept_rows(dest).items():
        collector = SampleCollector(seed, kept_k=kept_k, per_reason_k=5)
        for row in rows:
            collector.offer_kept(row["id"], row["source_file"], row["line"], "original " + row["text"], row["text"])
        for row in pq.read_table(dest / "rejected" / shard).to_pylist():
            collector.offer_rejected(row["reason"], row["id"], row["source_file"], row["line"], None, row["text"])
        parts.append(collector.to_json())
    return parts


def _refs(entries: list[dict]) -> list[str]:
    return [e["ref"] for e in entries]


def test_exactly_n_reproducible_and_seed_dependent(run_dest: tuple[Path, Path]) -> None:
    dest = run_dest[1]
    first, again, other = merge(_parts(dest, 7)), merge(_parts(dest, 7)), merge(_parts(dest, 8))
    assert len(first["kept"]) == 50
    assert len(set(_refs(first["kept"]))) == 50
    assert _refs(first["kept"]) == _refs(again["kept"])
    assert set(_refs(first["kept"])) != set(_refs(other["kept"]))
    assert first["rejected"] and all(0 < len(entries) <= 5 for entries in first["rejected"].values())
    assert {"too_short", "malformed:invalid_json"} <= set(first["rejected"])


def test_merge_equals_one_collector_over_everything(run_dest: tuple[Path, Path]) -> None:
    """Bottom-k merges exactly: the shard split (number of workers) does not change the sample."""
    dest = run_dest[1]
    single = SampleCollector(7, kept_k=50, per_reason_k=5)
    for rows in _kept_rows(dest).values():
        for row in rows:
            single.offer_kept(row["id"], row["source_file"], row["line"], row["text"], row["text"])
    assert _refs(merge([single.to_json()])["kept"]) == _refs(merge(_parts(dest, 7))["kept"])
    shards = {e["source_file"] for e in merge(_parts(dest, 7))["kept"]}
    assert len(shards) >= 3  # spread over the shards by construction


def test_exclusion_keeps_n_and_drops_the_excluded(run_dest: tuple[Path, Path]) -> None:
    parts = _parts(run_dest[1], 7)
    chosen = _refs(merge(parts)["kept"])
    excluded = set(chosen[::3])
    final = merge(parts, exclude=excluded)
    assert len(final["kept"]) == 50
    assert not excluded & set(_refs(final["kept"]))
    # A merged sample merges again (e.g. with the dedup phase's removals, known later).
    assert _refs(merge([merge(parts)], exclude=excluded)["kept"]) == _refs(final["kept"])
    assert combine(merge(parts), SampleCollector(7, 50, 5), excluded)["kept"] == final["kept"]


def test_all_documents_when_fewer_than_n() -> None:
    collector = SampleCollector(1, kept_k=10)
    for line in range(1, 4):
        collector.offer_kept(f"d{line}", "a.jsonl", line, "x", "x")
    kept = merge([collector.to_json()])["kept"]
    assert sorted(_refs(kept)) == [doc_ref("a.jsonl", n) for n in range(1, 4)]
    with pytest.raises(ValueError, match="different runs"):
        merge([collector.to_json(), SampleCollector(2, kept_k=10).to_json()])


def test_long_texts_are_cut_with_their_length_kept() -> None:
    collector = SampleCollector(1, kept_k=1, max_chars=5)
    collector.offer_kept("d", "a.jsonl", 1, "0123456789", "01234567")
    entry = merge([collector.to_json()])["kept"][0]
    assert entry["original_text"] == "01234" and entry["original_chars"] == 10 and entry["truncated"]


def test_report_writes_sample_files_from_saved_samples(run_dest: tuple[Path, Path]) -> None:
    dest = run_dest[1]
    saved = dest / "_state" / "samples.json"
    write_json_atomic(saved, merge(_parts(dest, 11)))
    try:
        build_report(dest)
        lines = (dest / "samples" / "kept.jsonl").read_text(encoding="utf-8").splitlines()
        kept = [json.loads(line) for line in lines]
        assert len(kept) == 50 and all(k["original_text"].startswith("original ") for k in kept)
        assert _refs(kept) == _refs(merge(_parts(dest, 11))["kept"])
        # Another seed than the saved one redraws from the outputs: N = the default 100, no original text.
        build_report(dest, seed=12)
        redrawn = (dest / "samples" / "kept.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(redrawn) == 100 and json.loads(redrawn[0])["original_text"] is None
    finally:
        saved.unlink()


def test_report_samples_without_saved_samples_follow_the_seed(run_dest: tuple[Path, Path]) -> None:
    dest = run_dest[1]

    def kept_file(seed: int) -> list[str]:
        report = build_report(dest, seed=seed)
        assert report["samples"]["kept"]["docs"] == 100
        return (dest / "samples" / "kept.jsonl").read_text(encoding="utf-8").splitlines()

    assert kept_file(3) == kept_file(3)
    assert kept_file(3) != kept_file(4)
    report = build_report(dest, seed=3)
    for sample in report["samples"]["rejected"]:
        lines = (dest / sample["file"]).read_text(encoding="utf-8").splitlines()
        assert 1 <= len(lines) == sample["docs"] <= 20
        assert {json.loads(line)["reason"] for line in lines} == {sample["reason"]}


def test_reason_file_names_are_safe_and_unique() -> None:
    names = file_names(["malformed:invalid_json", "blacklist:porn", "a/b", "a:b", "../x"])
    assert names["malformed:invalid_json"] == "samples/rejected_malformed_invalid_json.jsonl"
    assert len(set(names.values())) == 5
    assert all("/" not in n.removeprefix("samples/") and ".." not in n for n in names.values())
