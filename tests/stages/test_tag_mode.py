"""`mode: tag`: a filter (or an annotator that can reject) keeps every document and writes its
measured values and its verdict to `<label>__<measure>` / `<label>__would_reject` columns, declared
before the run, on real text."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cleaner.cli import main
from cleaner.config import build_dataclass
from cleaner.document import Document
from cleaner.stages import STAGES
from cleaner.stages.base import Filter, validate_stage
from cleaner.stages.blacklist import Blacklist
from cleaner.stages.gopher import GopherQuality
from cleaner.stages.langid import LanguageId
from cleaner.stages.length import LengthFilter
from cleaner.stages.quality import QualityScore
from tests.conftest import corpus_records
from tests.helpers import cli, real_lines, write_lines

FILES = [
    "en/en_commoncrawl_samples.jsonl",
    "en/en_web_pages_fulltext.jsonl",
    "zh/zh_news_sogoucs.jsonl",
    "zh/zh_reviews_hotel_chnsenticorp.jsonl",
    "multi/multi_web_pages_fulltext.jsonl",
]


def documents(corpus_dir: Path, limit: int = 40) -> list[Document]:
    return [
        Document(str(i), record["text"], name, i, {})
        for name in FILES
        for i, record in enumerate(corpus_records(corpus_dir, name, limit), 1)
    ]


def test_tag_mode_keeps_every_document_and_records_the_verdict(corpus_dir: Path) -> None:
    rejecting, tagging = GopherQuality(), GopherQuality(mode="tag")
    tagging.bind("gopher_quality#2")
    docs = documents(corpus_dir)
    verdicts = []
    for doc in docs:
        expected = rejecting.check(doc)
        assert tagging.process(doc) is None
        would = doc.annotations["gopher_quality#2__would_reject"]
        assert would is (expected is not None)
        verdicts.append(would)
        words = next(m.value for m in rejecting.measures(doc) if m.name == "words")
        assert doc.annotations["gopher_quality#2__words"] == words
    assert 0 < sum(verdicts) < len(verdicts)  # real pages on both sides of the rules
    declared = tagging.output_columns()
    assert list(declared)[-1] == "gopher_quality#2__would_reject" and declared["gopher_quality#2__words"] == "double"
    assert all(set(doc.annotations) <= set(declared) for doc in docs)


def test_length_filter_measures_the_unit_it_judges(corpus_dir: Path) -> None:
    stage = LengthFilter(min_chars=200, min_words=80, mode="tag")
    zh, en = documents(corpus_dir, 5)[-15], documents(corpus_dir, 5)[0]
    for doc in (zh, en):
        assert stage.process(doc) is None
    assert zh.annotations["length_filter__chars"] == len(zh.text) and "length_filter__words" not in zh.annotations
    assert en.annotations["length_filter__words"] > 0 and "length_filter__chars" not in en.annotations
    assert zh.annotations["length_filter__would_reject"] is (len(zh.text) < 200)


def test_every_measured_filter_declares_what_it_measures(corpus_dir: Path, tmp_path: Path) -> None:
    """A measure missing from `measure_names` would be computed and silently not written."""
    docs = documents(corpus_dir, 15)
    checked = []
    for name, cls in sorted(STAGES.items()):
        if not issubclass(cls, Filter) or cls.measure is Filter.measure:
            continue
        stage = build_dataclass(cls, {"mode": "tag"}, name)
        validate_stage(stage, tmp_path)
        stage.setup()
        declared = set(stage.measure_names())
        for doc in docs:
            values, _ = stage.measure(doc)
            assert set(values) <= declared, f"{name} measures {set(values) - declared} it does not declare"
        checked.append(name)
    assert {"gopher_quality", "gopher_repetition", "length_filter", "zh_char_ratio", "c4_quality"} <= set(checked)


def test_quality_score_tag_mode(corpus_dir: Path) -> None:
    stage = QualityScore(mode="tag", threshold=0.5)
    validate_stage(stage, Path.cwd())
    stage.setup()
    stage.bind("quality_score")
    assert stage.output_columns() == {"quality_score": "double", "quality_score__would_reject": "bool"}
    flags = []
    for doc in documents(corpus_dir, 10):
        assert stage.process(doc) is None
        flags.append(doc.annotations["quality_score__would_reject"])
        assert flags[-1] is (stage.score(doc.text) < 0.5)
    assert any(flags) and not all(flags)


def _run(src: Path, dest: Path, recipe: Path) -> None:
    result = cli("run", str(src), str(dest), "--recipe", str(recipe), "--workers", "2", "--runs-dir", f"{dest}.runs")
    assert result.returncode == 0, result.stderr


RECIPE = """
stages:
  - whitespace_normalise
  - length_filter: {{min_chars: 200, min_words: 80{mode}}}
  - route:
      routes:
        chinese:
          - zh_char_ratio: {{min_ratio: 0.8{mode}}}
        latin:
          - gopher_quality{gopher}
