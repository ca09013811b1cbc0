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
from typing import NamedTuple

import ahocorasick
import regex

from cleaner.document import Document, Rejection
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.stages.views import TextViews, views
from cleaner.text.script import word_count

#: Units a product page gives sizes, weights and ratings in. No bare "g": "5G" and "4G" are networks.
_UNITS = (
    r"mm|cm|km|inch(?:es)?|in\.|ft|feet|yards?|lbs?|kg|grams?|oz|ounces?|ml|litres?|liters?|gal(?:lons?)?"
    r"|watts?|volts?|mah|gb|tb|ghz|lumens?|ct|carats?|karat|denier"
)
#: Cues of a product or price listing, by kind, matched in the lower-cased text: prices in
#: `_prices`, quantities and labels here, shop words in `_SHOP`. The numeric ones use `regex`
#: (possessive, 30-70 M chars/s), the word lists stdlib `re` (1.5x faster on them). Each kind is
#: its own scan: one alternation of all four ran at half the speed of the four.
#:
#: A price is a currency sign before a number, one pattern per sign (`regex` finds a literal in C
#: but tries a class at every character), or a number before a currency code. A number starts
#: after no digit, comma or point: "1,1,1,..." is one number, not one per comma.
_PRICES_AFTER_SIGN = {sign: regex.compile(rf"{regex.escape(sign)}\s?+\d[\d,]*+(?:\.\d\d)?") for sign in "$£€¥₹"}
_CURRENCY_CODES = ("usd", "eur", "gbp", "aud", "cad")
#: Not after a sign (and a space): the sign's price holds that number.
_PRICE_BEFORE_CODE = regex.compile(
    rf"(?<![\d,.])(?<![$£€¥₹]\s?)\b\d[\d,]*+(?:\.\d\d)?\s?+(?:{'|'.join(_CURRENCY_CODES)})\b"
)
_PRODUCT_CUES: dict[str, regex.Pattern[str] | re.Pattern[str]] = {
    "quantity": regex.compile(rf"\b\d++(?:[.,/]\d++)?(?:\s?+-?(?:{_UNITS})\b|\s[gk]\b|\s?+[\"”″](?=[\s,.;)]|$))"),
    # After a line break: `_with_line_break` puts one before the text, and the engine then jumps from
    # one line break to the next instead of testing `^` (re.M) at every character (5x as fast).
    "spec_label": re.compile(
        r"\n[ \t]*(?:size|colou?r|material|fabric|weight|dimensions?|capacity|condition|brand|model|sku|price"
        r"|length|width|height|depth|finish|quantity|warranty|care|fit|style|item|shipping)s?[ \t]*:"
    ),
}
#: Shop words, the fourth kind of product cue.
_SHOP_WORDS = (
    r"add(?:ed)? (?:to )?(?:your )?(?:cart|basket|bag|wish ?list)",
    r"available in (?:\w+ ){0,3}?(?:sizes|colou?rs|lengths|finishes)",
    "buy (?:now|online|it now)",
    "brand new",
    "basket",
    "check ?out",
    "customer reviews?",
    r"comes in (?:\w+ ){0,2}?(?:sizes|colou?rs)",
    "cart",
    "dispatch(?:ed)?",
    "delivery",
    "free (?:shipping|delivery|returns)",
    "in stock",
    "item (?:no|number)",
    r"lot \d+",
    "model (?:no|number)",
    "out of stock",
    "order (?:now|online|today|yours)",
    "out of 5 stars",
    "orders over",
    "part (?:no|number)",
    "place an order",
    "payments?",
    "qty",
    "refunds?",
    "returns policy",
    "sold out",
    "shopping (?:cart|basket|bag)",
    "sku",
    "shop now",
    "suppliers?",
    "shipping",
    "wholesale",
    "write a review",
    "your order",
)
#: What the verbs of a call to act take after them.
_NOW = "(?:now|today|here|online|for free)"
#: Calls to act on the page or the offer, and the page talking about the site itself: the verbs
#: that take `_NOW` before the other cues of their first letter, as in the flat list this was.
_ACTION_WORDS = (
    f"apply {_NOW}",
    f"act {_NOW}",
    f"book {_NOW}",
    f"buy {_NOW}",
    "click (?:here|on|the|below|to)",
    f"call {_NOW}",
    "contact us",
    "download (?:now|free|the latest|our)",
    "don'?t miss",
    f"enroll {_NOW}",
    "for free",
    "free trial",
    "find out more",
    "get started",
    "hurry",
    f"join {_NOW}",
    "join (?:us|our team)",
    "log ?in",
    "limited (?:time|offer|seats)",
    "learn more",
    f"order {_NOW}",
    r"only \d+ (?:\w+ )?(?:left|seats|places|spots)",
    "our (?:site|website|online store|store|shop)",
    f"play {_NOW}",
    "please (?:join|visit|call|click|register|sign|contact|send|submit|apply|subscribe|download|order|buy)",
    f"register {_NOW}",
    "read more",
    f"sign up {_NOW}",
    f"shop {_NOW}",
    "sign up",
    "subscribe",
    "submit (?:us )?(?:your|their|a) (?:resume|cv|application)",
    "send (?:us )?(?:your|their|a) (?:resume|cv|application)",
    f"try {_NOW}",
    "this (?:site|website|page)",
    "visit (?:our|us)",
)


