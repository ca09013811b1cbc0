"""Dedup inside a run: duplicates across shards go to rejected with their keeper; output is
identical for any worker count and after a kill; a later run deduplicates against an earlier one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq

from cleaner.run.tokens import TokenCounter
from tests.conftest import corpus_records
from tests.helpers import cli, crash_run, output_bytes, start_cli, wait_for, write_lines

RECIPE = """
input: {text_field: text}
stages: [unicode_normalise, whitespace_normalise, {length_filter: {min_chars: 50, min_words: 20}}]
output: {batch_rows: 50}
dedup: {threshold: 0.8}
"""


def _edit(text: str) -> str:
    """A near-duplicate (character 5-gram Jaccard well above 0.8 for texts of 400+ characters):
    one character changed in the middle, a line of boilerplate added at the end."""
    middle = len(text) // 2
    return text[:middle] + "某" + text[middle + 1 :] + "\n本文来源：网络"


def _lines(records: list[dict]) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() for r in records]


def _source(corpus_dir: Path, root: Path) -> tuple[Path, dict[str, str]]:
    wiki = [r for r in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 400) if len(r["text"]) >= 400]
    news = corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 150)
    near = [{**r, "id": r["id"] + "-near", "text": _edit(r["text"])} for r in wiki[:20]]
    exact = [{**r, "id": r["id"] + "-copy"} for r in news[:10] if len(r["text"].split()) >= 20]
    src = root / "src"
    write_lines(src / "a" / "wiki.jsonl", _lines(wiki))
    write_lines(src / "a" / "news.jsonl.gz", _lines(news))
    write_lines(src / "b" / "copies.jsonl", _lines(near + exact))
    expected = {r["id"]: r["id"].removesuffix("-near") for r in near}
    expected.update({r["id"]: r["id"].removesuffix("-copy") for r in exact})
    return src, expected


def _run(src: Path, dest: Path, recipe: Path, workers: int, *extra: str) -> subprocess.CompletedProcess:
    args = ["--recipe", str(recipe), "--workers", str(workers), "--runs-dir", str(dest.parent / "runs")]
    return cli("run", str(src), str(dest), *args, *extra)


def test_duplicates_removed_deterministically_and_resumably(corpus_dir: Path, tmp_path: Path) -> None:
    src, expected = _source(corpus_dir, tmp_path)
    recipe = tmp_path / "dedup.yaml"
    recipe.write_text(RECIPE)
    one, two = tmp_path / "one", tmp_path / "two"
    assert _run(src, one, recipe, 1).returncode == 0
    result = _run(src, two, recipe, 2)
    assert result.returncode == 0, result.stderr
    assert output_bytes(one) == output_bytes(two)

    removed = {
        r["id"]: r
        for path in sorted((two / "rejected").rglob("*.parquet"))
        for r in pq.read_table(path).to_pylist()
        if r["stage"] == "dedup"
    }
    # Each injected pair loses exactly one document, pointing at the other: the keeper is the
    # longer text (a near copy with a line added), else the earlier source file and line.
    found = 0
    for copy, original in expected.items():
        if copy in removed or original in removed:
            found += 1
            gone, keeper = (copy, original) if copy in removed else (original, copy)
            assert keeper not in removed
            assert removed[gone]["duplicate_of"] == keeper
            assert removed[gone]["reason"] == ("exact_duplicate" if copy.endswith("-copy") else "near_duplicate")
            assert removed[gone]["cluster_size"] >= 2
    assert found >= 0.9 * len(expected)
    exact_copies = [c for c in expected if c.endswith("-copy")]
    assert exact_copies
    assert all(removed[c]["duplicate_of"] == expected[c] for c in exact_copies)
    totals = json.loads((two / "summary.json").read_text())["totals"]
    assert totals["read"] == totals["kept"] + totals["rejected"] + totals["malformed"]
    assert totals["stages"][-1]["stage"] == "dedup" and sum(totals["stages"][-1]["rejected"].values()) == len(removed)
    report = json.loads((two / "report.json").read_text())
    assert [step["step"] for step in report["funnel"]].count("dedup") == 1
    assert report["funnel"][-1]["docs"] == totals["kept"]
    assert report["dedup"]["docs_removed"] == len(removed)

    killed = tmp_path / "killed"
    proc = start_cli(
        "run", str(src), str(killed), "--recipe", str(recipe), "--workers", "1", "--runs-dir", str(tmp_path / "runs")
    )
    wait_for(lambda: list((killed / "_state" / "signatures").glob("*.parquet")))
    crash_run(killed, proc)
    assert _run(src, killed, recipe, 2).returncode == 0
    assert output_bytes(killed) == output_bytes(one)


def test_dedup_against_an_earlier_run(corpus_dir: Path, tmp_path: Path) -> None:
    wiki = corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 120)
    recipe = tmp_path / "dedup.yaml"
    recipe.write_text(RECIPE)
    old_src, new_src = tmp_path / "old", tmp_path / "new"
    write_lines(old_src / "old.jsonl", _lines(wiki[:80]))
    again = [{**r, "id": "new-" + r["id"]} for r in wiki[60:120]]  # 20 already cleaned, 40 new
    write_lines(new_src / "new.jsonl", _lines(again))
    old_dest, new_dest = tmp_path / "old_out", tmp_path / "new_out"
    assert _run(old_src, old_dest, recipe, 2).returncode == 0
    old_kept = set(pq.read_table(old_dest / "kept" / "old.parquet").column("id").to_pylist())

    result = _run(new_src, new_dest, recipe, 2, "--dedup-against", str(old_dest))
    assert result.returncode == 0, result.stderr
    removed = [r for r in pq.read_table(new_dest / "rejected" / "new.parquet").to_pylist() if r["stage"] == "dedup"]
    expected = {"new-" + r["id"] for r in wiki[60:80] if r["id"] in old_kept}
    assert removed and {r["id"] for r in removed} == expected
    assert all(r["duplicate_of"] == r["id"].removeprefix("new-") for r in removed)
    assert pq.read_table(old_dest / "kept" / "old.parquet").num_rows == len(old_kept)  # the old run is untouched

    plain = tmp_path / "plain.yaml"
    plain.write_text("stages: [whitespace_normalise]\n")
    refused = _run(new_src, tmp_path / "x", plain, 1, "--dedup-against", str(old_dest))
    assert refused.returncode == 2 and "needs a recipe with a dedup" in refused.stderr


def _tokens_out(dest: Path) -> int:
    return json.loads((dest / "summary.json").read_text())["totals"]["tokens_out"]


def test_removed_duplicates_take_their_counted_tokens_out(corpus_dir: Path, tmp_path: Path) -> None:
    """The signatures keep each kept text's token count, and removing duplicates subtracts those:
    tokens_out is the count of the texts left in kept/. Signature files without counts (written
    before they kept them, then resumed) give the same total by counting the removed texts."""
    src, _ = _source(corpus_dir, tmp_path)
    recipe = tmp_path / "dedup.yaml"
    recipe.write_text(RECIPE)
    dest = tmp_path / "dest"
    assert _run(src, dest, recipe, 2).returncode == 0
    counter = TokenCounter()
    kept = [t for p in sorted((dest / "kept").rglob("*.parquet")) for t in pq.read_table(p).column("text").to_pylist()]
    removed = json.loads((dest / "report.json").read_text())["dedup"]["docs_removed"]
    assert removed >= 20
    assert _tokens_out(dest) == sum(map(counter.count, kept))
    signatures = sorted((dest / "_state" / "signatures").glob("*.parquet"))
    assert all(pq.read_table(p).column("tokens").null_count == 0 for p in signatures)

    stripped = tmp_path / "stripped"
    proc = start_cli(
        "run", str(src), str(stripped), "--recipe", str(recipe), "--workers", "1", "--runs-dir", str(tmp_path / "runs")
    )
    wait_for(lambda: len(list((stripped / "_state" / "signatures").glob("*.parquet"))) >= 2)
    crash_run(stripped, proc)
    for path in (stripped / "_state" / "signatures").glob("*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["tokens"]).replace_schema_metadata(table.schema.metadata), path)
    assert _run(src, stripped, recipe, 2).returncode == 0
    assert output_bytes(stripped) == output_bytes(dest)
    assert _tokens_out(stripped) == _tokens_out(dest)
