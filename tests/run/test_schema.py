"""One schema per run: the kept (and rejected) files of a multi-source run read as one table by the
tools teams use, carried fields with one type per run, collision-free names for input fields."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from datasets import load_dataset

from cleaner.io.writer import carried_name, conform
from tests.helpers import crash_run, output_bytes, real_lines, start_cli, wait_for, write_lines
from tests.helpers import run_recipe as _run

#: Sources whose carried fields differ: `label` is a string in three and an integer in two,
#: `category` and `in_uci` exist in one each, `lang` collides with lang_id's column.
SOURCES = {
    "zh/apps.jsonl": ("zh/zh_app_descriptions_iflytek.jsonl", 150),  # label str
    "zh/hotel.jsonl": ("zh/zh_reviews_hotel_chnsenticorp.jsonl", 150),  # label int
    "zh/shopping.jsonl.gz": ("zh/zh_reviews_online_shopping.jsonl", 150),  # label int, category
    "zh/judgments.jsonl": ("zh/zh_court_judgments.jsonl", 40),  # label str
    "en/sms.jsonl.zst": ("en/en_sms_spam.jsonl", 200),  # label str, in_uci bool; many too short
    "en/web.jsonl": ("en/en_web_pages_maintext.jsonl", 60),  # url, lang, lang_html (null or str)
}
RECIPE = """
input:
  text_field: text
  chunk_bytes: {chunk_bytes}
stages:
  - unicode_normalise
  - length_filter: {{min_chars: 80, min_words: 15}}
  - lang_id
output:
  batch_rows: 40