def _by_first_letter(phrases: tuple[str, ...]) -> str:
    """One alternation of `phrases` grouped by first letter, in their order within a letter, so each
    position matches as the flat list does. `re` takes the letter out of a group's branches, and then
    tests one letter per group instead of one per phrase (1.2x as fast)."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0], []).append(phrase)
    return "|".join(f"(?:{'|'.join(group)})" for group in groups.values())


#: Every word cue (shop word or call to action) is a word or words: it starts with a letter after a
#: non-word character and ends with a word character. Its pattern matches that non-word character
#: first (`\W`, the `\b` before the letter), so the stdlib engine skips in C from one non-word
#: character to the next instead of trying every letter (1.4x as fast); the line break put before
#: the text gives a cue at its start one, and a cue never ends on the character the next one needs.
_SHOP = re.compile(rf"\W(?:{_by_first_letter(_SHOP_WORDS)})\b")
#: A call to act (lower case) as group 1 after the non-word character before it.
_ACTION = re.compile(rf"\W({_by_first_letter(_ACTION_WORDS)})\b")


def _head(phrase: str) -> str:
    """The letters, spaces and apostrophes every match of `phrase` starts with: those before its
    first other character, less the last if a quantifier follows it ("payments?" -> "payment",
    "check ?out" -> "check")."""
    rest = phrase.lstrip("abcdefghijklmnopqrstuvwxyz' ")
    head = phrase[: len(phrase) - len(rest)]
    return head[:-1] if rest[:1] in ("?", "*", "{") else head


def _cue_automaton() -> ahocorasick.Automaton:
    """Every cue's head after a space (value: the head's length) and every currency code after a
    space or a digit (value 0), as `_CUE_VIEW` has them: a non-word character's last byte is a
    space there, a digit 0."""
    automaton = ahocorasick.Automaton()
    for head in {_head(phrase) for phrase in _SHOP_WORDS + _ACTION_WORDS}:
        automaton.add_word(" " + head, len(head))
    for code in _CURRENCY_CODES:
        for before in " 0":
            automaton.add_word(before + code, 0)
    automaton.make_automaton()
    return automaton


#: Where a word cue may start, found in `_CUE_VIEW`: a space, then a cue's head; and whether a
#: price before a currency code may be in the text, whose code comes after a digit or a space.
#: Every key starts with a space or a 0, so pyahocorasick leaves its root only there, where a scan
#: of the text for the non-word characters before a cue and a test of all cues at each of them
#: (`\W(?=...)`) spent 24 ns per character (0.145 -> 0.07 s on the 1,318 pages of a 6,250-document
#: English shard), and a search for each code 3.5 ns (a code is in most pages: "decade", "fraud").
_CUES = _cue_automaton()
#: A text's UTF-8 bytes with each ASCII digit a 0 and each other byte that is not an ASCII word
#: character a space: the last byte of every non-word character is then a space, each head's
#: letters and each code's stay where they were.
_CUE_VIEW = (
    bytes(
        0x30 if chr(byte).isdigit() else byte if chr(byte).isalnum() or byte == ord("_") else 0x20
        for byte in range(128)
    )
    + b" " * 128
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
        kinds = _cue_kinds(text, views(doc).derived(_word_cues))
        if sum(kinds.values()) < self.min_cues:
            return None
        for measure in self._measures(text, kinds):
            if measure.failed:
                return Rejection(measure.reason, measure.detail())
        return None

    def measures(self, doc: Document) -> Iterator[Measure]:
        text = _with_line_break(doc)
        return self._measures(text, _cue_kinds(text, views(doc).derived(_word_cues)))

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
        cues = views(doc).derived(_word_cues).actions
        if len(cues) < self.min_sentences or len({phrase for _, _, phrase in cues}) < self.min_phrases:
            return None
        for measure in self._measures(_with_line_break(doc), cues):
            if measure.failed:
                return Rejection(measure.reason, measure.detail())
        return None

    def measures(self, doc: Document) -> Iterator[Measure]:
        return self._measures(_with_line_break(doc), views(doc).derived(_word_cues).actions)

    def _measures(self, text: str, cues: list[tuple[int, int, str]]) -> Iterator[Measure]:
        """The measure of `text` (as `_with_line_break` gives it) with its cues. The line break
        before it starts no sentence, so the sentences are the lower-cased text's."""
        # Without a cue no sentence acts and the share is 0 whatever the sentences: they are not split.
        spans = [m.span() for m in _SENTENCE.finditer(text) if word_count(m.group()) >= 3] if cues else []
        starts = [start for start, _ in spans]
        acting: dict[int, str] = {}
        for start, end, phrase in cues:
            i = bisect_right(starts, start) - 1
            if i >= 0 and end <= spans[i][1]:
                acting.setdefault(i, phrase)
        share = len(acting) / len(spans) if spans else 0.0
        phrases = list(dict.fromkeys(acting.values()))
        note = f"{len(acting)} of {len(spans)} sentences: {', '.join(phrases[:_MAX_NOTED])}" if acting else ""
        gate = len(acting) >= self.min_sentences and len(phrases) >= self.min_phrases
        yield Measure("call_to_action", "action_sentence_share", share, ">=", self.min_share, note, gate=gate)


