"""Throughput of lang_id, blacklist and quality_score on real text, and their share of a pipeline.

1. Standalone: every document through each stage alone, in this one process -> docs/s per core.
2. In a pipeline: the stages of a recipe (default cleaner/rules/zh_web.yaml, with lang_id and
   quality_score appended when absent) applied in order as the engine does (a rejected document
   stops), timing each stage; prints each of the three stages' share of all stage time.

Documents: a mix of ../shared/corpus Chinese news, wiki, court, review, app and English web/SMS
text. Usage: .venv/bin/python bench/annotator_speed.py [--docs 6000] [--recipe cleaner/rules/zh_web.yaml]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from corpus import CORPUS, MIXED_FILES

from cleaner.document import Document
from cleaner.recipe import load_recipe
from cleaner.stages.base import Stage
from cleaner.stages.blacklist import Blacklist
from cleaner.stages.langid import LanguageId
from cleaner.stages.quality import QualityScore

PROJECT = Path(__file__).resolve().parents[1]
FILES = MIXED_FILES
OURS = ("lang_id", "blacklist", "quality_score")


def load_texts(limit: int) -> list[str]:
    per_file = limit // len(FILES)
    texts = []
    for name in FILES:
        with open(CORPUS / name, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for _, line in zip(range(per_file), fh)]
    return texts


def ready(stage: Stage) -> Stage:
    stage.validate(PROJECT)
    stage.setup()
    return stage


def standalone(stage: Stage, texts: list[str]) -> float:
    started = time.perf_counter()
    for i, text in enumerate(texts):
        stage.process(Document(str(i), text, "bench", i, {}))
    return len(texts) / (time.perf_counter() - started)


def pipeline(stages: list[Stage], texts: list[str]) -> dict[str, float]:
    seconds = {s.name: 0.0 for s in stages}
    clock = time.perf_counter
    for i, text in enumerate(texts):
        doc = Document(str(i), text, "bench", i, {})
        for stage in stages:
            started = clock()
            rejected = stage.process(doc)
            seconds[stage.name] += clock() - started
            if rejected:
                break
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=6000)
    parser.add_argument("--recipe", type=Path, default=PROJECT / "cleaner" / "rules" / "zh_web.yaml")
    args = parser.parse_args()
    texts = load_texts(args.docs)
    chars = sum(map(len, texts))
    print(f"{len(texts)} documents, {chars / len(texts):.0f} chars on average")
    ours = {"lang_id": ready(LanguageId()), "blacklist": ready(Blacklist()), "quality_score": ready(QualityScore())}
    for name, stage in ours.items():
        rate = standalone(stage, texts)
        print(f"  {name:<14} {rate:>8.0f} docs/s per core  {rate * chars / len(texts) / 1e6:6.2f} M chars/s")

    recipe = load_recipe(args.recipe)
    stages = recipe.build_stages()
    for stage in stages:
        stage.setup()
    names = {s.name for s in stages}
    stages += [ours[name] for name in ("lang_id", "quality_score") if name not in names]
    seconds = pipeline(stages, texts)
    total = sum(seconds.values())
    print(f"pipeline {args.recipe.name} + missing annotators: {len(stages)} stages, {total:.2f} s of stage time")
    for name in OURS:
        if name in seconds:
            print(f"  {name:<14} {seconds[name]:6.2f} s  {seconds[name] / total:6.1%} of stage time")
    slowest = sorted(seconds.items(), key=lambda item: -item[1])[:5]
    print("  slowest stages: " + ", ".join(f"{n} {s / total:.1%}" for n, s in slowest))


if __name__ == "__main__":
    main()
