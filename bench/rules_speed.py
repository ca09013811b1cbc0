"""Seconds per MB of every registered stage, with default parameters, on real text.

Usage: .venv/bin/python bench/rules_speed.py [--mb 2] [--stage NAME ...] [--limit 1.0]

Reads documents from ../shared/corpus (Chinese, English and multilingual files mixed) up to
--mb megabytes of UTF-8, runs each stage over all of them, and prints s/MB per stage, then the
slowest five. Exits 1 when a stage is slower than --limit s/MB. Stages whose defaults cannot be
validated or set up (a required model or file) are listed as skipped with the reason.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from corpus import CORPUS

from cleaner.document import Document
from cleaner.stages import STAGES
from cleaner.stages.base import Stage

PROJECT = Path(__file__).resolve().parents[1]
SOURCES = [
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_court_judgments.jsonl",
    "zh/zh_reviews_online_shopping.jsonl",
    "zh/zh_app_descriptions_iflytek.jsonl",
    "zh/zh_news_sogoucs.jsonl",
    "zh/zh_wechat_articles.jsonl",
    "zh/zh_hant_wiki_drcd.jsonl",
    "en/en_web_pages_maintext.jsonl",
    "multi/multi_web_pages_maintext.jsonl",
]


def load_texts(corpus: Path, megabytes: float) -> list[str]:
    """Round-robin over SOURCES so every kind of text is in the sample, up to `megabytes`."""
    budget = int(megabytes * 1e6)
    handles = [open(corpus / name, encoding="utf-8") for name in SOURCES if (corpus / name).is_file()]
    texts, size = [], 0
    try:
        while handles and size < budget:
            for handle in list(handles):
                line = handle.readline()
                if not line:
                    handles.remove(handle)
                    continue
                text = json.loads(line)["text"]
                texts.append(text)
                size += len(text.encode("utf-8"))
    finally:
        for handle in handles:
            handle.close()
    return texts


def build(name: str) -> Stage:
    stage = STAGES[name]()
    stage.validate(PROJECT)
    stage = STAGES[name](**dataclasses.asdict(stage))  # as a worker would rebuild it
    stage.setup()
    return stage


def seconds_per_mb(stage: Stage, texts: list[str], megabytes: float) -> float:
    docs = [Document(str(i), text, "bench", i, {}) for i, text in enumerate(texts)]
    started = time.perf_counter()
    for doc in docs:
        stage.process(doc)
    return (time.perf_counter() - started) / megabytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="megabytes of real text to run (default 2)")
    parser.add_argument("--stage", action="append", help="only these stages (repeatable)")
    parser.add_argument("--limit", type=float, default=1.0, help="fail above this many s/MB (default 1)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()

    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    texts = load_texts(args.corpus, args.mb)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts)} documents, {megabytes:.2f} MB")

    results: dict[str, float] = {}
    for name in sorted(args.stage or STAGES):
        try:
            stage = build(name)
        except Exception as err:  # noqa: BLE001  (any failure to build is reported, not fatal)
            print(f"{name:32s} skipped: {type(err).__name__}: {err}")
            continue
        results[name] = seconds_per_mb(stage, texts, megabytes)
        print(f"{name:32s} {STAGES[name].kind:10s} {results[name]:8.3f} s/MB")

    slowest = sorted(results.items(), key=lambda item: item[1], reverse=True)[:5]
    print("\nslowest five:")
    for name, value in slowest:
        print(f"  {name:30s} {value:8.3f} s/MB")
    too_slow = [name for name, value in results.items() if value > args.limit]
    if too_slow:
        print(f"\nslower than {args.limit} s/MB: {', '.join(too_slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