def _with_line_break(doc: Document) -> str:
    """The lower-cased text after a line break, the non-word character a cue at its start needs
    (the word cues' patterns match the one before them). At the start of a text and after a line
    break, `\\b` and the look-behinds of the other cues see the same. Built once per text, for
    both rules and the word cues."""
    return views(doc).derived(_line_broken)


def _line_broken(view: TextViews) -> str:
    return "\n" + view.lower


def _cue_kinds(text: str, cues: _WordCues) -> dict[str, int]:
    """The number of product cues in `text` (as `_with_line_break` gives it) by kind, if any, with
    `cues` its word cues."""
    counts = {"price": _prices(text, cues.coded)}
    counts |= {kind: len(pattern.findall(text)) for kind, pattern in _PRODUCT_CUES.items()}
    counts["shop"] = cues.shop
    return {kind: n for kind, n in counts.items() if n}


def _prices(text: str, coded: bool) -> int:
    """The prices in `text`, as one pattern of both forms (sign, then code) counts them: each pattern
    only where its sign is in the text, or with `coded` (`_WordCues`) for a code (1.4-2x as fast)."""
    found = sum(len(pattern.findall(text)) for sign, pattern in _PRICES_AFTER_SIGN.items() if sign in text)
    if coded:
        found += len(_PRICE_BEFORE_CODE.findall(text))
    return found


def _leftmost(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """The matches `pattern.finditer(text)` gives, trying only `starts`: in order, positions that
    include every one where a match may start."""
    matches = []
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            matches.append(match)
            end = match.end()
    return matches


class _WordCues(NamedTuple):
    """The word cues of a page (`_word_cues`)."""

    #: Shop words.
    shop: int
    #: The calls to action: start, end and phrase in the text as `_with_line_break` gives it.
    actions: list[tuple[int, int, str]]
    #: Whether a currency code comes after a digit or a space (else no price is before a code).
    coded: bool


def _word_cues(view: TextViews) -> _WordCues:
    """The word cues of a page. One scan finds where a cue of either kind may start and each
    pattern is tried there; a view of the page's text (`views(doc).derived`), so call_to_action
    takes what product_listing found."""
    text = view.derived(_line_broken)
    starts, coded = _cue_starts(text)
    actions = [(match.start(1), match.end(1), match.group(1)) for match in _leftmost(_ACTION, text, starts)]
    return _WordCues(len(_leftmost(_SHOP, text, starts)), actions, coded)


def _cue_starts(text: str) -> tuple[list[int], bool]:
    """In order, the position of each non-word character before a cue's head in `text`: every
    position where `_SHOP` or `_ACTION` may match (and some where none does); and whether a
    currency code comes after a digit or a space in it."""
    data = text.encode("utf-8", "surrogatepass")
    heads = set()
    coded = False
    for end, length in _CUES.iter(data.translate(_CUE_VIEW).decode("latin-1")):
        if length:
            heads.add(end + 1 - length)
        else:
            coded = True
    starts = sorted(heads) if text.isascii() else _char_offsets(data, sorted(heads))
    return [start - 1 for start in starts], coded


def _char_offsets(data: bytes, offsets: list[int]) -> list[int]:
    """The character offsets of ascending byte `offsets` in the UTF-8 `data`, each at the first
    byte of a character."""
    chars = last = 0
    found = []
    for offset in offsets:
        chars += len(data[last:offset].decode("utf-8", "surrogatepass"))
        last = offset
        found.append(chars)
    return found
