"""route: sub-stage lists chosen by language annotation or script; the rules inside are labelled,
counted, named in rejections and listed in the report under the route."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner.config import build_dataclass
from cleaner.document import Document
from cleaner.recipe import load_recipe
from cleaner.run.clean import StageRunner, annotation_fields
from cleaner.stages.base import validate_stage
from cleaner.stages.route import Route, script_of
from tests.conftest import corpus_records
from tests.helpers import cli, real_lines, write_lines

ROUTES = {
    "chinese": [{"zh_char_ratio": {"min_ratio": 0.5}}],
    "latin": ["c4_lines", {"length_filter": {"min_words": 5}}],
}


def doc(text: str, lang: str | None = None) -> Document:
    document = Document("i", text, "f", 1, {})
    if lang:
        document.annotations["lang"] = lang
    return document


def test_script_of_real_text(corpus_dir: Path) -> None:
    assert script_of(corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 1)[0]["text"]) == "chinese"
    assert script_of(corpus_records(corpus_dir, "en/en_commoncrawl_samples.jsonl", 1)[0]["text"]) == "latin"
    assert script_of("これは日本語の文章です。東京に行きました。") == "japanese"
    assert script_of("한국어 문장입니다. 서울에 갔습니다.") == "korean"
    assert script_of("Москва — столица России.") == "other"


def test_script_of_real_pages_by_language(corpus_dir: Path) -> None:
    """German (Latin letters outside ASCII: no count), Russian and Arabic (counted) pages; one
    "ru" page is mostly English."""
    pages = corpus_records(corpus_dir, "multi/multi_web_pages_maintext.jsonl")
    scripts = Counter((page["lang"], script_of(page["text"])) for page in pages if page["lang"] in {"de", "ru", "ar"})
    assert scripts == {("de", "latin"): 344, ("ru", "other"): 2, ("ru", "latin"): 1, ("ar", "other"): 1}


def test_script_of_where_counts_decide() -> None:
    """Texts around the searches that stand in for counts get the counted answer."""
    assert script_of("Hello world, привет") == "latin"  # Latin 10 >= half of 16 letters
    assert script_of("Привет мир, hello") == "other"
    assert script_of("Ⅻ Ⅷ ок") == "latin"  # Roman numerals are Latin script but not letters
    assert script_of("中文的句子，一个片假名カ。") == "chinese"  # kana 1 of 12
    assert script_of("・・・") == "japanese"  # CJK punctuation only: no Han, kana >= 10% of nothing


def test_routes_by_script_and_language(tmp_path: Path) -> None:
    route = build_dataclass(Route, {"routes": ROUTES}, "route")
    validate_stage(route, tmp_path)
    english = doc("Short page.\nThe council met today and agreed on a plan.\nmenu")
    assert route.process(english) is None
    assert english.text == "The council met today and agreed on a plan."  # c4_lines ran
    verdict = route.process(doc("tiny."))
    assert verdict.reason == "empty_after_normalise"
    mostly_english = doc("中文 text that is mostly English words here.", lang="zh")
    assert route.process(mostly_english) is None  # no "zh" key: script "latin" route
    assert route.process(doc("Москва — столица России.")) is None  # unmatched: kept
    strict = build_dataclass(Route, {"routes": ROUTES, "unmatched": "reject"}, "route")
    assert strict.process(doc("Москва — столица России.")).reason == "unrouted"


def test_sub_stage_errors_name_their_place(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"routes\.chinese\[0\]\.zh_char_ratio\.min_ratio: expected float"):
        build_dataclass(Route, {"routes": {"chinese": [{"zh_char_ratio": {"min_ratio": "x"}}]}}, "route")
    with pytest.raises(ValueError, match=r"routes\.latin\[0\]\.nope: unknown stage"):
        build_dataclass(Route, {"routes": {"latin": ["nope"]}}, "route")
    bad = build_dataclass(Route, {"routes": {"chinese": [{"zh_char_ratio": {"min_ratio": 2.0}}]}}, "route")
    with pytest.raises(ValueError, match=r"routes\.chinese\[0\]\.zh_char_ratio\.min_ratio: must be within"):
        validate_stage(bad, tmp_path)


def test_rules_inside_are_labelled_under_the_route(tmp_path: Path) -> None:
    routes = {**ROUTES, "chinese": ["length_filter", {"length_filter": {"min_chars": 50}}]}
    route = build_dataclass(Route, {"routes": routes}, "route")
    validate_stage(route, tmp_path)
    route.bind("route#2")
    labels = {key: [stage.label for stage in stages] for key, stages in route.branches().items()}
    assert labels == {
        "chinese": ["route#2/chinese/length_filter", "route#2/chinese/length_filter#2"],
        "latin": ["route#2/latin/c4_lines", "route#2/latin/length_filter"],
    }
    verdict = route.process(doc("太短了，不到五十个字。"))
    assert verdict.reason == "too_short" and verdict.detail.startswith("[route#2/chinese/length_filter#2] ")


def test_tag_columns_of_rules_inside_are_declared(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "stages:\n  - route:\n      routes:\n        chinese:\n          - zh_char_ratio: {mode: tag}\n"
        "        latin:\n          - length_filter: {min_words: 5}\n",
        encoding="utf-8",
    )
    fields = annotation_fields(load_recipe(recipe).build_stages())
    assert [(f.name, str(f.type)) for f in fields] == [
        ("route/chinese/zh_char_ratio__han_ratio", "double"),
        ("route/chinese/zh_char_ratio__would_reject", "bool"),
    ]


@pytest.fixture(scope="module")
def routed_run(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run of a two-branch route over real Chinese and English shards."""
    root = tmp_path_factory.mktemp("route")
    shards = ("zh/zh_news_sogoucs.jsonl", "zh/zh_reviews_hotel_chnsenticorp.jsonl", "en/en_commoncrawl_samples.jsonl")
    for name in shards:
        write_lines(root / "src" / name, real_lines(corpus_dir, name, 80))
    recipe = root / "r.yaml"
    recipe.write_text(
        "stages:\n  - whitespace_normalise\n  - route:\n      routes:\n        chinese:\n"
        "          - length_filter: {min_chars: 150}\n          - zh_char_ratio: {min_ratio: 0.6}\n"
        "        latin:\n          - gopher_repetition\n          - gopher_quality\n",
        encoding="utf-8",
    )
    dest = root / "out"
    result = cli("run", str(root / "src"), str(dest), "--recipe", str(recipe), "--runs-dir", str(root / "runs"))
    assert result.returncode == 0, result.stderr
    return dest


