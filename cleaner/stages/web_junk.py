"""Junk that raw web pages carry and the page-level rules miss: SEO injection and bulk-mail ads.

Each rule is a `MeasuredFilter`; its detail names what it found. They run before the boilerplate
normalisers, which remove the keyword and title lines the SEO rule reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import regex

from cleaner.document import Document
from cleaner.resources import pin_resource, resolve_resource
from cleaner.stages.measure import Measure, MeasuredFilter
from cleaner.stages.registry import register
from cleaner.text.term_match import TermMatcher
from cleaner.text.word_lists import read_terms

#: A betting-site name as SEO spam writes it: a brand, a gambling word, a way in
#: (欧宝体育app, 乐虎国际登录器, 海德体育官网). Bounded repeats: linear in the text.
_SITE_CORE = (
    r"(?:体育|国际|棋牌|真人|电竞|彩票|娱乐城|现金网)"
    r"(?:官网|官方网站|app|APP|App|登录器?|登陆|下载|网址|入口|网页版|手机版|中文版)"
)
_BRAND_NAME = regex.compile(rf"(?:\p{{Han}}{{2,4}}|[A-Za-z0-9]{{2,10}}){_SITE_CORE}")
#: Cheaper checks first: a gambling word (one stdlib search), then the literal part of a name (20x
#: faster than the full name, which few texts then need).
_SITE_WORDS = ("体育", "国际", "棋牌", "真人", "电竞", "彩票", "娱乐城", "现金网")
_SITE_WORD = re.compile("|".join(_SITE_WORDS))
_SITE_CORE_ONLY = regex.compile(_SITE_CORE)
#: A keyword or tag line, the place SEO templates list the brand they inject (本文关键词：…,华体会官网,…).
#: stdlib `re`: its multiline `^` is several times faster here than `regex`'s; no backtracking (the
#: label after the indent is a literal).
_KEYWORD_LINE = re.compile(r"^[ \t\u3000]*(?:本文)?(?:关键词|关键字|标签|[Tt]ags?)[ \t]*[:：]([^\n]+)", re.M)
_KEYWORD_LABELS = ("关键词", "关键字", "标签", "Tag", "tags", "tag:", "tag：")
#: A label of `_KEYWORD_LABELS` in one stdlib search (twice as fast as a str scan for each on
#: Chinese text); an ASCII text can only hold the ASCII ones, which str scans find fastest.
_KEYWORD_LABEL = re.compile("|".join(_KEYWORD_LABELS))
_ASCII_KEYWORD_LABELS = tuple(label for label in _KEYWORD_LABELS if label.isascii())
_KEYWORD_SEPARATORS = regex.compile(r"[,，、;；|\s]++")
_MAX_NOTED = 3


class _AnyTerm:
    """Whether any of some terms occurs in a text, 3-5x faster than an automaton's scan finds none.

    Terms with a non-ASCII character are one stdlib alternation that starts each at that character
    (a lookbehind checks an ASCII head such as the ag of ag真人), so the search stops only at the
    rarer non-ASCII characters, not at every letter of English text; ASCII terms are str scans.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        ordered = sorted(terms)
        self._ascii = tuple(term for term in ordered if term.isascii())
        keyed = [_keyed_on_non_ascii(term) for term in ordered if not term.isascii()]
        self._non_ascii = re.compile("|".join(keyed)) if keyed else None

    def occurs_in(self, text: str) -> bool:
        for term in self._ascii:
            if term in text:
                return True
        return self._non_ascii is not None and not text.isascii() and self._non_ascii.search(text) is not None


def _keyed_on_non_ascii(term: str) -> str:
    """A pattern for `term` that starts at its first non-ASCII character."""
    head = next(i for i, char in enumerate(term) if not char.isascii())
    return re.escape(term[head:]) + (f"(?<={re.escape(term)})" if head else "")


