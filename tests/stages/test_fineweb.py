"""FineWeb quality and its Chinese variant on real pages."""

from __future__ import annotations

from pathlib import Path

from cleaner.document import Document
from cleaner.stages.fineweb import FineWebQuality, FineWebQualityZh
from tests.conftest import corpus_records


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def kept_share(rule: object, texts: list[str]) -> float:
    return sum(rule.check(doc(t)) is None for t in texts) / len(texts)  # type: ignore[attr-defined]


def test_main_text_kept_more_than_full_pages(corpus_dir: Path) -> None:
    rule = FineWebQuality()
    main = [r["text"] for r in corpus_records(corpus_dir, "en/en_web_pages_maintext.jsonl", 150)]
    full = [r["text"] for r in corpus_records(corpus_dir, "en/en_web_pages_fulltext.jsonl", 150)]
    assert kept_share(rule, main) > 0.8
    assert kept_share(rule, full) < 0.5  # navigation, repeated menus, one-word lines


def test_each_rule() -> None:
    rule = FineWebQuality()
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Contact us today for more information."])
    assert rule.check(doc(menu)).reason == "fineweb_short_lines"
    no_punct = "\n".join(f"this line has no final mark number {i} and goes on for a while" for i in range(10))
    assert rule.check(doc(no_punct)).detail == "line_punct_ratio 0 < 0.120"
    repeated = "\n".join(["A long sentence that is repeated on the page again and again."] * 3)
    assert rule.check(doc(repeated)).reason == "fineweb_dup_lines"


def test_chinese_variant(corpus_dir: Path) -> None:
    rule = FineWebQualityZh()
    texts = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_wiki_cmrc2018.jsonl", 300)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "zh/zh_court_judgments.jsonl", 500)]
    assert kept_share(rule, texts) > 0.99
    wechat = corpus_records(corpus_dir, "zh/zh_wechat_articles.jsonl", 1)[0]["text"]
    assert rule.check(doc(wechat)).reason == "fineweb_short_lines"  # one token per line
    # A one-line paragraph without final punctuation is not judged by the line ratios.
    assert rule.check(doc("系列作品外传作品")) is None
