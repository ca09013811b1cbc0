"""Web junk rules on real pages: gambling SEO injection and bulk-mail ads rejected, clean text kept."""

from __future__ import annotations

import itertools
import re._parser as re_parser
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.stages import web_junk
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


#: Stands for any text a gap (`[^\\n]{0,40}?`, `\\S{0,2}`) matches: in no anchor, so an anchor found
#: next to it is written in the pattern, not made up across a gap.
GAP = "□"


def skeletons(items: list) -> list[str]:
    """Every string a parsed pattern matches with each gap empty or one `GAP` wide, each optional
    part in or out and each branch and listed character taken in turn."""
    return ["".join(parts) for parts in itertools.product(*(_item_strings(op, av) for op, av in items))]


def _item_strings(op: object, av: object) -> list[str]:
    if op is re_parser.LITERAL:
        return [chr(av)]
    if op is re_parser.SUBPATTERN:
        return skeletons(av[-1])
    if op is re_parser.BRANCH:
        return [s for branch in av[1] for s in skeletons(branch)]
    if op is re_parser.IN and all(kind is re_parser.LITERAL for kind, _ in av):
        return [chr(code) for _, code in av]
    if op in (re_parser.IN, re_parser.NOT_LITERAL, re_parser.CATEGORY, re_parser.ANY):
        return [GAP]
    if op in (re_parser.MAX_REPEAT, re_parser.MIN_REPEAT):
        low, high, item = av
        once = skeletons(item)
        counts = range(low, min(high, low + 1) + 1)
        return ["".join(parts) for count in counts for parts in itertools.product(*[once] * count)]
    raise AssertionError(f"no skeleton for {op}")


def test_every_ad_cue_branch_holds_an_anchor() -> None:
    for kind, pattern in web_junk._AD_CUES.items():
        for text in skeletons(re_parser.parse(pattern)):
            match = web_junk._AD_CUE.fullmatch(text)
            assert match is not None and match.lastgroup == kind, text  # a real match of this cue
            assert any(anchor in part for part in text.split(GAP) for anchor in web_junk._AD_ANCHORS), text


def test_ad_anchor_admits_every_real_text_a_cue_matches(corpus_dir: Path) -> None:
    mails = [r["text"] for r in corpus_records(corpus_dir, "web/zh_email_trec06c_spam_ham.jsonl")]
    texts = mails + clean_texts(corpus_dir, 500)
    cued = [t for t in texts if web_junk._AD_CUE.search(t)]
    assert len(cued) >= 50
    assert [t[:40] for t in cued if t.isascii() or not web_junk._AD_ANCHOR.search(t)] == []


def test_quick_seo_tests_agree_with_the_scans_they_replace(corpus_dir: Path, seo: SeoInjection) -> None:
    pages = [r["text"] for r, _ in labelled(corpus_dir, "zh_cc_chinesewebtext.jsonl")]
    texts = pages + clean_texts(corpus_dir, 500) + ["Tags: kaiyun", "tag : x", "AG真人 and BET365", "ag真"]
    brand = [next(seo._brands.iter(t.lower()), None) is not None for t in texts]
    label = [any(label in t for label in web_junk._KEYWORD_LABELS) for t in texts]
    assert sum(brand) >= 8 and sum(label) >= 5
    assert [t[:40] for t, b in zip(texts, brand, strict=True) if seo._any_brand.occurs_in(t.lower()) != b] == []
    assert [t[:40] for t, b in zip(texts, label, strict=True) if web_junk._has_keyword_label(t) != b] == []
    names = [web_junk._BRAND_NAME.findall(t) if any(w in t for w in web_junk._SITE_WORDS) else [] for t in texts]
    assert sum(map(bool, names)) >= 3
    assert [t[:40] for t, found in zip(texts, names, strict=True) if web_junk._site_names(t) != found] == []