"""


def _recipe(path: Path, chunk_bytes: str = "256MiB", extra: str = "") -> Path:
    path.write_text(RECIPE.format(chunk_bytes=chunk_bytes) + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def source(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("schema") / "src"
    for name, (relative, limit) in SOURCES.items():
        write_lines(src / name, real_lines(corpus_dir, relative, limit))
    return src


@pytest.fixture(scope="module")
def run(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("schema_run")
    dest = root / "out"
    result = _run(source, dest, _recipe(root / "r.yaml", chunk_bytes="64KiB"), 2)
    assert result.returncode == 0, result.stderr
    return dest


def _kept_files(dest: Path) -> list[str]:
    files = sorted(str(p) for p in (dest / "kept").rglob("*.parquet"))
    assert len(files) == len(SOURCES)
    return files


def _expected(dest: Path, kind: str) -> tuple[list[str], int]:
    schema = json.loads((dest / "schema.json").read_text())
    summary = json.loads((dest / "summary.json").read_text())["totals"]
    rows = summary["kept"] if kind == "kept" else summary["rejected"] + summary["malformed"]
    return [c["name"] for c in schema[kind]], rows


def test_every_shard_has_the_run_schema(run: Path) -> None:
    document = json.loads((run / "schema.json").read_text())
    carried = {c["name"]: c for c in document["kept"] if c["role"] == "carried"}
    assert carried["label"]["type"] == "string"  # str in three files, int in two: JSON text
    assert carried["in_uci"]["type"] == "bool" and carried["category"]["type"] == "string"
    assert carried["input_lang"]["input_field"] == "lang"  # lang_id writes `lang`
    assert [c["role"] for c in document["kept"][:6]] == ["core"] * 4 + ["annotation"] * 2
    for kind in ("kept", "rejected"):
        schemas = [pq.read_schema(p) for p in sorted((run / kind).rglob("*.parquet"))]
        assert len(schemas) == len(SOURCES)
        assert all(s.equals(schemas[0]) for s in schemas)
        assert schemas[0].names == [c["name"] for c in document[kind]]


def test_label_values_survive_as_json_text(run: Path, source: Path) -> None:
    hotel = pq.read_table(run / "kept" / "zh" / "hotel.parquet", columns=["line", "label", "category"])
    originals = [json.loads(line) for line in (source / "zh" / "hotel.jsonl").read_text().splitlines()]
    labels = dict(zip(hotel.column("line").to_pylist(), hotel.column("label").to_pylist()))
    assert labels and all(labels[n] == json.dumps(originals[n - 1]["label"]) for n in labels)
    assert hotel.column("category").null_count == hotel.num_rows  # absent in this source: null


def test_datasets_reads_kept_as_one_table(run: Path, tmp_path: Path) -> None:
    columns, rows = _expected(run, "kept")
    table = load_dataset("parquet", data_files=_kept_files(run), split="train", cache_dir=str(tmp_path))
    assert table.column_names == columns and table.num_rows == rows


def test_polars_reads_kept_as_one_table(run: Path) -> None:
    columns, rows = _expected(run, "kept")
    frame = pl.read_parquet(_kept_files(run))
    assert frame.columns == columns and frame.height == rows
    rejected_columns, rejected_rows = _expected(run, "rejected")
    rejected = pl.read_parquet(sorted(str(p) for p in (run / "rejected").rglob("*.parquet")))
    assert rejected.columns == rejected_columns and rejected.height == rejected_rows


def test_duckdb_reads_kept_as_one_table(run: Path) -> None:
    columns, rows = _expected(run, "kept")
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{run}/kept/**/*.parquet')")
    assert relation.columns == columns and len(relation.fetchall()) == rows


def test_pyarrow_dataset_reads_kept_as_one_table(run: Path) -> None:
    columns, rows = _expected(run, "kept")
    table = ds.dataset(str(run / "kept"), format="parquet").to_table()
    assert table.column_names == columns and table.num_rows == rows
    assert table.column("in_uci").drop_null().to_pylist()  # the one file's column is not dropped


def test_same_bytes_at_any_worker_count_and_after_a_crash_in_finalise(source: Path, run: Path, tmp_path: Path) -> None:
    recipe = _recipe(tmp_path / "r.yaml", chunk_bytes="64KiB")
    single = tmp_path / "single"
    assert _run(source, single, recipe, 1).returncode == 0
    assert output_bytes(single) == output_bytes(run)
    assert (single / "schema.json").read_bytes() == (run / "schema.json").read_bytes()

    dest = tmp_path / "crashed"
    proc = start_cli(
        "run", str(source), str(dest), "--recipe", str(recipe), "--workers", "1", "--runs-dir", str(tmp_path / "runs")
    )
    wait_for(lambda: any((dest / "_state" / "done").glob("*.json")))  # a shard finalised, its parts gone
    crash_run(dest, proc)
    assert not (dest / "summary.json").exists(), "the run finished before it could be killed"
    resumed = _run(source, dest, recipe, 2)
    assert resumed.returncode == 0, resumed.stderr
    assert output_bytes(dest) == output_bytes(run)


def test_mixed_types_become_the_same_json_text_as_within_a_batch() -> None:
    target = pa.schema([pa.field("v", pa.string())])
    for values, expected in (([1, None], ["1", None]), ([1.0], ["1.0"]), ([True], ["true"])):
        assert conform(pa.table({"v": values}), target).column("v").to_pylist() == expected


def test_names_collide_with_nothing() -> None:
    reserved = frozenset({"stage", "lang"})
    names = [carried_name(k, reserved) for k in ("stage", "input_stage", "input_input_stage", "input_x", "lang", "x")]
    assert names == ["input_stage", "input_input_stage", "input_input_input_stage", "input_x", "input_lang", "x"]


def _collision_source(root: Path, corpus_dir: Path) -> list[dict]:
    """Real documents given fields named like output columns (issue 14, item 5)."""
    lines = real_lines(corpus_dir, "zh/zh_news_sogoucs.jsonl", 30)
    records = [json.loads(line) for line in lines]
    for i, record in enumerate(records):
        record.update(stage=f"s{i}", input_stage=i, duplicate_of=f"d{i}", cluster_id=f"c{i}", quality_score="high")
    records += [dict(records[0], id="copy")]  # an exact duplicate, so dedup removes one document
    write_lines(root / "src" / "news.jsonl", [json.dumps(r, ensure_ascii=False).encode() for r in records])
    return records


@pytest.mark.parametrize("quality_stage", [False, True])
def test_input_fields_named_like_ours(corpus_dir: Path, tmp_path: Path, quality_stage: bool) -> None:
    records = _collision_source(tmp_path, corpus_dir)
    dest = tmp_path / "out"
    extra = "  - quality_score\n" if quality_stage else ""
    recipe = _recipe(tmp_path / "r.yaml", extra="dedup:\n  threshold: 0.8\n")
    recipe.write_text(recipe.read_text().replace("  - lang_id\n", "  - lang_id\n" + extra))
    result = _run(tmp_path / "src", dest, recipe)
    assert result.returncode == 0, result.stderr  # the report read the run too
    kept = pq.read_table(dest / "kept" / "news.parquet")
    rejected = pq.read_table(dest / "rejected" / "news.parquet")
    for table in (kept, rejected):
        assert len(set(table.column_names)) == len(table.column_names)
    second = kept.filter(pc.equal(kept.column("line"), 2)).to_pylist()[0]
    assert second["input_stage"] == "s1" and second["input_input_stage"] == 1
    assert second["input_duplicate_of"] == "d1" and second["input_cluster_id"] == "c1"
    removed = rejected.filter(pc.equal(rejected.column("stage"), "dedup")).to_pylist()
    assert len(removed) == 1 and removed[0]["line"] in {1, 31}
    assert removed[0]["input_duplicate_of"] == "d0" and removed[0]["duplicate_of"] in {"copy", records[0]["id"]}
    report = json.loads((dest / "report.json").read_text())
    if quality_stage:  # the score is ours, the input's string is carried beside it
        assert second["input_quality_score"] == "high" and isinstance(second["quality_score"], float)
        assert sum(b["count"] for b in report["quality_score"]["kept"]) == kept.num_rows
    else:  # the input's own field keeps its name, and the report does not take it for a score
        assert second["quality_score"] == "high" and report["quality_score"] is None
