"""quality_score: featurisation, the shipped model on held-back text and on the curators' web labels,
filter mode, training CLI, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import cli
from cleaner.cli.train_quality import held_out
from cleaner.document import Document
from cleaner.stages import quality
from cleaner.stages.base import validate_stage
from cleaner.stages.quality import QualityScore
from cleaner.text.quality_features import MAX_CHARS, featurise, prose_lines
from tests.conftest import corpus_records

#: The build script holds out this share of documents (by text hash); the shipped model never saw them.
HOLDOUT = 0.1
#: ROC-AUC of the shipped model on the development labels of ../shared/corpus/web (keep = positive),
#: measured by bench/quality_eval.py: zh 0.809, en 0.711, all 0.768 (the model it replaced: 0.540,
#: 0.814, 0.663); the bounds leave about 0.05 for a rebuild on another fastText build.
MIN_DEV_AUC = {"zh": 0.75, "en": 0.65, "all": 0.72}


@pytest.fixture(scope="module")
def stage() -> QualityScore:
    scorer = QualityScore()
    validate_stage(scorer, Path.cwd())
    scorer.setup()
    return scorer


def test_featurise_characters_for_chinese_words_otherwise() -> None:
    assert featurise("中國話 Hello, World 2024!") == "中 国 话 hello , world 0000 !"
    assert "\n" not in featurise("第一行\n第二行")
    assert len(featurise("字" * (MAX_CHARS + 500)).split()) == MAX_CHARS


def test_featurise_reads_the_prose_lines_of_a_page(corpus_dir: Path) -> None:
    page = next(r for r in corpus_records(corpus_dir, "web/en_news_bbc_cx.jsonl") if "Share this with" in r["text"])
    prose = prose_lines(page["text"])
    assert "Share this with" not in prose and "Accessibility Help" not in prose
    first_sentence = page["source_main_text"].strip().split(". ")[0]
    assert len(first_sentence) > 50 and first_sentence in prose
    keywords = "本文关键词：彩票app官网,体育平台,棋牌游戏下载\n热门搜索：手机版 官方网站"
    assert prose_lines(keywords) == keywords


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
    assert sum(s >= 0.5 for s in good) >= 0.75 * len(good)  # measured 0.84
    assert sum(s < 0.5 for s in bad) >= 0.9 * len(bad)  # measured 1.0
    assert auc(good, bad) >= 0.97


def held_out_scores(stage: QualityScore, corpus_dir: Path, relative: str) -> list[float]:
    return [stage.score(r["text"]) for r in corpus_records(corpus_dir, relative) if held_out(r["text"], HOLDOUT)]


def test_scores_judge_quality_not_the_source(stage: QualityScore, corpus_dir: Path) -> None:
    """The model it replaced scored every court judgment 1.0 and app descriptions 0.02 on average."""
    apps = held_out_scores(stage, corpus_dir, "zh/zh_app_descriptions_iflytek.jsonl")
    judgments = held_out_scores(stage, corpus_dir, "zh/zh_court_judgments.jsonl")
    assert len(apps) >= 300 and len(judgments) >= 300
    assert sum(s >= 0.5 for s in apps) >= 0.65 * len(apps)  # measured 0.77 (before: 0.015)
    assert sum(s >= 0.5 for s in judgments) >= 0.85 * len(judgments)  # measured 0.96


def dev_labels(corpus_dir: Path) -> list[tuple[str, bool, str]]:
    """(language, curator keeps it, text) for the keep/drop labels of ../shared/corpus/web."""
    web = corpus_dir / "web"
    if not (web / "labels.jsonl").is_file():
        pytest.skip(f"curator labels not present at {web / 'labels.jsonl'}")
    labels = [r for r in corpus_records(corpus_dir, "web/labels.jsonl") if r["label"] in ("keep", "drop")]
    texts = {}
    for name in {r["file"] for r in labels}:
        texts.update({(name, r["id"]): r["text"] for r in corpus_records(corpus_dir, f"web/{name}")})
    return [(r["lang"], r["label"] == "keep", texts[(r["file"], r["id"])]) for r in labels]


def test_ranks_curator_kept_pages_above_dropped_ones(stage: QualityScore, corpus_dir: Path) -> None:
    rows = dev_labels(corpus_dir)
    scored = [(lang, keep, stage.score(text)) for lang, keep, text in rows]
    for name, bound in MIN_DEV_AUC.items():
        good = [s for lang, keep, s in scored if keep and name in ("all", lang)]
        bad = [s for lang, keep, s in scored if not keep and name in ("all", lang)]
        assert len(good) >= 80 and len(bad) >= 30, name
        assert auc(good, bad) >= bound, name


def test_filter_mode_rejects_below_threshold(stage: QualityScore) -> None:
    strict = QualityScore(mode="filter", threshold=0.5)
    validate_stage(strict, Path.cwd())
    strict._model = stage._model
    doc = Document("d", "WINNER!! Call 09061701461 now to claim your £900 prize. Valid 12 hrs only.", "f", 1, {})
    rejection = strict.process(doc)
    assert rejection is not None and rejection.reason == "quality_low"
    assert 0.0 <= doc.annotations["quality_score"] < 0.5
    scored = Document("d", doc.text, "f", 1, {})
    assert stage.process(scored) is None and scored.annotations["quality_score"] == doc.annotations["quality_score"]


def test_missing_model_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"model: file 'models/q.ftz' not found"):
        validate_stage(QualityScore(model="models/q.ftz"), tmp_path)
    monkeypatch.setattr(quality, "DEFAULT_MODEL", tmp_path / "quality_default.ftz")
    with pytest.raises(
        ValueError, match=r"default quality model .* is missing; rebuild it with scripts/build_quality_model.py"
    ):
        validate_stage(QualityScore(), tmp_path)


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
    validate_stage(scorer, tmp_path)
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
