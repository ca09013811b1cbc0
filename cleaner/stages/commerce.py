"""Shop pages and ad copy in English web text: product and price listings, calls to action.

C4-like text keeps many pages that read as sentences but are a shop's item page (sizes, prices,
grams, "Add to cart"), a store's payment and delivery terms, or an ad that tells the reader to
register, click or buy. The curator drops them (`product_listing`, `boilerplate`, `spam_ad`);
the page rules keep them, since every line is a sentence. Each rule counts cues of its kind and
judges their density, so one price in a news story or one "click here" under a blog post is not
enough. The cues are English; in a mixed recipe they go in the Latin-script route, where other
languages rarely match them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from cleaner.document import Document, Rejection
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.stages.views import views
from cleaner.text.script import word_count

#: Units a product page gives sizes, weights and ratings in. No bare "g": "5G" and "4G" are networks.
_UNITS = (
    r"mm|cm|km|inch(?:es)?|in\.|ft|feet|yards?|lbs?|kg|grams?|oz|ounces?|ml|litres?|liters?|gal(?:lons?)?"
    r"|watts?|volts?|mah|gb|tb|ghz|lumens?|ct|carats?|karat|denier"
)
#: Cues of a product or price listing, by kind, matched in the lower-cased text. The numeric ones
#: use `regex` (possessive, 30-70 M chars/s), the word lists stdlib `re` (1.5x faster on them).
#: Each kind is its own scan: one alternation of all four ran at half the speed of the four.
#: Every word cue (here and in `_ACTION`) is a word or words: it starts with a letter after a
#: non-word character and ends with a word character. Its pattern matches that non-word character
#: first (`\W`, the `\b` before the letter), so the stdlib engine skips in C from one non-word
#: character to the next instead of trying every letter (1.4x as fast); the line break put before
#: the text gives a cue at its start one, and a cue never ends on the character the next one needs.
_PRODUCT_CUES: dict[str, regex.Pattern[str] | re.Pattern[str]] = {
    # A number starts after no digit, comma or point: "1,1,1,..." is one number, not one per comma.
    "price": regex.compile(
        r"[$£€¥₹]\s?+\d[\d,]*+(?:\.\d\d)?|(?<![\d,.])\b\d[\d,]*+(?:\.\d\d)?\s?+(?:usd|eur|gbp|aud|cad)\b"
    ),
    "quantity": regex.compile(rf"\b\d++(?:[.,/]\d++)?(?:\s?+-?(?:{_UNITS})\b|\s[gk]\b|\s?+[\"”″](?=[\s,.;)]|$))"),
    # After a line break: `_with_line_break` puts one before the text, and the engine then jumps from
    # one line break to the next instead of testing `^` (re.M) at every character (5x as fast).
    "spec_label": re.compile(
        r"\n[ \t]*(?:size|colou?r|material|fabric|weight|dimensions?|capacity|condition|brand|model|sku|price"
        r"|length|width|height|depth|finish|quantity|warranty|care|fit|style|item|shipping)s?[ \t]*:"
    ),
    # Grouped by first letter (in their order within a letter, so each position matches as the
    # flat list did): the engine then tests one letter per branch (1.2x as fast).
    "shop": re.compile(
        r"\W(?:a(?:dd(?:ed)? (?:to )?(?:your )?(?:cart|basket|bag|wish ?list)"
        r"|vailable in (?:\w+ ){0,3}?(?:sizes|colou?rs|lengths|finishes))"
        r"|b(?:uy (?:now|online|it now)|rand new|asket)"
        r"|c(?:heck ?out|ustomer reviews?|omes in (?:\w+ ){0,2}?(?:sizes|colou?rs)|art)"
        r"|d(?:ispatch(?:ed)?|elivery)"
        r"|free (?:shipping|delivery|returns)"
        r"|i(?:n stock|tem (?:no|number))"
        r"|lot \d+"
        r"|model (?:no|number)"
        r"|o(?:ut of stock|rder (?:now|online|today|yours)|ut of 5 stars|rders over)"
        r"|p(?:art (?:no|number)|lace an order|ayments?)"
        r"|qty"
        r"|re(?:funds?|turns policy)"
        r"|s(?:old out|hopping (?:cart|basket|bag)|ku|hop now|uppliers?|hipping)"
        r"|w(?:holesale|rite a review)"
        r"|your order)\b"
    ),
}
#: A call to act on the page or the offer, or the page talking about the site itself (lower case),
#: as group 1 after the non-word character before it. Grouped by first letter as the shop cues are;
#: the verbs that take "now", "today", ... each in its letter, before the other cues of that letter,
#: as in the flat list this was.
_ACTION = re.compile(
    r"\W(a(?:(?:pply|ct) (?:now|today|here|online|for free))"
    r"|b(?:(?:ook|uy) (?:now|today|here|online|for free))"
    r"|c(?:lick (?:here|on|the|below|to)|all (?:now|today|here|online|for free)|ontact us)"
    r"|d(?:ownload (?:now|free|the latest|our)|on'?t miss)"
    r"|e(?:nroll (?:now|today|here|online|for free))"
    r"|f(?:or free|ree trial|ind out more)"
    r"|get started"
    r"|hurry"
    r"|j(?:oin (?:now|today|here|online|for free)|oin (?:us|our team))"
    r"|l(?:og ?in|imited (?:time|offer|seats)|earn more)"
    r"|o(?:rder (?:now|today|here|online|for free)|nly \d+ (?:\w+ )?(?:left|seats|places|spots)"
    r"|ur (?:site|website|online store|store|shop))"
    r"|p(?:lay (?:now|today|here|online|for free)"
    r"|lease (?:join|visit|call|click|register|sign|contact|send|submit|apply|subscribe|download|order|buy))"
    r"|re(?:gister (?:now|today|here|online|for free)|ad more)"
    r"|s(?:(?:ign up|hop) (?:now|today|here|online|for free)|ign up|ubscribe"
    r"|(?:ubmit|end) (?:us )?(?:your|their|a) (?:resume|cv|application))"
    r"|t(?:ry (?:now|today|here|online|for free)|his (?:site|website|page))"
    r"|visit (?:our|us))\b"
)
#: A sentence: text up to a sentence end or a line end.
_SENTENCE = regex.compile(r"[^.!?\n]++[.!?]*+")
_MAX_NOTED = 4


@register
@dataclass
class ProductListing(MeasuredFilter):
    """A shop's item or terms page: prices, sizes and weights, spec labels (Size:, Colour:) and shop
    words (add to cart, in stock, free delivery, checkout) at `min_density` or more per 100 words,
    with at least `min_cues` of them. News with prices and distances, deal roundups and reviews stay
    below 3.5 per 100 words on clean main text. Reason `product_listing`; the detail counts the cues
    by kind.
    """

    name = "product_listing"

    min_density: float = 6.0
    min_cues: int = 5

    def validate(self) -> None:
        if self.min_density <= 0:
            raise ValueError("min_density: must be > 0")
        if self.min_cues < 1:
            raise ValueError("min_cues: must be >= 1")

    def measure_names(self) -> tuple[str, ...]:
        return ("product_cues_per_100_words",)

    def check(self, doc: Document) -> Rejection | None:
        """As `measures` would judge, but a page with fewer cues than the gate needs passes without
        its words counted (93% of en and web pages)."""
        text = _with_line_break(doc)
        kinds = _cue_kinds(text)
        if sum(kinds.values()) < self.min_cues:
            return None
        for measure in self._measures(text, kinds):
            if measure.failed:
                return Rejection(measure.reason, measure.detail())
        return None

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = _with_line_break(doc)
        return self._measures(text, _cue_kinds(text))

    def _measures(self, text: str, kinds: dict[str, int]) -> Iterator[Measure]:
        """The measure of `text` (as `_with_line_break` gives it) with its cue counts by kind."""
        cues = sum(kinds.values())
        words = word_count(text)
        density = 100 * cues / words if words else 0.0
        note = ", ".join(f"{kind} {n}" for kind, n in kinds.items())
        gate = cues >= self.min_cues
        yield Measure("product_listing", "product_cues_per_100_words", density, ">=", self.min_density, note, gate=gate)


@register
@dataclass
class CallToAction(MeasuredFilter):
    """Ad copy and site templates: the share of sentences that tell the reader to act (register
    now, click here, sign up, buy, contact us, for free) or speak of the site itself (this page,
    our website) at `min_share` or more, with at least `min_sentences` such sentences and
    `min_phrases` different cue phrases among them. A post with one "click here" under it, or an
    article whose footer says "this site" twice, stays below. Reason `call_to_action`.
    """

    name = "call_to_action"

    min_share: float = 0.15
    min_sentences: int = 2
    min_phrases: int = 2

    def validate(self) -> None:
        if not 0 < self.min_share <= 1:
            raise ValueError("min_share: must be in (0, 1]")
        for key in ("min_sentences", "min_phrases"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key}: must be >= 1")

    def measure_names(self) -> tuple[str, ...]:
        return ("action_sentence_share",)

    def check(self, doc: Document) -> Rejection | None:
        """As `measures` would judge, but a page with fewer cues or different cue phrases than the
        gate needs passes without its sentences split (97% of en and web pages)."""
        text = _with_line_break(doc)
        cues = list(_ACTION.finditer(text))
        if len(cues) < self.min_sentences or len({cue.group(1) for cue in cues}) < self.min_phrases:
            return None
        for measure in self._measures(text, cues):
            if measure.failed:
                return Rejection(measure.reason, measure.detail())
        return None

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = _with_line_break(doc)
        return self._measures(text, list(_ACTION.finditer(text)))

    def _measures(self, text: str, cues: list[re.Match[str]]) -> Iterator[Measure]:
        """The measure of `text` (as `_with_line_break` gives it) with its cues. The line break
        before it starts no sentence, so the sentences are the lower-cased text's."""
        # Without a cue no sentence acts and the share is 0 whatever the sentences: they are not split.
        spans = [m.span() for m in _SENTENCE.finditer(text) if word_count(m.group()) >= 3] if cues else []
        starts = [start for start, _ in spans]
        acting: dict[int, str] = {}
        for match in cues:
            i = bisect_right(starts, match.start(1)) - 1
            if i >= 0 and match.end(1) <= spans[i][1]:
                acting.setdefault(i, match.group(1))
        share = len(acting) / len(spans) if spans else 0.0
        phrases = list(dict.fromkeys(acting.values()))
        note = f"{len(acting)} of {len(spans)} sentences: {', '.join(phrases[:_MAX_NOTED])}" if acting else ""
        gate = len(acting) >= self.min_sentences and len(phrases) >= self.min_phrases
        yield Measure("call_to_action", "action_sentence_share", share, ">=", self.min_share, note, gate=gate)


def _with_line_break(doc: Document) -> str:
    """The lower-cased text after a line break, the non-word character a cue at its start needs
    (the word cues' patterns match the one before them). At the start of a text and after a line
    break, `\\b` and the look-behinds of the other cues see the same."""
    return "\n" + views(doc).lower


def _cue_kinds(text: str) -> dict[str, int]:
    """The number of product cues in `text` (as `_with_line_break` gives it) by kind, if any."""
    return {kind: n for kind, pattern in _PRODUCT_CUES.items() if (n := len(pattern.findall(text)))}
