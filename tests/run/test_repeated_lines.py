"""The repeated-lines pre-pass end to end on real pages: threshold, scopes, copies, determinism, resume."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner.stages.repeated_lines import domain_of, normalised_lines
from tests.conftest import corpus_records
from tests.helpers import cli, crash_run, output_bytes, real_lines, start_cli, wait_for, write_lines

BBC = "web/en_news_bbc_cx.jsonl"
#: What the pre-pass summary counts (the rest is timing and memory).
COUNTED = ("documents", "lines", "frequent_keys")


def _recipe(path: Path, chunk_bytes: str = "256MiB", **params: object) -> Path:
    settings = ", ".join(f"{key}: {value}" for key, value in params.items())
    path.write_text(
        f"""
input: {{text_field: text, chunk_bytes: {chunk_bytes}}}
stages:
  - remove_repeated_lines: {{{settings}}}
  - length_filter: {{min_chars: 20, min_words: 5}}
output: {{batch_rows: 50, tokenizer: none}}
""",
        encoding="utf-8",
    )
    return path


def _run(src: Path, dest: Path, recipe: Path, workers: int = 1, *extra: str):
    args = ["--recipe", str(recipe), "--workers", str(workers), "--runs-dir", str(dest.parent / "runs"), *extra]
    result = cli("run", str(src), str(dest), *args)
    assert result.returncode == 0, result.stderr
    return result


def _texts(dest: Path, shard: str) -> dict[str, str]:
    """Text of every document, kept or rejected, by id."""
    rows = pq.read_table(dest / "kept" / f"{shard}.parquet").to_pylist()
    rows += pq.read_table(dest / "rejected" / f"{shard}.parquet").to_pylist()
    return {row["id"]: row["text"] for row in rows}


def _document_counts(records: list[dict], scope_of) -> Counter:
    """In how many distinct documents (by normalised content) of its scope each normalised line occurs."""
    holders: dict[tuple[str, str], set[str]] = {}
    for record in records:
        lines = normalised_lines(record["text"])
        content = "\n".join(lines)
        for line in set(lines) - {""}:
            holders.setdefault((scope_of(record), line), set()).add(content)
    return Counter({key: len(docs) for key, docs in holders.items()})


def test_lines_in_at_least_n_documents_go_and_the_rest_stay(corpus_dir: Path, tmp_path: Path) -> None:
    records = corpus_records(corpus_dir, BBC)
    src = tmp_path / "src"
    write_lines(src / "bbc.jsonl", real_lines(corpus_dir, BBC, len(records)))
    dest = tmp_path / "out"
    _run(src, dest, _recipe(tmp_path / "r.yaml", min_docs=10))
    counts = _document_counts(records, lambda record: "")
    texts = _texts(dest, "bbc")
    removed_lines = 0
    for record in records:
        left = set(normalised_lines(texts[record["id"]])) - {""}
        original = normalised_lines(record["text"])
        assert all(counts["", line] < 10 for line in left), record["id"]
        assert {line for line in original if line and counts["", line] < 10} <= left, record["id"]
        removed_lines += sum(1 for line in original if line and counts["", line] >= 10)
    assert removed_lines > 2000  # navigation, share bars and footers of every page
    stage = json.loads((dest / "stats" / "bbc.json").read_text())["stages"][0]
    assert stage["stage"] == "remove_repeated_lines" and stage["counters"]["lines_removed"] == removed_lines
    assert stage["chars_removed"] == sum(len(r["text"]) - len(texts[r["id"]]) for r in records)
    summary = json.loads((dest / "_state" / "lines" / "summary.json").read_text())
    assert summary["documents"] == len(records)
    assert summary["frequent_keys"] == sum(1 for n in counts.values() if n >= 10)
    assert not (dest / "_state" / "lines" / "units").exists()  # the runs are removed once counted

    everything = tmp_path / "n_too_high"
    _run(src, everything, _recipe(tmp_path / "high.yaml", min_docs=len(records) + 1))
    assert _texts(everything, "bbc") == {r["id"]: r["text"] for r in records}


def test_a_limited_run_counts_only_the_lines_it_reads(corpus_dir: Path, tmp_path: Path) -> None:
    records = corpus_records(corpus_dir, BBC)
    src = tmp_path / "src"
    write_lines(src / "bbc.jsonl", real_lines(corpus_dir, BBC, len(records)))
    dest = tmp_path / "out"
    _run(src, dest, _recipe(tmp_path / "r.yaml", min_docs=10), 1, "--limit", "20")
    counts = _document_counts(records[:20], lambda record: "")
    summary = json.loads((dest / "_state" / "lines" / "summary.json").read_text())
    assert summary["documents"] == 20
    assert summary["frequent_keys"] == sum(1 for n in counts.values() if n >= 10) > 100


def test_stages_before_it_run_in_the_pre_pass_too(corpus_dir: Path, tmp_path: Path) -> None:
    """Documents a route's rule rejects before the stage are not counted, in the pre-pass as in the
    clean phase; what the earlier stages count themselves (lang_id's languages) is counted once."""
    records = corpus_records(corpus_dir, BBC)
    src = tmp_path / "src"
    write_lines(src / "bbc.jsonl", real_lines(corpus_dir, BBC, len(records)))
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        """
input: {text_field: text}
stages:
  - lang_id
  - route: {routes: {latin: [{length_filter: {min_words: 900}}]}}
  - remove_repeated_lines: {min_docs: 10}
output: {tokenizer: none}
""",
        encoding="utf-8",
    )
    dest = tmp_path / "out"
    _run(src, dest, recipe)
    rejected = pq.read_table(dest / "rejected" / "bbc.parquet").to_pylist()
    passed = {r["id"] for r in records} - {row["id"] for row in rejected}
    assert 10 < len(passed) < len(records)
    counts = _document_counts([r for r in records if r["id"] in passed], lambda record: "")
    summary = json.loads((dest / "_state" / "lines" / "summary.json").read_text())
    assert summary["documents"] == len(passed)
    assert summary["frequent_keys"] == sum(1 for n in counts.values() if n >= 10)
    lang_id = json.loads((dest / "stats" / "bbc.json").read_text())["stages"][0]
    assert lang_id["stage"] == "lang_id" and sum(lang_id["counters"]["langs"].values()) == len(records)


