"""Every shipped recipe validates and runs end to end through the engine on real corpus lines;
the Chinese recipes keep clean encyclopedic and news text at a measured rate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.document import Document
from cleaner.recipe import load_recipe
from cleaner.resources import RECIPES_DIR
from cleaner.stages.base import apply_stage
from tests.conftest import corpus_records

PROJECT = Path(__file__).resolve().parents[1]
RULES = RECIPES_DIR

#: recipe -> (corpus files sampled, lines per file, minimum kept share or None).
#: Floors sit a few points under the rates measured on these samples (docs/rules.md lists them).
SAMPLES: dict[str, tuple[list[str], int, float | None]] = {
    "zh_web": (["zh/zh_wiki_cmrc2018.jsonl"], 150, 0.95),
    "zh_news": (["zh/zh_news_peoples_daily_1998.jsonl", "zh/zh_news_sogoucs.jsonl"], 150, 0.85),
    "zh_encyclopedia": (["zh/zh_wiki_cmrc2018.jsonl", "zh/zh_hant_wiki_drcd.jsonl"], 150, 0.97),
    "zh_wechat": (["zh/zh_wechat_articles.jsonl", "zh/zh_wiki_cmrc2018.jsonl"], 40, None),
    "zh_ebook": (["zh/zh_court_judgments.jsonl", "zh/zh_wiki_cmrc2018.jsonl"], 40, None),
    "zh_forum": (["zh/zh_reviews_hotel_chnsenticorp.jsonl"], 150, 0.8),
    "zh_legal": (["zh/zh_court_judgments.jsonl"], 150, 0.7),
    "en_web": (["en/en_web_pages_maintext.jsonl"], 150, 0.7),
    "mixed": (
        ["multi/multi_web_pages_maintext.jsonl", "zh/zh_wiki_cmrc2018.jsonl", "en/en_commoncrawl_samples.jsonl"],
        50,
        0.7,
    ),
}


def test_every_recipe_validates_and_says_what_it_is_for() -> None:
    names = {p.stem for p in RULES.glob("*.yaml")}
    assert set(SAMPLES) <= names
    for path in sorted(RULES.glob("*.yaml")):
        recipe = load_recipe(path)
        assert recipe.stages, path
        if path.stem in SAMPLES:
            header = path.read_text(encoding="utf-8").splitlines()[0]
            assert header.startswith(f"# {path.name}:"), path


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_recipe_runs_end_to_end(name: str, corpus_dir: Path, tmp_path: Path) -> None:
    files, per_file, floor = SAMPLES[name]
    source = tmp_path / "src"
    source.mkdir()
    for relative in files:
        records = corpus_records(corpus_dir, relative, per_file)
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        (source / Path(relative).name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    dest = tmp_path / "out"
    args = ["run", str(source), str(dest), "--recipe", str(RULES / f"{name}.yaml"), "--workers", "1"]
    assert main([*args, "--runs-dir", str(tmp_path / "runs")]) == 0
    totals = json.loads((dest / "summary.json").read_text())["totals"]
    assert totals["malformed"] == 0
    assert totals["read"] == totals["kept"] + totals["rejected"]
    if floor is not None:
        assert totals["kept"] / totals["read"] >= floor, totals


@pytest.mark.parametrize("recipe", sorted(p.name for p in RULES.glob("*.yaml")))
def test_recipe_runs_on_the_embedded_sample(recipe: str, tmp_path: Path) -> None:
    """The sample the README's run command cleans: every line accounted for under every recipe."""
    dest = tmp_path / "out"
    args = ["run", str(PROJECT / "examples" / "sample"), str(dest), "--recipe", str(RULES / recipe)]
    assert main([*args, "--workers", "1", "--runs-dir", str(tmp_path / "runs")]) == 0
    totals = json.loads((dest / "summary.json").read_text())["totals"]
    assert totals["read"] == 22 == totals["kept"] + totals["rejected"] + totals["malformed"]
    assert totals["malformed"] == 6


@pytest.mark.parametrize("name", sorted(p.stem for p in RULES.glob("zh_*.yaml")))
def test_chinese_recipes_read_garbled_text_before_unicode_normalise(name: str) -> None:
    """NFKC turns the full-width letters of a GBK run that lost a byte into ASCII, hiding it."""
    labels = [spec.label for spec in load_recipe(RULES / f"{name}.yaml").stages]
    assert labels.index("garbled_text") < labels.index("unicode_normalise"), labels


def test_zh_news_rejects_a_gbk_page_that_lost_bytes(corpus_dir: Path) -> None:
    """A SogouCA news page (curator: drop, garbled) with `?B碛14.牛翟拢玻叭赵俅稳蚊?` in its second sentence."""
    record = next(r for r in corpus_records(corpus_dir, "web/zh_news_sogouca_mini.jsonl") if r["id"] == "sogouca-012")
    doc = Document(record["id"], record["text"], "sogouca", 1, {})
    outcome = None
    for stage in load_recipe(RULES / "zh_news.yaml").build_stages():
        outcome = apply_stage(stage, doc)
        if outcome is not None:
            break
    assert outcome is not None and outcome.reason == "garbled_text", outcome
    assert stage.label == "garbled_text"