def test_rejections_and_stats_name_the_rule_inside(routed_run: Path) -> None:
    rejected = Counter((row["stage"], row["reason"]) for row in pq.read_table(routed_run / "rejected").to_pylist())
    assert {stage for stage, _ in rejected} >= {"route/chinese/length_filter", "route/latin/gopher_quality"}
    assert all(stage.startswith("route/") for stage, _ in rejected)
    totals = json.loads((routed_run / "summary.json").read_text())["totals"]
    rows = {s["stage"]: s for s in totals["stages"]}
    assert [s["stage"] for s in totals["stages"]] == [
        "whitespace_normalise",
        "route",
        "route/chinese/length_filter",
        "route/chinese/zh_char_ratio",
        "route/latin/gopher_repetition",
        "route/latin/gopher_quality",
    ]
    assert rows["route"]["rejected"] == {} and rows["route"]["in"] - rows["route"]["out"] == totals["rejected"]
    for label, row in rows.items():
        assert row.get("parent") == ("route" if label.startswith("route/") else None)
        assert row["rejected"] == {r: n for (s, r), n in rejected.items() if s == label}
    chinese = rows["route/chinese/length_filter"]
    latin = rows["route/latin/gopher_repetition"]
    assert 150 < chinese["in"] <= 160 and rows["route/chinese/zh_char_ratio"]["in"] == chinese["out"]
    assert latin["in"] > 40 and chinese["in"] + latin["in"] <= rows["route"]["in"] == totals["read"]


def test_report_funnel_lists_the_rules_inside(routed_run: Path) -> None:
    funnel = {step["step"]: step for step in json.loads((routed_run / "report.json").read_text())["funnel"]}
    inner = funnel["route/chinese/length_filter"]
    assert inner["within"] == "route" and inner["removed"] > 0 and "within" not in funnel["route"]
    html = (routed_run / "report.html").read_text(encoding="utf-8")
    assert "↳ route/latin/gopher_quality" in html


def test_a_timeout_inside_a_route_is_charged_to_the_rule(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "input:\n  max_seconds_per_document: 1\nstages:\n  - route:\n      routes:\n        default:\n"
        '          - length_filter\n          - promotions: {patterns: ["(.*?,){11}P"], min_matches: 1,'
        " timeout_seconds: 1000}\n",
        encoding="utf-8",
    )
    loaded = load_recipe(recipe)
    stages = loaded.build_stages()
    for stage in stages:
        stage.setup()
    runner = StageRunner(loaded, stages)
    label, rejection = runner.run(doc("1," * 30))
    assert (label, rejection.reason) == ("route/default/promotions", "timeout")
    counts = {c.label: (c.docs_in, c.docs_out, dict(c.rejected)) for c in runner.counters}
    assert counts == {
        "route": (1, 0, {}),
        "route/default/length_filter": (1, 1, {}),
        "route/default/promotions": (1, 0, {"timeout": 1}),
    }
