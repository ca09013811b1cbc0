"""Quality model against the curators' labels and per clean source: does it judge quality or source?

For each model (by default the one shipped before the retraining, read from git at BASELINE_REV
and scored with the featuriser it was trained with, which read the first 3,000 characters with no
prose-line selection; then the current cleaner/data/quality_default.ftz) prints:

- on the development labels of ../shared/corpus/web (keep = positive, `unsure` left out), for zh,
  en and all documents: ROC-AUC, and precision/recall of "keep" at the stage's default threshold
  0.5 and at the web recipes' filter threshold WEB_THRESHOLD;
- a threshold sweep: share of kept pages that pass and of dropped pages that fail;
- the same labels through each web recipe (bench/web_eval.py's in-process runner): kept pages
  kept and dropped pages dropped by the recipe alone, then with `quality_score` as a filter at the
  end at each threshold (it scores the text the recipe's normalisers leave), and the threshold
  with the best balanced accuracy, mean of zh and en, on mixed.yaml;
- the mean score and the share at or above 0.5 for each clean corpus file (wiki, news,
  judgments, app descriptions, reviews, web article bodies, ...).

The first two score the labelled `text` as stored (raw pages with their navigation), so they do
not depend on any other stage. Run from the project root:

    .venv/bin/python bench/quality_eval.py [--model PATH ...] [--baseline-rev REV]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import web_eval
from corpus import CORPUS

from cleaner.stages.quality import DEFAULT_MODEL
from cleaner.text import quality_features
from cleaner.text.fasttext_model import load_model
from cleaner.text.quality_features import score_texts

PROJECT = Path(__file__).resolve().parents[1]
WEB = CORPUS / "web"
#: The last commit whose quality_default.ftz is the model trained on wiki/news/judgments vs SMS/reviews/apps.
BASELINE_REV = "9d0bc8d"
STAGE_THRESHOLD = 0.5
#: The recommended web filter threshold (docs/annotators.md): the best of SWEEP on mixed.yaml, see recipe_figures.
WEB_THRESHOLD = 0.1
SWEEP = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
RECIPES = [("mixed.yaml", ("zh", "en")), ("zh_web.yaml", ("zh",)), ("en_web.yaml", ("en",))]
CLEAN_FILES = [
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_hant_wiki_drcd.jsonl",
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_news_sogoucs.jsonl",
    "zh/zh_court_judgments.jsonl",
    "zh/zh_app_descriptions_iflytek.jsonl",
    "zh/zh_reviews_hotel_chnsenticorp.jsonl",
    "zh/zh_reviews_online_shopping.jsonl",
    "zh/zh_wechat_articles.jsonl",
    "en/en_web_pages_maintext.jsonl",
    "en/en_usenet_20newsgroups.jsonl",
    "en/en_sms_spam.jsonl",
    "multi/multi_web_pages_maintext.jsonl",
]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def labelled() -> list[tuple[str, bool, str]]:
    """(language, curator keeps it, text) for every keep/drop label."""
    docs: dict[tuple[str, str], str] = {}
    rows = []
    for label in read_jsonl(WEB / "labels.jsonl"):
        if label["label"] not in ("keep", "drop"):
            continue
        if (label["file"], label["id"]) not in docs:
            docs.update({(label["file"], r["id"]): r["text"] for r in read_jsonl(WEB / label["file"])})
        rows.append((label["lang"], label["label"] == "keep", docs[(label["file"], label["id"])]))
    return rows


def roc_auc(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    ranked = sorted(zip(scores, truth))
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += (i + j + 1) / 2 * sum(t for _, t in ranked[i:j])
        i = j
    pos = sum(truth)
    neg = len(truth) - pos
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def precision_recall(scores: Sequence[float], truth: Sequence[bool], threshold: float) -> tuple[float, float]:
    passed = [t for s, t in zip(scores, truth) if s >= threshold]
    precision = sum(passed) / len(passed) if passed else 0.0
    return precision, sum(passed) / max(1, sum(truth))


def dev_figures(scores: list[float], rows: list[tuple[str, bool, str]]) -> None:
    print(f"{'set':<5} {'keep':>4} {'drop':>4} {'AUC':>6}   P@0.5  R@0.5   P@web  R@web  (web: {WEB_THRESHOLD})")
    for name in ("zh", "en", "all"):
        picked = [(s, keep) for s, (lang, keep, _) in zip(scores, rows) if name in ("all", lang)]
        sc, truth = [s for s, _ in picked], [k for _, k in picked]
        p5, r5 = precision_recall(sc, truth, STAGE_THRESHOLD)
        pw, rw = precision_recall(sc, truth, WEB_THRESHOLD)
        keeps = sum(truth)
        auc = roc_auc(sc, truth)
        print(f"{name:<5} {keeps:>4} {len(truth) - keeps:>4} {auc:>6.3f}   {p5:.3f}  {r5:.3f}   {pw:.3f}  {rw:.3f}")
    print("threshold sweep: kept pages passing / dropped pages failing")
    for name in ("zh", "en", "all"):
        picked = [(s, keep) for s, (lang, keep, _) in zip(scores, rows) if name in ("all", lang)]
        cells = []
        for t in SWEEP:
            good = [s >= t for s, keep in picked if keep]
            bad = [s < t for s, keep in picked if not keep]
            cells.append(f"{t:.1f}: {sum(good) / len(good):.2f}/{sum(bad) / len(bad):.2f}")
        print(f"  {name:<4}" + "  ".join(cells))


def recipe_outcomes() -> dict[str, list[tuple[str, bool, str | None]]]:
    """Per web recipe: (language, curator keeps it, text the recipe kept or None) for each label."""
    records = web_eval.load_records()
    pages = web_eval.load_pages(records)
    outcomes = {}
    for name, _ in RECIPES:
        runner = web_eval.RecipeRunner(PROJECT / "cleaner" / "rules" / name)
        results = [runner.apply(p.file, p.record) for p in pages]
        outcomes[name] = [
            (p.lang, p.label == "keep", o.text if o.rejected_by is None else None) for p, o in zip(pages, results)
        ]
    return outcomes


def recipe_figures(model: object, outcomes: dict[str, list[tuple[str, bool, str | None]]]) -> None:
    print("web recipes + quality filter: kept pages kept / dropped pages dropped (balanced accuracy)")
    best: dict[float, float] = {}
    for name, langs in RECIPES:
        rows = outcomes[name]
        kept = [i for i, (_, _, text) in enumerate(rows) if text is not None]
        scores = dict(zip(kept, score_texts(model, [rows[i][2] for i in kept])))
        for lang in langs:
            picked = [(i, keep) for i, (row_lang, keep, _) in enumerate(rows) if row_lang == lang]
            keeps, drops = [i for i, k in picked if k], [i for i, k in picked if not k]
            cells = []
            for t in [0.0, *SWEEP]:
                good = sum(scores.get(i, -1.0) >= t for i in keeps) / len(keeps)
                bad = sum(scores.get(i, -1.0) < t for i in drops) / len(drops)
                cells.append(f"{t:.1f}: {good:.2f}/{bad:.2f} ({(good + bad) / 2:.3f})")
                if name == "mixed.yaml":
                    best[t] = best.get(t, 0.0) + (good + bad) / 2 / len(langs)
            print(f"  {name:<12} {lang}  none " + cells[0].split(" ", 1)[1] + "  " + "  ".join(cells[1:]))
    chosen = max(SWEEP, key=lambda t: (best[t], -abs(t - STAGE_THRESHOLD)))
    print(f"  best threshold on mixed.yaml (mean of zh and en balanced accuracy): {chosen} ({best[chosen]:.3f})")


def source_figures(model: object) -> None:
    print(f"{'clean corpus file':<42} {'docs':>6} {'mean':>6} {'>=0.5':>6}")
    for relative in CLEAN_FILES:
        scores = score_texts(model, [r["text"] for r in read_jsonl(CORPUS / relative)])
        share = sum(s >= STAGE_THRESHOLD for s in scores) / len(scores)
        print(f"{relative:<42} {len(scores):>6} {sum(scores) / len(scores):>6.3f} {share:>6.3f}")


def baseline_model(rev: str, tmp: Path) -> Path | None:
    """The shipped model file as of `rev`, or None outside a git checkout."""
    show = subprocess.run(
        ["git", "-C", str(PROJECT), "show", f"{rev}:cleaner/data/quality_default.ftz"], capture_output=True
    )
    if show.returncode != 0:
        print(f"baseline {rev}: not available ({show.stderr.decode().strip()})")
        return None
    path = tmp / f"quality_{rev}.ftz"
    path.write_bytes(show.stdout)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", help="model(s) to evaluate (default: baseline, shipped)")
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    args = parser.parse_args()
    rows = labelled()
    outcomes = recipe_outcomes()
    with tempfile.TemporaryDirectory(prefix="quality-eval-") as tmp:
        baseline = None if args.model else baseline_model(args.baseline_rev, Path(tmp))
        models = args.model or [m for m in (baseline, DEFAULT_MODEL) if m]
        prose_lines = quality_features.prose_lines
        for path in models:
            model = load_model(path)
            quality_features.prose_lines = (lambda text: text) if path == baseline else prose_lines
            print(f"\n== {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
            dev_figures(score_texts(model, [text for _, _, text in rows]), rows)
            recipe_figures(model, outcomes)
            source_figures(model)
        quality_features.prose_lines = prose_lines
    return 0


if __name__ == "__main__":
    sys.exit(main())