"""


@pytest.fixture(scope="module")
def runs(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(tag run, reject run) of the same recipe over the same real shards."""
    root = tmp_path_factory.mktemp("tag")
    src = root / "src"
    for name in FILES:
        write_lines(src / name, real_lines(corpus_dir, name, 60))
    dests = []
    for kind, mode, gopher in (("tag", ", mode: tag", ": {mode: tag}"), ("reject", "", "")):
        recipe = root / f"{kind}.yaml"
        recipe.write_text(RECIPE.format(mode=mode, gopher=gopher), encoding="utf-8")
        dests.append(root / kind)
        _run(src, dests[-1], recipe)
    return dests[0], dests[1]


def test_tag_run_keeps_everything_and_flags_what_the_reject_run_drops(runs: tuple[Path, Path]) -> None:
    tag, reject = runs
    totals = json.loads((tag / "summary.json").read_text())["totals"]
    lines = sum(path.read_bytes().count(b"\n") for path in (tag.parent / "src").rglob("*.jsonl"))
    assert totals["read"] == lines > 250 and totals["kept"] == lines and totals["rejected"] == 0
    for path in (tag / "kept").rglob("*.parquet"):  # declared columns: in every shard, whatever it held
        schema = pq.read_schema(path)
        assert schema.field("length_filter__chars").type == schema.field("length_filter__words").type == pa.float64()
        assert schema.field("length_filter__would_reject").type == pa.bool_()
        assert schema.field("route/chinese/zh_char_ratio__han_ratio").type == pa.float64()
        assert schema.field("route/latin/gopher_quality__would_reject").type == pa.bool_()
    kept = pq.read_table(tag / "kept").to_pylist()
    rejected = {(r["source_file"], r["line"]): r["stage"] for r in pq.read_table(reject / "rejected").to_pylist()}
    assert rejected  # the same rules in reject mode drop real documents
    for row in kept:
        first = next(
            (
                label
                for label in ("length_filter", "route/chinese/zh_char_ratio", "route/latin/gopher_quality")
                if row[f"{label}__would_reject"]
            ),
            None,
        )
        assert first == rejected.get((row["source_file"], row["line"])), row["id"]
    han = [r["route/chinese/zh_char_ratio__han_ratio"] for r in kept if r["source_file"].startswith("zh/")]
    assert all(0 <= value <= 1 for value in han) and len(han) == 120


def test_explain_says_what_a_tagging_rule_would_do(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("stages:\n  - length_filter: {min_words: 50, mode: tag}\n", encoding="utf-8")
    assert main(["explain", "--recipe", str(recipe), "--text", "Too short to keep."]) == 0
    out = capsys.readouterr().out
    assert "length_filter: tag, would reject too_short: 4 words < 50" in out and "result: KEPT" in out


@pytest.mark.parametrize(
    ("cls", "params", "flag"),
    [
        (Blacklist, {}, "blacklist__would_reject"),
        (LanguageId, {"allowed": {"zh": 0.5}}, "lang_id__would_reject"),
    ],
)
def test_rejecting_annotators_tag_what_they_would_reject(
    corpus_dir: Path, tmp_path: Path, cls: type, params: dict, flag: str
) -> None:
    rejecting, tagging = cls(**params), cls(**params, mode="tag")
    for stage in (rejecting, tagging):
        validate_stage(stage, tmp_path)
        stage.setup()
    assert list(tagging.output_columns()) == [*cls.columns, flag]
    files = ("en/en_sms_spam.jsonl", "zh/zh_news_sogoucs.jsonl")
    texts = [r["text"] for name in files for r in corpus_records(corpus_dir, name, 300)]
    texts.append("约 炮 神 器!约炮神器")  # split-up porn terms: the shipped lists reject it
    flags = []
    for i, text in enumerate(texts):
        expected = rejecting.process(Document(str(i), text, "f", i, {}))
        doc = Document(str(i), text, "f", i, {})
        assert tagging.process(doc) is None
        assert doc.annotations[flag] is (expected is not None)
        assert all(doc.annotations[column] == value for column, value in doc.annotations.items() if column != flag)
        flags.append(doc.annotations[flag])
    assert any(flags) and not all(flags)
