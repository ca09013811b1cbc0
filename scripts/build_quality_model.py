"""Build the default quality model cleaner/data/quality_default.ftz from ../shared/corpus.

Provenance (all real text, see ../shared/corpus/README.md for origins and licences):

- Positives ("high quality"): Chinese Wikipedia paragraphs (zh_wiki_cmrc2018, CMRC 2018;
  zh_hant_wiki_drcd, DRCD), People's Daily 1998 news (zh_news_peoples_daily_1998), Sogou news
  (zh_news_sogoucs), court judgments (zh_court_judgments, first 1,500), and the article bodies of
  English and multilingual news/blog pages (en_web_pages_maintext, multi_web_pages_maintext).
- Negatives ("low quality"): SMS spam and chat (en_sms_spam, all spam and the first 1,000 ham),
  very short e-commerce and hotel reviews (<= 60 characters; zh_reviews_online_shopping,
  zh_reviews_ecommerce_eprstmt, zh_reviews_hotel_chnsenticorp), app-store marketing blurbs
  (zh_app_descriptions_iflytek, first 1,000), WeChat articles with ads (zh_wechat_articles), and
  mojibake: 500 longer reviews whose UTF-8 bytes were decoded as Latin-1 or GBK, the garbling
  real crawls contain (Chinese text, since ASCII survives a wrong Latin-1 decode unchanged).

The corpus text is written to a temporary folder, never into the project. `cleaner
train-quality` holds out 10% of the documents by a hash of their text; the tests score the
held-out documents with the shipped model. Run from the project root:

    .venv/bin/python scripts/build_quality_model.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cleaner.cli import train_quality

PROJECT = Path(__file__).resolve().parents[1]
OUT = PROJECT / "cleaner" / "data" / "quality_default.ftz"
SHORT_REVIEW = 60

POSITIVE = [
    ("zh/zh_wiki_cmrc2018.jsonl", None),
    ("zh/zh_hant_wiki_drcd.jsonl", None),
    ("zh/zh_news_peoples_daily_1998.jsonl", None),
    ("zh/zh_news_sogoucs.jsonl", None),
    ("zh/zh_court_judgments.jsonl", 1500),
    ("en/en_web_pages_maintext.jsonl", None),
    ("multi/multi_web_pages_maintext.jsonl", None),
]
REVIEWS = [
    "zh/zh_reviews_online_shopping.jsonl",
    "zh/zh_reviews_ecommerce_eprstmt.jsonl",
    "zh/zh_reviews_hotel_chnsenticorp.jsonl",
]


def records(corpus: Path, relative: str) -> Iterator[dict]:
    with open(corpus / relative, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def positives(corpus: Path) -> list[str]:
    texts = []
    for relative, limit in POSITIVE:
        texts += [r["text"] for r in records(corpus, relative)][:limit]
    return texts


def garble(text: str, i: int) -> str:
    """UTF-8 bytes read with the wrong codec, as in badly decoded crawls."""
    return text.encode("utf-8").decode("latin-1" if i % 2 else "gbk", errors="replace")


def negatives(corpus: Path) -> list[str]:
    sms = list(records(corpus, "en/en_sms_spam.jsonl"))
    texts = [r["text"] for r in sms if r["label"] == "spam"]
    texts += [r["text"] for r in sms if r["label"] == "ham"][:1000]
    reviews = [r["text"] for relative in REVIEWS for r in records(corpus, relative)]
    texts += [t for t in reviews if len(t.strip()) <= SHORT_REVIEW][:3000]
    texts += [r["text"] for r in records(corpus, "zh/zh_app_descriptions_iflytek.jsonl")][:1000]
    texts += [r["text"] for r in records(corpus, "zh/zh_wechat_articles.jsonl")]
    long_reviews = [t for t in reviews if len(t) > 100][:500]
    texts += [garble(t, i) for i, t in enumerate(long_reviews)]
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quality-data-") as tmp:
        paths = {}
        for name, texts in (("positive", positives(args.corpus)), ("negative", negatives(args.corpus))):
            paths[name] = Path(tmp) / f"{name}.jsonl"
            with open(paths[name], "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
            print(f"{name}: {len(texts)} documents")
        cli = ["--positive", str(paths["positive"]), "--negative", str(paths["negative"]), "--out", str(args.out)]
        sub = argparse.ArgumentParser().add_subparsers()
        train_quality.add_parser(sub)
        return train_quality.run(sub.choices["train-quality"].parse_args(cli))


if __name__ == "__main__":
    sys.exit(main())
