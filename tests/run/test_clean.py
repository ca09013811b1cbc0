"""The clean phase's stage runner: a batch goes through the stages stage by stage, with the same
outcome, text, annotations and counters as each document run alone."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from cleaner.document import Document
from cleaner.recipe import Recipe, load_recipe
from cleaner.resources import RECIPES_DIR
from cleaner.run.clean import StageRunner
from tests.conftest import corpus_records

FILES = ["zh/zh_wechat_articles.jsonl", "en/en_commoncrawl_samples.jsonl", "web/zh_cc_chinesewebtext.jsonl"]


def _runner(recipe: Recipe) -> StageRunner:
    stages = recipe.build_stages()
    for stage in stages:
        stage.setup()
    return StageRunner(recipe, stages)


def _docs(records: list[dict]) -> list[Document]:
    return [Document(str(n), r.get("text") or r.get("content", ""), "f", n, {}) for n, r in enumerate(records)]


def _counts(runner: StageRunner) -> list[dict]:
    runner.collect_counters()
    return [{k: v for k, v in asdict(c).items() if k != "seconds"} for c in runner.counters]


def test_a_batch_matches_documents_run_one_by_one(corpus_dir: Path) -> None:
    recipe = load_recipe(RECIPES_DIR / "mixed.yaml")
    records = [r for name in FILES for r in corpus_records(corpus_dir, name, 40)]
    alone, batched = _runner(recipe), _runner(recipe)
    one_by_one = _docs(records)
    outcomes = [alone.run(doc) for doc in one_by_one]
    together = _docs(records)
    assert batched.run_batch(together) == outcomes
    assert [(d.text, d.annotations) for d in together] == [(d.text, d.annotations) for d in one_by_one]
    assert _counts(batched) == _counts(alone)
    reasons = {outcome[1].reason for outcome in outcomes if outcome is not None}
    assert len(reasons) >= 3 and outcomes.count(None) >= 10  # a real mix of kept and rejected


def test_a_timeout_rejects_only_the_slow_document_of_a_batch(tmp_path: Path, corpus_dir: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "input:\n  max_seconds_per_document: 1\nstages:\n  - length_filter\n"
        '  - promotions: {patterns: ["(.*?,){11}P"], min_matches: 1, timeout_seconds: 1000}\n',
        encoding="utf-8",
    )
    runner = _runner(load_recipe(recipe))
    # Without commas the pattern fails fast; "1," * 30 makes it backtrack for hours.
    text = corpus_records(corpus_dir, "en/en_commoncrawl_samples.jsonl", 1)[0]["text"].replace(",", "")
    docs = [Document("a", text, "f", 1, {}), Document("slow", "1," * 30, "f", 2, {}), Document("b", text, "f", 3, {})]
    outcomes = runner.run_batch(docs)
    assert outcomes[0] is None and outcomes[2] is None
    assert outcomes[1] is not None and (outcomes[1][0], outcomes[1][1].reason) == ("promotions", "timeout")
    counts = {c.label: (c.docs_in, c.docs_out, dict(c.rejected)) for c in runner.counters}
    assert counts == {"length_filter": (3, 3, {}), "promotions": (3, 2, {"timeout": 1})}
