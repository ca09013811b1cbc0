"""The clean phase's stage runner: a batch goes through the stages stage by stage, with the same
outcome, text, annotations and counters as each document run alone."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cleaner.document import Document, Rejection
from cleaner.recipe import Recipe, load_recipe
from cleaner.resources import RECIPES_DIR
from cleaner.run.clean import StageRunner
from cleaner.stages.base import Filter
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


@dataclass
class _Sleeps(Filter):
    """Keeps every document after sleeping as long as `seconds` says for its id (signals end a sleep)."""

    name = "sleeps"
    seconds: dict[str, float] = field(default_factory=dict)

    def check(self, doc: Document) -> Rejection | None:
        time.sleep(self.seconds.get(doc.id, 0.0))
        return None


def test_the_budget_is_per_document_across_stages_whoever_set_the_alarm(tmp_path: Path) -> None:
    """Budget 1 s. "early" spends 0.2 + 0.2 s; in the second stage its call leaves an alarm due
    0.8 s later, which rings during the next document's call. "later" (its budget whole) sleeps
    0.7 s through it and is kept; "over" sleeps 1.5 s and is stopped at its own deadline, the alarm
    set again for it when the early one rang."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text("input:\n  max_seconds_per_document: 1\nstages: []\n", encoding="utf-8")
    first, second = _Sleeps({"early": 0.2}), _Sleeps({"early": 0.2, "later": 0.7, "over": 1.5})
    second.bind("sleeps#2")
    runner = StageRunner(load_recipe(recipe), [first, second])
    assert runner.run_batch([Document(name, "text", "f", 1, {}) for name in ("early", "later")]) == [None, None]
    early, over = runner.run_batch([Document(name, "text", "f", 1, {}) for name in ("early", "over")])
    assert early is None
    assert over is not None and (over[0], over[1].reason) == ("sleeps#2", "timeout")