@register
@dataclass
class SeoInjection(MeasuredFilter):
    """Gambling brands injected into a page: in its title, in a keyword line, or as betting-site names.

    Hijacked pages keep an ordinary article and put the brand where search engines look: the
    title (`..._华体会`), the keyword line, and names such as `欧宝体育app` in the text, or writes the
    brand over a word of the article (吕氏贵宾会 for the school's name, five times). One listed term
    or site name in the title or a keyword line rejects; in the text, `min_site_names` distinct
    site names (one is a mention, such as 中国体育彩票官网) or `min_brand_mentions` brand hits do.
    Other gambling terms in the text are the `blacklist` stage's job. Reason `seo_injection`.
    """

    name = "seo_injection"

    #: Gambling vocabulary, evidence in a title or keyword line.
    term_lists: list[str] = field(default_factory=lambda: ["blacklists/gambling/terms.txt"])
    #: Brand names, evidence there and, repeated, in the text.
    brand_lists: list[str] = field(default_factory=lambda: ["blacklists/gambling/brands.txt"])
    allow_lists: list[str] = field(default_factory=lambda: ["blacklists/allow.txt"])
    #: The input field with the page title; pages without it are judged on their text.
    title_field: str = "title"
    min_site_names: int = 2
    #: A brand the template wrote over a word of the article comes back with every occurrence.
    min_brand_mentions: int = 3

    def resolve(self, recipe_dir: Path) -> None:
        for key in ("min_site_names", "min_brand_mentions"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key}: must be >= 1")
        for key in ("term_lists", "brand_lists", "allow_lists"):
            try:
                setattr(self, key, [pin_resource(name, recipe_dir) for name in getattr(self, key)])
            except ValueError as err:
                raise ValueError(f"{key}: {err}") from None

    def setup(self) -> None:
        terms = {term: ("term",) for name in self.term_lists for term, _ in _read(name, "term")}
        terms.update((term, ("brand",)) for name in self.brand_lists for term, _ in _read(name, "brand"))
        allow = [word for name in self.allow_lists for word, _ in _read(name, "allow")]
        self._matcher = TermMatcher(terms, allow)
        self._brands = ahocorasick.Automaton()
        for term, categories in terms.items():
            if "brand" in categories:
                self._brands.add_word(term, term)
        self._brands.make_automaton()
        self._any_brand = _AnyTerm(self._brands.keys())

    def _found(self, text: str) -> list[str]:
        """Listed terms and betting-site names in `text`, each once, in order."""
        hits = [term for term, _ in self._matcher.find(text)[0]]
        return list(dict.fromkeys([*hits, *_site_names(text)]))

    def _brand_mentions(self, text: str) -> list[str]:
        """Brand hits in the text; the folding matcher runs only when a plain scan finds enough."""
        lowered = text.lower()
        if (
            not self._any_brand.occurs_in(lowered)
            or sum(1 for _ in self._brands.iter(lowered)) < self.min_brand_mentions
        ):
            return []
        return [term for term, categories in self._matcher.find(text)[0] if "brand" in categories]

    def measure_names(self) -> tuple[str, ...]:
        return ("title_terms", "keyword_line_terms", "site_names", "brand_mentions")

    def measures(self, doc: Document) -> Iterator[Measure]:
        title = doc.meta.get(self.title_field)
        in_title = self._found(title) if isinstance(title, str) and title else []
        yield Measure("seo_injection", "title_terms", len(in_title), ">=", 1, _noted(in_title))
        # Keywords are listed one per comma (海,德,体育,官网): read them joined, as the template meant.
        found = _KEYWORD_LINE.findall(doc.text) if _has_keyword_label(doc.text) else []
        lines = "".join(_KEYWORD_SEPARATORS.sub("", line) for line in found)
        in_keywords = self._found(lines) if lines else []
        yield Measure("seo_injection", "keyword_line_terms", len(in_keywords), ">=", 1, _noted(in_keywords))
        names = list(dict.fromkeys(_site_names(doc.text)))
        yield Measure("seo_injection", "site_names", len(names), ">=", self.min_site_names, _noted(names))
        brands = self._brand_mentions(doc.text)
        note = _noted(list(dict.fromkeys(brands)))
        yield Measure("seo_injection", "brand_mentions", len(brands), ">=", self.min_brand_mentions, note)


