"""quality_score: featurisation, the shipped model on held-back text, filter mode, training CLI, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import cli
from cleaner.cli.train_quality import held_out
from cleaner.document import Document
from cleaner.stages import quality
from cleaner.stages.quality import QualityScore
from cleaner.text.quality_features import MAX_CHARS, featurise
from tests.conftest import corpus_records

#: The build script holds out this share of documents (by text hash); the shipped model never saw them.
HOLDOUT = 0.1


@pytest.fixture(scope="module")
def stage() -> QualityScore:
    scorer = QualityScore()
    scorer.validate(Path.cwd())
    scorer.setup()
    return scorer


def test_featurise_characters_for_chinese_words_otherwise() -> None:
    assert featurise("中國話 Hello, World 2024!") == "中 国 话 hello , world 0000 !"
    assert "\n" not in featurise("第一行\n第二行")
    assert len(featurise("字" * (MAX_CHARS + 500)).split()) == MAX_CHARS


def auc(good: list[float], bad: list[float]) -> float:
    wins = sum((g > b) + 0.5 * (g == b) for g in good for b in bad)
    return wins / (len(good) * len(bad))


def test_shipped_model_separates_encyclopedic_text_from_spam(stage: QualityScore, corpus_dir: Path) -> None:
    wiki = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl") if held_out(r["text"], HOLDOUT)]
    spam = [
        r["text"]
        for r in corpus_records(corpus_dir, "en/en_sms_spam.jsonl")
        if r["label"] == "spam" and held_out(r["text"], HOLDOUT)
    ]
    assert len(wiki) >= 30 and len(spam) >= 20
    good = [stage.score(t) for t in wiki]
    bad = [stage.score(t) for t in spam]
    assert sum(s >= 0.5 for s in good) >= 0.95 * len(good)
    assert sum(s < 0.5 for s in bad) >= 0.9 * len(bad)
    assert auc(good, bad) >= 0.97


def test_unseen_news_scores_above_short_reviews(stage: QualityScore, corpus_dir: Path) -> None:
    judgments = corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl")[3000:3100]  # not in training
    reviews = [
        r["text"] for r in corpus_records(corpus_dir, "zh/zh_reviews_online_shopping.jsonl") if len(r["text"]) <= 20
    ]
    reviews = [t for t in reviews if held_out(t, HOLDOUT)][:100]
    good = [stage.score(r["text"]) for r in judgments]
    bad = [stage.score(t) for t in reviews]
    assert auc(good, bad) >= 0.95


def test_filter_mode_rejects_below_threshold(stage: QualityScore) -> None:
    strict = QualityScore(mode="filter", threshold=0.5)
    strict.validate(Path.cwd())
    strict._model = stage._model
    doc = Document("d", "WINNER!! Call 09061701461 now to claim your £900 prize. Valid 12 hrs only.", "f", 1, {})
    rejection = strict.process(doc)
    assert rejection is not None and rejection.reason == "quality_low"
    assert 0.0 <= doc.annotations["quality_score"] < 0.5
    scored = Document("d", doc.text, "f", 1, {})
    assert stage.process(scored) is None and scored.annotations["quality_score"] == doc.annotations["quality_score"]


def test_missing_model_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"model: file 'models/q.ftz' not found"):
        QualityScore(model="models/q.ftz").validate(tmp_path)
    monkeypatch.setattr(quality, "DEFAULT_MODEL", tmp_path / "quality_default.ftz")
    with pytest.raises(
        ValueError, match=r"default quality model .* is missing; rebuild it with scripts/build_quality_model.py"
    ):
        QualityScore().validate(tmp_path)


def write_jsonl(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    return path


def test_train_quality_command(tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_news_peoples_daily_1998.jsonl", 300)]
    good += [r["text"] for r in corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 100)]
    bad = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_reviews_ecommerce_eprstmt.jsonl", 300)]
    bad += [r["text"] for r in corpus_records(corpus_dir, "en/en_sms_spam.jsonl", 200)]
    positive, negative = write_jsonl(tmp_path / "good.jsonl", good), write_jsonl(tmp_path / "bad.jsonl", bad)
    argv = ["train-quality", "--positive", str(positive), "--negative", str(negative), "--out", str(tmp_path / "m.bin")]
    assert cli.main([*argv, "--epoch", "5", "--dim", "16", "--holdout", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "F1" in out
    metrics = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert metrics["held_out"]["f1"] >= 0.85 and metrics["documents"]["test"]["good"] > 0
    scorer = QualityScore(model=str(tmp_path / "m.ftz"))
    scorer.validate(tmp_path)
    scorer.setup()
    assert scorer.score(good[-1]) > scorer.score(bad[-1])


def test_train_quality_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    argv = ["train-quality", "--positive", str(empty), "--negative", str(empty), "--out", str(tmp_path / "m")]
    assert cli.main(argv) == 2
    assert "too few documents" in capsys.readouterr().err
    assert (
        cli.main(["train-quality", "--positive", str(tmp_path / "nope.jsonl"), "--negative", str(empty), "--out", "m"])
        == 2
    )
    assert "cannot read" in capsys.readouterr().err
