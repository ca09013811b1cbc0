"""Blacklist stage: false-reject rate on clean text, catch rate on spam/gambling samples.

Clean (should be kept): Chinese Wikipedia (CMRC 2018, DRCD), People's Daily 1998 and Sogou news,
English and multilingual article bodies of news/blog pages (the *_maintext files), and, shown
apart, court judgments (legal text that names crimes) and the same web pages with navigation and
footers (*_fulltext). Target: <= 0.5% rejected.

Positive (should be rejected): SMS spam (en_sms_spam, label "spam") and lottery-betting app
descriptions (iFLYTEK label 彩票, gambling advertising); SMS ham is shown as a further negative.
The third-party word lists in ../shared/corpus/wordlists can be evaluated as user lists with
`--user-list FILE=>CATEGORY` (they are never shipped).

Usage: .venv/bin/python bench/blacklist_eval.py [--corpus DIR] [--user-list FILE=CATEGORY ...] [--show N]
       [--rate-min-hits 1]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from corpus import CORPUS

from cleaner.document import Document
from cleaner.stages.base import validate_stage
from cleaner.stages.blacklist import Blacklist

CLEAN = [
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_hant_wiki_drcd.jsonl",
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_news_sogoucs.jsonl",
    "en/en_web_pages_maintext.jsonl",
    "multi/multi_web_pages_maintext.jsonl",
]
APART = ["zh/zh_court_judgments.jsonl", "en/en_web_pages_fulltext.jsonl", "multi/multi_web_pages_fulltext.jsonl"]
POSITIVE = [("en/en_sms_spam.jsonl", "label", "spam"), ("zh/zh_app_descriptions_iflytek.jsonl", "label", "彩票")]
HAM = [("en/en_sms_spam.jsonl", "label", "ham")]
TARGET_FALSE_REJECT = 0.005


def records(corpus: Path, relative: str, field: str | None = None, value: str | None = None) -> list[dict]:
    with open(corpus / relative, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [r for r in rows if field is None or r.get(field) == value]


def rejected(stage: Blacklist, rows: list[dict]) -> list[tuple[dict, str]]:
    out = []
    for i, row in enumerate(rows):
        meta = {k: v for k, v in row.items() if k not in ("id", "text")}
        rejection = stage.process(Document(str(row.get("id", i)), row["text"], "bench", i, meta))
        if rejection:
            out.append((row, f"{rejection.reason} {rejection.detail}"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--user-list", action="append", default=[], help="FILE=CATEGORY, evaluated as a user list")
    parser.add_argument("--show", type=int, default=5, help="rejected clean documents to print")
    parser.add_argument("--rate-min-hits", type=int, default=2, help="the stage's rate_min_hits (1 = strict)")
    args = parser.parse_args()
    user_lists = dict(item.split("=", 1) for item in args.user_list)
    stage = Blacklist(user_lists=user_lists, rate_min_hits=args.rate_min_hits)
    validate_stage(stage, Path.cwd())
    stage.setup()

    def report(title: str, sets: list, want_rejected: bool) -> tuple[int, int]:
        print(f"== {title}")
        n_all = n_rej = 0
        for spec in sets:
            relative, field, value = spec if isinstance(spec, tuple) else (spec, None, None)
            rows = records(args.corpus, relative, field, value)
            bad = rejected(stage, rows)
            n_all += len(rows)
            n_rej += len(bad)
            name = relative + (f" [{field}={value}]" if field else "")
            print(f"  {name:<55} {len(bad):>5}/{len(rows):<6} {len(bad) / max(1, len(rows)):7.2%} rejected")
            reasons = Counter(reason.split()[0] for _, reason in bad)
            if reasons:
                print(f"      by reason: {dict(reasons.most_common())}")
            if not want_rejected:
                for row, reason in bad[: args.show]:
                    print(f"      - {reason} | {row['text'][:90]!r}")
        print(f"  total {n_rej}/{n_all} = {n_rej / max(1, n_all):.2%}")
        return n_rej, n_all

    fp, n_clean = report("clean encyclopedic and news text (false rejects)", CLEAN, False)
    report("court judgments and whole web pages with their boilerplate (shown apart)", APART, False)
    report("spam and gambling ads (catch rate)", POSITIVE, True)
    report("SMS ham (false rejects on chat)", HAM, False)
    counters = stage.counters()
    print(f"hits per category: {counters['hits']}")
    print(f"most frequent terms: {dict(Counter(counters['terms']).most_common(15))}")
    rate = fp / max(1, n_clean)
    if rate > TARGET_FALSE_REJECT:
        print(f"FAIL false-reject rate {rate:.2%} > {TARGET_FALSE_REJECT:.1%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
