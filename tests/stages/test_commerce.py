"""Shop pages and ad copy on real English web text: curator-dropped item pages, store terms and ads
rejected, curator-kept pages and clean main text kept."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import regex

from cleaner.document import Document
from cleaner.stages.base import validate_stage
from cleaner.stages.commerce import (
    _ACTION,
    _PRODUCT_CUES,
    _SHOP,
    CallToAction,
    ProductListing,
    _cue_kinds,
    _cue_starts,
    _prices,
    _word_cues,
)
from cleaner.stages.measure import MeasuredFilter
from cleaner.stages.views import TextViews
from tests.conftest import corpus_records
from tests.stages.web_labels import labelled, page

#: Main text of real pages (English and multilingual): articles, reviews, how-tos, deal roundups.
MAIN_TEXT = ["en/en_web_pages_maintext.jsonl", "multi/multi_web_pages_maintext.jsonl"]
#: Curator-labelled English files whose text is already main text (C4, dolma's visible text).
LABELLED = ["en_c4_llamafactory_demo.jsonl", "en_warc_dolma_samples.jsonl"]


def doc(text: str) -> Document:
    return Document("i", text, "f", 1, {})


def prices(text: str) -> int:
    """`_prices` of `text`, told whether a code may follow a number by the word-cue scan of `text`."""
    return _prices(text, _cue_starts(text)[1])


def kept_pages(corpus_dir: Path) -> list[dict]:
    return [r for name in LABELLED for r, label in labelled(corpus_dir, name) if label["label"] == "keep"]


def dropped(corpus_dir: Path, reasons: set[str]) -> list[dict]:
    pages = labelled(corpus_dir, "en_c4_llamafactory_demo.jsonl")
    return [r for r, label in pages if label["label"] == "drop" and label["reason"] in reasons]


def test_shop_pages_rejected_kept_pages_kept(corpus_dir: Path) -> None:
    rule = ProductListing()
    shops = dropped(corpus_dir, {"product_listing", "boilerplate"})
    assert len(shops) >= 15
    verdicts = [rule.check(page(r)) for r in shops]
    rejected = [v for v in verdicts if v is not None]
    # Item pages with sizes and weights (an auction lot, dive lights) and a store's payment and
    # delivery terms; product copy without numbers or shop words is left to the other rules.
    assert len(rejected) >= 4
    assert all(v.reason == "product_listing" and "product_cues_per_100_words" in v.detail for v in rejected)
    assert any("quantity" in v.detail for v in rejected) and any("shop" in v.detail for v in rejected)
    keeps = kept_pages(corpus_dir)
    assert len(keeps) >= 40
    assert [r["id"] for r in keeps if rule.check(page(r))] == []


def test_prices_in_news_and_deal_roundups_kept(corpus_dir: Path) -> None:
    rule = ProductListing()
    texts = [r["text"] for name in MAIN_TEXT for r in corpus_records(corpus_dir, name)]
    texts += [r["text"] for r, label in labelled(corpus_dir, "en_news_bbc_cx.jsonl") if label["label"] == "keep"]
    assert sum("$" in t for t in texts) >= 40
    assert [t[:60] for t in texts if rule.check(doc(t))] == []


def test_usenet_for_sale_posts_are_the_usenet_rejections(corpus_dir: Path) -> None:
    rule = ProductListing()
    posts = [r["text"] for r in corpus_records(corpus_dir, "en/en_usenet_20newsgroups.jsonl")]
    rejected = [t for t in posts if rule.check(doc(t))]
    assert 0 < len(rejected) <= 0.015 * len(posts)
    assert sum("for sale" in t.lower() or "forsale" in t.lower() for t in rejected) >= 4


def test_density_needs_enough_cues() -> None:
    rule = ProductListing()
    one_line = 'Available in lengths of 36", 26", or 22".'
    assert rule.check(doc(one_line)) is None  # 4 cues: under min_cues 5 however dense
    assert rule.check(doc(one_line + " The 800 lumen lamp weighs 172 g.")) is not None
    with pytest.raises(ValueError, match="min_cues"):
        validate_stage(ProductListing(min_cues=0), Path("."))


def test_number_runs_are_one_scan_each() -> None:
    """A run of "1," is one number; tried at every comma it was quadratic (minutes at 200 kB)."""
    measure = next(ProductListing().measures(doc("1," * 100_000 + " 5 USD")))
    assert measure.note == "price 1" and not measure.failed


def test_ads_and_site_templates_rejected_kept_pages_kept(corpus_dir: Path) -> None:
    rule = CallToAction()
    ads = dropped(corpus_dir, {"spam_ad", "boilerplate", "keyword_spam"})
    verdicts = [rule.check(page(r)) for r in ads]
    rejected = [v for v in verdicts if v is not None]
    # An event ad (join us, register now), a placeholder page (this site, this page), an app-store blurb.
    assert len(rejected) >= 3
    assert all(v.reason == "call_to_action" and "action_sentence_share" in v.detail for v in rejected)
    assert any("register now" in v.detail for v in rejected) and any("this page" in v.detail for v in rejected)
    keeps = kept_pages(corpus_dir)
    # Kept posts do say "click here" or "contact us" once; that is not ad copy.
    assert any("click here" in r["text"].lower() for r in keeps)
    assert [r["id"] for r in keeps if rule.check(page(r))] == []


def test_calls_to_action_keep_clean_text(corpus_dir: Path) -> None:
    rule = CallToAction()
    texts = [r["text"] for name in MAIN_TEXT for r in corpus_records(corpus_dir, name)]
    texts += [r["text"] for r in corpus_records(corpus_dir, "en/en_usenet_20newsgroups.jsonl")]
    texts += [r["text"] for r in corpus_records(corpus_dir, "en/en_sms_spam.jsonl") if r.get("label") == "ham"]
    assert len(texts) > 1000
    assert [t[:60] for t in texts if rule.check(doc(t))] == []


def test_one_phrase_repeated_is_not_enough() -> None:
    rule = CallToAction()
    footer = "Our team reported from the scene on Monday. Read more on this site. Read more on this site."
    assert rule.check(doc(footer)) is None  # two sentences, one cue phrase each: "read more"
    ad = "Seats are going fast for the workshop. Register now to save a place. Contact us with questions."
    verdict = rule.check(doc(ad))
    assert verdict is not None and "2 of 3 sentences: register now, contact us" in verdict.detail


#: The cue lists as they were written before they were grouped by first letter (leftmost-first order).
FLAT_SHOP = re.compile(
    r"(?=[a-z])\b(?:add(?:ed)? (?:to )?(?:your )?(?:cart|basket|bag|wish ?list)|(?:in|out of) stock|sold out"
    r"|free (?:shipping|delivery|returns)|shopping (?:cart|basket|bag)|check ?out|sku"
    r"|(?:item|model|part) (?:no|number)|qty|buy (?:now|online|it now)|order (?:now|online|today|yours)|shop now"
    r"|wholesale|suppliers?|brand new|customer reviews?|write a review|out of 5 stars"
    r"|available in (?:\w+ ){0,3}?(?:sizes|colou?rs|lengths|finishes)"
    r"|comes in (?:\w+ ){0,2}?(?:sizes|colou?rs)|lot \d+|your order|orders over|place an order|dispatch(?:ed)?"
    r"|delivery|shipping|refunds?|returns policy|payments?|basket|cart)\b"
)
FLAT_ACTION = re.compile(
    r"(?=[a-z])\b(?:click (?:here|on|the|below|to)"
    r"|(?:register|sign up|join|enroll|apply|book|order|buy|shop|call|act|play|try)"
    r" (?:now|today|here|online|for free)|join (?:us|our team)|sign up|log ?in|subscribe"
    r"|please (?:join|visit|call|click|register|sign|contact|send|submit|apply|subscribe|download|order|buy)"
    r"|(?:submit|send) (?:us )?(?:your|their|a) (?:resume|cv|application)|download (?:now|free|the latest|our)"
    r"|contact us|visit (?:our|us)|for free|free trial|don'?t miss|hurry|limited (?:time|offer|seats)"
    r"|only \d+ (?:\w+ )?(?:left|seats|places|spots)|learn more|read more|find out more|get started"
    r"|this (?:site|website|page)|our (?:site|website|online store|store|shop))\b"
)


#: One of each alternative, some next to each other.
EVERY_CUE = (
    "add to cart, added to your wish list, in stock out of stock sold out. free shipping, shopping bag; checkout "
    "sku: item no. model number part no qty buy it now order yours shop now wholesale suppliers brand new customer "
    "review write a review 4 out of 5 stars available in many fine sizes comes in two colours lot 12 your order "
    "orders over place an order dispatched delivery shipping refund returns policy payments basket cart. "
    "click here apply now act today book online buy for free call now contact us download the latest don't miss "
    "enroll here for free free trial find out more get started hurry join now join our team log in limited offer "
    "learn more order online only 3 rooms left our online store play today please subscribe register now read more "
    "sign up for free shop here sign up subscribe send us your cv try now this website visit us"
)


def _web_texts(corpus_dir: Path) -> list[str]:
    names = [*MAIN_TEXT, "en/en_web_pages_fulltext.jsonl", *(f"web/{name}" for name in LABELLED)]
    return [record["text"] for name in names for record in corpus_records(corpus_dir, name, 300)]


def test_grouped_cues_match_as_the_flat_lists(corpus_dir: Path) -> None:
    """Grouping the alternatives by first letter, and matching the non-word character before a cue
    in the text after a line break (the stage's), must keep every match where it was, with its text."""
    texts = [text.lower() for text in _web_texts(corpus_dir)] + [EVERY_CUE, "sku", "cart.cart cart"]
    spans = [[m.span() for m in pattern.finditer(text)] for pattern in (FLAT_SHOP, FLAT_ACTION) for text in texts]
    assert sum(map(len, spans)) > 1000
    shop = [[(m.start(), m.end() - 1) for m in _SHOP.finditer("\n" + text)] for text in texts]
    action = [[(m.start(1) - 1, m.end(1) - 1) for m in _ACTION.finditer("\n" + text)] for text in texts]
    assert spans == shop + action


def test_product_listing_check_skips_only_pages_that_cannot_fail(corpus_dir: Path) -> None:
    """`check` passes pages with fewer cues than `min_cues` without counting their words: it must
    reject exactly the pages the measure rejects, on real pages of which some fail the gate."""
    rule = ProductListing()
    shops = [record["text"] for record in dropped(corpus_dir, {"product_listing", "boilerplate"})]
    docs = [doc(text) for text in _web_texts(corpus_dir) + shops]
    by_measure = [MeasuredFilter.check(rule, d) for d in docs]
    assert sum(v is not None for v in by_measure) >= 3
    cues = [sum(_cue_kinds("\n" + d.text.lower(), _word_cues(TextViews(d.text))).values()) for d in docs]
    assert sum(n >= rule.min_cues for n in cues) > 20
    assert [rule.check(d) for d in docs] == by_measure


def test_call_to_action_check_skips_only_pages_that_cannot_fail(corpus_dir: Path) -> None:
    """`check` passes pages with too few cues or cue phrases unsplit: it must reject exactly the
    pages the measure rejects, on real pages of which some fail and some pass the gate."""
    rule = CallToAction()
    docs = [doc(text) for text in _web_texts(corpus_dir)]
    by_measure = [MeasuredFilter.check(rule, d) for d in docs]
    assert sum(v is not None for v in by_measure) >= 3
    assert [rule.check(d) for d in docs] == by_measure


def test_cues_after_a_leading_line_break_count_as_in_the_text(corpus_dir: Path) -> None:
    """`measures` searches the text with a line break before it, so spec labels are found after a
    line break, not with `^` in multi-line mode; prices and quantities count as in the bare text
    (the word cues need the line break: `test_grouped_cues_match_as_the_flat_lists`)."""
    labels = re.compile(r"^" + _PRODUCT_CUES["spec_label"].pattern.removeprefix(r"\n"), re.M)
    shops = [record["text"] for record in dropped(corpus_dir, {"product_listing", "boilerplate"})]
    texts = [text.lower() for text in _web_texts(corpus_dir) + shops + ["Size: M\ncolour : red\n\t weight:2 kg"]]
    assert sum(len(labels.findall(text)) for text in texts) >= 5
    for text in texts:
        assert len(_PRODUCT_CUES["spec_label"].findall("\n" + text)) == len(labels.findall(text))
        assert prices("\n" + text) == prices(text)
        assert len(_PRODUCT_CUES["quantity"].findall("\n" + text)) == len(_PRODUCT_CUES["quantity"].findall(text))


def test_word_cues_are_each_patterns_own_matches(corpus_dir: Path) -> None:
    """One scan for where a shop word or a call to action may start, then each pattern tried there,
    must find the matches each pattern finds on its own: cues inside others ("cart" in "add to
    cart"), cues of both kinds at one place ("order now"), next to each other and overlapping, and
    after non-word characters beyond ASCII (whose last UTF-8 byte the scan sees as a space) or after
    word characters beyond ASCII (which it sees as spaces too, and the patterns then reject)."""
    crafted = ["add to cart", "order now, buy now order now", "free trial free shipping", "sign up now shop now"]
    crafted += ["—buy now", "\xa0order now", "é order now", "éorder now", "中order now", "x\ud800 buy now"]
    crafted += ["é—\u2019log in, 中文 shop now", "\U0001f600sign up\u3000now", "payment-refund_qty"]
    texts = [text.lower() for text in _web_texts(corpus_dir)] + [EVERY_CUE, *crafted]
    for text in texts:
        actions = [(m.start(1), m.end(1), m.group(1)) for m in _ACTION.finditer("\n" + text)]
        assert _word_cues(TextViews(text))[:2] == (len(_SHOP.findall("\n" + text)), actions)


#: Prices as one pattern, as they were before each sign had its own.
ONE_PRICE = regex.compile(
    r"[$£€¥₹]\s?+\d[\d,]*+(?:\.\d\d)?|(?<![\d,.])\b\d[\d,]*+(?:\.\d\d)?\s?+(?:usd|eur|gbp|aud|cad)\b"
)


def test_prices_count_as_one_pattern(corpus_dir: Path) -> None:
    """The price patterns, each tried where its sign is in the text or where the word-cue scan finds
    a code after a digit or a space, count what the one alternation counts, a number after a sign
    (and a space) once: on real pages, on shop pages and on random strings of signs, digits (some
    beyond ASCII), spaces (some beyond ASCII), letters and codes."""
    shops = [record["text"] for record in dropped(corpus_dir, {"product_listing", "boilerplate"})]
    texts = [text.lower() for text in _web_texts(corpus_dir) + shops]
    pieces = [*"$£€¥₹0123456789,. \n\xa0a٣５\u2009\u3000é_", "usd", "eur", "gbp", "aud", "cad", "$ 5 usd", "1,000.00"]
    rng = random.Random(0)
    texts += ["".join(rng.choices(pieces, k=rng.randint(1, 20))) for _ in range(20_000)]
    found = [len(ONE_PRICE.findall(text)) for text in texts]
    assert sum(found) > 10_000
    assert [prices(text) for text in texts] == found
