"""Web junk rules on real pages: gambling SEO injection and bulk-mail ads rejected, clean text kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.stages.base import validate_stage
from cleaner.stages.web_junk import SeoInjection, SpamAd
from tests.conftest import corpus_records
from tests.stages.web_labels import labelled, page

CLEAN = [
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_court_judgments.jsonl",
    "en/en_web_pages_maintext.jsonl",
]


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def clean_texts(corpus_dir: Path, limit: int = 2000) -> list[str]:
    return [r["text"] for name in CLEAN for r in corpus_records(corpus_dir, name, limit)]


@pytest.fixture(scope="module")
def seo() -> SeoInjection:
    stage = SeoInjection()
    validate_stage(stage, Path("rules"))
    stage.setup()
    return stage


def test_gambling_injection_rejected_and_kept_pages_kept(corpus_dir: Path, seo: SeoInjection) -> None:
    pages = labelled(corpus_dir, "zh_cc_chinesewebtext.jsonl")
    gambling = [r for r, label in pages if label["reason"] == "gambling"]
    kept = [r for r, label in pages if label["label"] == "keep"]
    assert len(gambling) >= 10 and len(kept) >= 15
    verdicts = [seo.check(page(r)) for r in gambling]
    assert sum(v is not None and v.reason == "seo_injection" for v in verdicts) >= 0.8 * len(gambling)
    assert all(seo.check(page(r)) is None for r in kept)


def test_brand_in_title_or_keyword_line(corpus_dir: Path, seo: SeoInjection) -> None:
    (record,) = [r for r, _ in labelled(corpus_dir, "zh_cc_chinesewebtext.jsonl") if r["id"] == "cwt-cleared1-035"]
    verdict = seo.check(page(record))
    assert verdict is not None and "title_terms" in verdict.detail and "华体会" in verdict.detail
    # Without its title the page still lists the brand among its keywords: 本文关键词：‘,华,体会,华体会,’,...
    verdict = seo.check(doc(record["text"]))
    assert verdict is not None and "keyword_line_terms" in verdict.detail
    # The article alone, keyword line cut, is an ordinary news item.
    article = "\n".join(line for line in record["text"].splitlines() if not line.startswith("本文关键词"))
    assert seo.check(doc(article)) is None


def test_seo_injection_keeps_clean_text(corpus_dir: Path, seo: SeoInjection) -> None:
    texts = clean_texts(corpus_dir)
    assert len(texts) > 4000
    assert [t[:40] for t in texts if seo.check(doc(t))] == []


def test_bulk_mail_ads_rejected_forum_mail_kept(corpus_dir: Path) -> None:
    rule = SpamAd()
    mails = corpus_records(corpus_dir, "web/zh_email_trec06c_spam_ham.jsonl")
    spam = [r["text"] for r in mails if r["source_label"] == "spam"]
    ham = [r["text"] for r in mails if r["source_label"] == "ham"]
    assert len(spam) >= 150 and len(ham) >= 200
    rejected = [rule.check(doc(t)) for t in spam]
    # Many spam lines are bare links or product blurbs (left to the length rule); the templates are caught.
    assert sum(v is not None for v in rejected) >= 45
    assert any(v is not None and "invoice" in v.detail for v in rejected)
    assert sum(rule.check(doc(t)) is not None for t in ham) == 0


def test_spam_ad_needs_a_contact_and_keeps_clean_text(corpus_dir: Path) -> None:
    rule = SpamAd()
    invoice = "本公司有部分普通发票可以优惠代开，保证票据的真实性。"
    assert rule.check(doc(invoice)) is None
    assert rule.check(doc(invoice + "联系人：李先生 联系电话：13632588281")) is not None
    # Hotel reviews quote the hotel's apology (深表歉意) and its telephone number: not an ad.
    hotel = [r["text"] for r in corpus_records(corpus_dir, "zh/zh_reviews_hotel_chnsenticorp.jsonl")]
    texts = clean_texts(corpus_dir) + hotel
    assert sum("歉意" in t for t in texts) >= 5
    assert [t[:40] for t in texts if rule.check(doc(t))] == []