#: What only unsolicited commercial mail and ad pages say, by kind. Gaps are bounded: linear.
_AD_CUES = {
    "apology": r"(?:如有|若有|如果)打扰|打扰之处|(?:一封|此|本)(?:善意的?)?(?:商务|商业|广告)(?:邮件|信)"
    r"|广告信|商务邮件",
    "opt_out": r"(?:点击|点这里|请点此)\S{0,2}退订|退订本?(?:邮件|信息)"
    r"|不(?:希望|想|愿意?)再?收到(?:本|此|我们的)?(?:邮件|信息|信)|请随手删[除掉]|请勿回复|请不要回复",
    "invoice": r"发票[^\n]{0,40}?代开|代开[^\n]{0,10}?发票|代办发票|(?:税点|点数)[^。！？\n]{0,12}(?:优惠|从优)"
    r"|余额票|票[^。！？\n]{0,8}(?:向外|对外)开|代理开具",
    "link_exchange": r"(?:加入|欢迎|申请|交换|互换|做个?)[^。！？\n]{0,10}?友情链接"
    r"|友情链接[^。！？\n]{0,6}?(?:交换|互换|合作)|做个?(?:链接|连接)|文字(?:链接|连接)"
    r"|(?:E-?mail|邮件|邮箱)地址库|群发(?:器|软件)",
    "closing": r"顺祝商祺|祝商祺|此致商祺|此信息长期有效",
}
_AD_CUE = regex.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _AD_CUES.items()))
#: Every branch of every cue holds one of these as written (test_web_junk checks each branch): one
#: stdlib search for them finds none in 92% of Chinese texts, 6x faster than the cues finding none.
_AD_ANCHORS = [
    *"打扰 商务 商业 广告".split(),  # apology
    *"退订 收到 随手删 回复".split(),  # opt_out
    *"票 税点 点数 代理开具".split(),  # invoice
    *"链接 连接 地址库 群发".split(),  # link_exchange
    *"商祺 长期有效".split(),  # closing
]
_AD_ANCHOR = re.compile("|".join(_AD_ANCHORS))
#: A way to answer the ad: a contact line, a number or an address to visit.
_AD_CONTACT = regex.compile(
    r"联系人|联系电话|联系方式|手机|电话|传真|QQ|qq|MSN|E-?mail|邮箱|网址|来电|垂询|请(?:点击|登陆|登录|访问)"
    r"|https?://|www\.|\d{7,}"
)


@register
@dataclass
class SpamAd(MeasuredFilter):
    """Unsolicited commercial mail and ad copy: invoice offers (代开发票), bulk-mail apologies and
    opt-outs, link-exchange requests and business closings, next to a way to reach the sender.

    Each cue is something ordinary articles and posts do not say; a company page says 欢迎来电咨询
    but neither apologises for writing nor offers invoices. `min_kinds` kinds of cue reject when
    the text also gives a contact (name, number, address); Reason `spam_ad`.
    """

    name = "spam_ad"

    min_kinds: int = 1

    def validate(self) -> None:
        if self.min_kinds < 1:
            raise ValueError("min_kinds: must be >= 1")

    def measure_names(self) -> tuple[str, ...]:
        return ("ad_cue_kinds",)

    def measures(self, doc: Document) -> Iterator[Measure]:
        found: dict[str, str] = {}
        # Every anchor is Chinese: an ASCII text (flagged by CPython, no scan) holds none.
        if not doc.text.isascii() and _AD_ANCHOR.search(doc.text):
            for match in _AD_CUE.finditer(doc.text):
                found.setdefault(match.lastgroup or "", match.group())
        contact = _AD_CONTACT.search(doc.text) if found else None
        note = ", ".join(f"{kind}: {cue}" for kind, cue in found.items())
        note = f"{note}; contact: {contact.group()}" if contact else f"{note}; no contact" if found else ""
        yield Measure("spam_ad", "ad_cue_kinds", len(found), ">=", self.min_kinds, note, gate=contact is not None)


def _has_keyword_label(text: str) -> bool:
    if text.isascii():
        return any(label in text for label in _ASCII_KEYWORD_LABELS)
    return _KEYWORD_LABEL.search(text) is not None


def _site_names(text: str) -> list[str]:
    # Every site word is Chinese: an ASCII text (flagged by CPython, no scan) holds none.
    if text.isascii() or not _SITE_WORD.search(text) or not _SITE_CORE_ONLY.search(text):
        return []
    return _BRAND_NAME.findall(text)


def _read(name: str, category: str) -> list[tuple[str, str]]:
    return read_terms(resolve_resource(name), category, {})


def _noted(found: list[str]) -> str:
    return ", ".join(found[:_MAX_NOTED]) if found else ""
