"""Language-ID accuracy per language and macro F1: raw fastText top-1 vs our `lang_id` stage.

Data: ../shared/corpus/langid/langid_lingua_sentences.jsonl (Leipzig sentences, gold `lang`).
lid.176 writes Norwegian Bokmål as "no" where the gold says "nb"; that alias is applied to both
systems. Exits 1 when our stage is below the raw model on a language with >= 100 samples or
below 98% on zh or en, so the bench doubles as a regression check.

Usage: .venv/bin/python bench/langid_eval.py [--corpus DIR] [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from corpus import CORPUS

from cleaner.stages.base import validate_stage
from cleaner.stages.langid import LanguageId
from cleaner.text.fasttext_model import predict

ALIASES = {"no": "nb"}
MIN_SAMPLES = 100
REQUIRED = {"zh": 0.98, "en": 0.98}
#: Chinese-script files of the corpus and their language, to show what the script check changes.
SCRIPT_FILES = [
    ("zh/zh_hant_poetry_tang.jsonl", "zh"),
    ("zh/zh_reviews_online_shopping.jsonl", "zh"),
    ("zh/zh_hant_wiki_drcd.jsonl", "zh"),
    ("zh/yue_cantonese_sentences.jsonl", "yue"),
]


def macro_f1(gold: list[str], pred: list[str]) -> float:
    """Mean F1 over the gold languages (a prediction outside them only costs precision)."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
    scores = []
    for lang in set(gold):
        denom = 2 * tp[lang] + fp[lang] + fn[lang]
        scores.append(2 * tp[lang] / denom if denom else 0.0)
    return sum(scores) / len(scores)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--model", help="another fastText LID model (default: lid.176.ftz)")
    args = parser.parse_args()
    path = args.corpus / "langid" / "langid_lingua_sentences.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    gold = [r["lang"] for r in records]
    texts = [r["text"] for r in records]

    stage = LanguageId(model=args.model)
    validate_stage(stage, Path.cwd())
    stage.setup()
    raw = [ALIASES.get(ranked[0][0], ranked[0][0]) for ranked in predict(stage._model, texts, 1)]
    ours = [ALIASES.get(lang, lang) for lang in (stage.identify(t)[0] for t in texts)]

    counts = Counter(gold)
    hit_raw = Counter(g for g, p in zip(gold, raw) if g == p)
    hit_ours = Counter(g for g, p in zip(gold, ours) if g == p)
    failures = []
    print(f"{'lang':<5} {'n':>5} {'raw':>7} {'ours':>7}")
    for lang in sorted(counts):
        n = counts[lang]
        acc_raw, acc_ours = hit_raw[lang] / n, hit_ours[lang] / n
        mark = " *" if acc_ours != acc_raw else ""
        print(f"{lang:<5} {n:>5} {acc_raw:>7.2%} {acc_ours:>7.2%}{mark}")
        if n >= MIN_SAMPLES and acc_ours < acc_raw:
            failures.append(f"{lang}: ours {acc_ours:.2%} < raw {acc_raw:.2%}")
        if lang in REQUIRED and acc_ours < REQUIRED[lang]:
            failures.append(f"{lang}: ours {acc_ours:.2%} < required {REQUIRED[lang]:.0%}")
    total = len(gold)
    print(f"overall accuracy: raw {sum(hit_raw.values()) / total:.2%}  ours {sum(hit_ours.values()) / total:.2%}")
    print(f"macro F1 ({len(counts)} languages): raw {macro_f1(gold, raw):.4f}  ours {macro_f1(gold, ours):.4f}")
    print(f"script-check overrides: {stage.counters()['script_overrides']}")
    print("script check on Chinese-script corpus files (accuracy raw -> ours):")
    for relative, lang in SCRIPT_FILES:
        texts = [json.loads(line)["text"] for line in (args.corpus / relative).open(encoding="utf-8")]
        raw_ok = sum(ranked[0][0] == lang for ranked in predict(stage._model, texts, 1))
        ours_ok = sum(stage.identify(t)[0] == lang for t in texts)
        print(f"  {relative:<40} {lang:<4} n={len(texts):<6} {raw_ok / len(texts):7.2%} -> {ours_ok / len(texts):7.2%}")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