def test_scope_is_the_domain_when_a_url_exists(corpus_dir: Path, tmp_path: Path) -> None:
    """Six BBC pages: three given one site's URLs, three another's, four without a URL. Navigation
    shared by all of them is in 3 documents per site and 4 without a URL: with min_docs 4 it goes
    from the pages without a URL only; counted over the run (10 documents) it goes from all."""
    records = corpus_records(corpus_dir, BBC, 10)
    hosts = ["https://www.bbc.com/a", "https://bbc.com/b", "http://bbc.com/c"] + ["https://mirror.example/x"] * 3
    pages = [{**r, "url": url} for r, url in zip(records, hosts)] + records[6:]
    src = tmp_path / "src"
    write_lines(src / "pages.jsonl", [json.dumps(p, ensure_ascii=False).encode() for p in pages])
    nav = "share this with"
    assert all(nav in normalised_lines(p["text"]) for p in pages)

    per_domain = tmp_path / "domain"
    _run(src, per_domain, _recipe(tmp_path / "d.yaml", min_docs=4, per="domain"))
    counts = _document_counts(pages, lambda record: domain_of(record.get("url")))
    texts = _texts(per_domain, "pages")
    for p in pages:
        left = set(normalised_lines(texts[p["id"]])) - {""}
        scope = domain_of(p.get("url"))
        assert left == {line for line in normalised_lines(p["text"]) if line and counts[scope, line] < 4}
        assert (nav in left) == bool(scope)

    per_run = tmp_path / "run"
    _run(src, per_run, _recipe(tmp_path / "r.yaml", min_docs=4, per="run"))
    assert all(nav not in normalised_lines(text) for text in _texts(per_run, "pages").values())


def test_copies_of_a_page_count_once(corpus_dir: Path, tmp_path: Path) -> None:
    """An article published three times keeps its text (the dedup phase picks one copy); the
    navigation its copies share with the other pages still goes."""
    records = corpus_records(corpus_dir, BBC, 4)
    copies = [{**records[0], "id": f"copy-{i}"} for i in range(2)]
    src = tmp_path / "src"
    write_lines(src / "pages.jsonl", [json.dumps(r, ensure_ascii=False).encode() for r in records + copies])
    dest = tmp_path / "out"
    _run(src, dest, _recipe(tmp_path / "r.yaml", min_docs=3))
    texts = _texts(dest, "pages")
    article = records[0]["source_main_text"].split(". ")[0].strip()
    assert len(article) > 40
    for doc_id in (records[0]["id"], "copy-0", "copy-1"):
        assert article in texts[doc_id] and "Share this with" not in texts[doc_id]


@pytest.fixture(scope="module")
def web_source(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real web pages of several sites and languages, with and without URLs."""
    src = tmp_path_factory.mktemp("lines") / "src"
    for name in ("en_news_bbc_cx", "zh_cc_chinesewebtext", "zh_news_sogouca_mini", "zh_web_cwced_pages"):
        write_lines(src / f"{name}.jsonl", real_lines(corpus_dir, f"web/{name}.jsonl", 1000))
    return src


@pytest.fixture(scope="module")
def split(web_source: Path) -> tuple[Path, Path]:
    """A recipe with many units and hash partitions, and its run with 2 workers."""
    root = web_source.parent
    recipe = _recipe(root / "split.yaml", chunk_bytes="32KiB", min_docs=3, memory_budget_mb=0.01)
    _run(web_source, root / "two", recipe, 2)
    return recipe, root / "two"


def test_same_output_for_1_and_2_workers_any_chunking_and_partitions(
    web_source: Path, split: tuple[Path, Path], tmp_path: Path
) -> None:
    recipe, two = split
    whole = _run(web_source, tmp_path / "whole", _recipe(tmp_path / "w.yaml", min_docs=3))
    _run(web_source, tmp_path / "one", recipe, 1)
    assert output_bytes(tmp_path / "one") == output_bytes(two)
    frequent = [(d / "_state" / "lines" / "frequent.npy").read_bytes() for d in (tmp_path / "whole", two)]
    assert frequent[0] == frequent[1]
    summary = json.loads((two / "_state" / "lines" / "summary.json").read_text())
    assert summary["units"] > 50 and summary["partitions"] >= 4 and summary["frequent_keys"] > 250
    assert "[lines]" in whole.stdout
    for shard in ("en_news_bbc_cx", "zh_web_cwced_pages"):
        assert _texts(tmp_path / "whole", shard) == _texts(two, shard)


def test_kill_during_the_pre_pass_then_resume_is_byte_identical(
    web_source: Path, split: tuple[Path, Path], tmp_path: Path
) -> None:
    recipe, reference = split
    dest = tmp_path / "killed"
    args = ["--recipe", str(recipe), "--workers", "1", "--runs-dir", str(tmp_path / "runs")]
    proc = start_cli("run", str(web_source), str(dest), *args)
    units = dest / "_state" / "lines" / "units"
    wait_for(lambda: len([p for p in units.glob("s*") if not p.name.endswith(".tmp")]) >= 3)
    crash_run(dest, proc)
    assert not (dest / "_state" / "lines" / "summary.json").exists(), "the pre-pass finished before the kill"
    assert not (dest / "_state" / "parts").exists()

    resumed = cli("run", str(web_source), str(dest), *args[:3], "2", *args[4:])
    assert resumed.returncode == 0, resumed.stderr
    assert output_bytes(dest) == output_bytes(reference)
    assert (dest / "_state" / "lines" / "frequent.npy").read_bytes() == (
        reference / "_state" / "lines" / "frequent.npy"
    ).read_bytes()


def test_ray_pre_pass_matches_local(web_source: Path, split: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")
    recipe, local = split
    on_ray = _run(web_source, tmp_path / "ray", recipe, 2, "--executor", "ray")
    assert "(ray)" in on_ray.stdout
    assert output_bytes(tmp_path / "ray") == output_bytes(local)
    summaries = [json.loads((d / "_state" / "lines" / "summary.json").read_text()) for d in (local, tmp_path / "ray")]
    assert summaries[0]["partitions"] >= 4
    assert {k: v for k, v in summaries[0].items() if k not in ("seconds", "worker_peak_rss_mb")} == {
        k: v for k, v in summaries[1].items() if k not in ("seconds", "worker_peak_rss_mb")
    }


def test_html_records_are_counted_from_their_extracted_text(corpus_dir: Path, tmp_path: Path) -> None:
    """Records holding only HTML (`input.html_field`) take part in the pre-pass like text records:
    a run over BBC's HTML gives what a run over the same pages' extracted text gives."""
    with gzip.open(corpus_dir / "web" / "html" / "en_news_bbc_cx.html.jsonl.gz", "rt", encoding="utf-8") as fh:
        pages = [{"id": side["id"], "html": side["html"]} for side in map(json.loads, fh)][:30]
    src, extracted = tmp_path / "src", tmp_path / "extracted"
    write_lines(src / "bbc.jsonl", [json.dumps(p, ensure_ascii=False).encode() for p in pages])
    only_extract = tmp_path / "extract.yaml"
    only_extract.write_text(
        "input: {text_field: text, html_field: html}\nstages: [html_extract]\noutput: {tokenizer: none}\n", "utf-8"
    )
    _run(src, extracted, only_extract)
    texts = _texts(extracted, "bbc")
    assert len(texts) == len(pages)
    as_text = tmp_path / "as_text"
    write_lines(
        as_text / "bbc.jsonl", [json.dumps({"id": i, "text": t}, ensure_ascii=False).encode() for i, t in texts.items()]
    )

    html_recipe = tmp_path / "html.yaml"
    html_recipe.write_text(
        """
input: {text_field: text, html_field: html}
stages:
  - html_extract
  - remove_repeated_lines: {min_docs: 3}
output: {tokenizer: none}
""",
        encoding="utf-8",
    )
    from_html, from_text = tmp_path / "from_html", tmp_path / "from_text"
    _run(src, from_html, html_recipe)
    _run(as_text, from_text, _recipe(tmp_path / "text.yaml", min_docs=3))
    summary = json.loads((from_html / "_state" / "lines" / "summary.json").read_text())
    text_summary = json.loads((from_text / "_state" / "lines" / "summary.json").read_text())
    assert summary["documents"] == len(pages)
    assert {k: summary[k] for k in COUNTED} == {k: text_summary[k] for k in COUNTED}
    removed = json.loads((from_html / "stats" / "bbc.json").read_text())["stages"][1]["counters"]["lines_removed"]
    assert removed >= 20  # the bylines and share lines resiliparse leaves in
    assert _texts(from_html, "bbc") == _texts(from_text, "bbc")
