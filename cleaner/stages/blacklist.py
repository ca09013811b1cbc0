"""Category blacklists: reject documents dense in porn, gambling, drug, violence, scam or profanity terms.

A category rejects a document when it has at least `min_distinct` distinct terms, or at least
`per_1000` hits per 1,000 characters (counted only from `rate_min_hits` hits, so one mention in a
short text is not enough). The old cleaner rejected on any single hit, including single
characters (共, 党, 性, 码) and 三级 inside 三级医院; here single characters are never terms, and
allow-list words mask the terms they contain. Matching is described in `cleaner.text.term_match`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaner.document import Document, Rejection
from cleaner.resources import resolve_resource
from cleaner.stages.base import RejectingAnnotator
from cleaner.stages.registry import register
from cleaner.stages.views import views
from cleaner.text.term_match import TermMatcher
from cleaner.text.word_lists import read_domains, read_terms, shipped_files

SHIPPED_CATEGORIES = ["porn", "gambling", "drugs", "violence", "fraud_ads", "profanity"]
#: Categories of the old cleaner's `keyword=>category` lists, translated to ours.
OLD_CATEGORIES = {
    "sex": "porn",
    "gumble": "gambling",
    "gamble": "gambling",
    "ads": "fraud_ads",
    "dirty": "profanity",
    "politician": "politics",
}
#: Per-category defaults; categories not named here use DEFAULT_DISTINCT / DEFAULT_PER_1000.
#: Drugs, violence and profanity need three distinct terms: news and court text name drugs and
#: weapons, and reviews swear, without being content to drop.
MIN_DISTINCT = {"drugs": 3, "violence": 3, "profanity": 3}
DEFAULT_DISTINCT = 2
DEFAULT_PER_1000 = 5.0
MAX_DETAIL_TERMS = 10


@register
@dataclass
class Blacklist(RejectingAnnotator):
    """Column `blacklist_hits` ("porn:term,term;gambling:term", null without hits); reason `blacklist:<category>`."""

    name = "blacklist"
    columns = {"blacklist_hits": "string"}

    lists_dir: str = "blacklists"
    #: Shipped categories to load from `lists_dir/<category>/*.txt` (and `*.domains`).
    categories: list[str] = field(default_factory=lambda: list(SHIPPED_CATEGORIES))
    #: User term lists: file -> category of its plain lines (`term=>category` lines carry their own).
    user_lists: dict[str, str] = field(default_factory=dict)
    #: User domain lists: file -> category; applied to the input field `url_field` when present.
    domain_lists: dict[str, str] = field(default_factory=dict)
    allow_lists: list[str] = field(default_factory=lambda: ["blacklists/allow.txt"])
    category_map: dict[str, str] = field(default_factory=lambda: dict(OLD_CATEGORIES))
    #: Categories dropped whatever list they come from (politics is off unless a recipe clears this).
    disabled: list[str] = field(default_factory=lambda: ["politics"])
    #: Per-category overrides of the thresholds.
    min_distinct: dict[str, int] = field(default_factory=dict)
    per_1000: dict[str, float] = field(default_factory=dict)
    rate_min_hits: int = 2
    url_field: str = "url"

    def resolve(self, recipe_dir: Path) -> None:
        for name, limits in (("min_distinct", self.min_distinct), ("per_1000", self.per_1000)):
            for category, value in limits.items():
                if value <= 0:
                    raise ValueError(f"{name}.{category}: must be > 0, got {value}")
        if self.rate_min_hits < 1:
            raise ValueError("rate_min_hits: must be >= 1")
        try:
            self.lists_dir = str(resolve_resource(self.lists_dir, recipe_dir, folder=True))
        except ValueError as err:
            raise ValueError(f"lists_dir: {err}") from None
        for category in self.categories:
            if category not in self.disabled and not shipped_files(Path(self.lists_dir), category, ".txt"):
                raise ValueError(f"categories: no term list {self.lists_dir}/{category}/*.txt")
        self.user_lists = self._pin(self.user_lists, recipe_dir, "user_lists")
        self.domain_lists = self._pin(self.domain_lists, recipe_dir, "domain_lists")
        self.allow_lists = list(self._pin(dict.fromkeys(self.allow_lists, ""), recipe_dir, "allow_lists"))
        for path in self.user_lists:
            try:
                read_terms(Path(path), "", self.category_map)
            except UnicodeDecodeError:
                raise ValueError(f"user_lists: {path} is not UTF-8 text") from None

    @staticmethod
    def _pin(files: dict[str, str], recipe_dir: Path, key: str) -> dict[str, str]:
        pinned = {}
        for name, category in files.items():
            try:
                pinned[str(resolve_resource(name, recipe_dir))] = category
            except ValueError as err:
                raise ValueError(f"{key}: {err}") from None
        return pinned

    def _sources(self, suffix: str, user: dict[str, str]) -> list[tuple[Path, str]]:
        lists_dir = Path(self.lists_dir)
        shipped = [(p, c) for c in self.categories for p in shipped_files(lists_dir, c, suffix)]
        return shipped + [(Path(p), c) for p, c in user.items()]

    def setup(self) -> None:
        terms: dict[str, tuple[str, ...]] = {}
        for path, category in self._sources(".txt", self.user_lists):
            for term, cat in read_terms(path, category, self.category_map):
                if cat not in self.disabled and cat not in terms.get(term, ()):
                    terms[term] = (*terms.get(term, ()), cat)
        allow = [word for path in self.allow_lists for word in read_terms(Path(path), "allow", {})]
        self._matcher = TermMatcher(terms, [word for word, _ in allow])
        self._domains = {
            domain: category
            for path, category in self._sources(".domains", self.domain_lists)
            if category not in self.disabled
            for domain in read_domains(path)
        }
        self._order = list(dict.fromkeys(cat for cats in terms.values() for cat in cats))
        self._hits: Counter[str] = Counter()
        self._docs: Counter[str] = Counter()
        self._terms: Counter[str] = Counter()

    def _url_category(self, url: Any) -> tuple[str, str] | None:
        if not isinstance(url, str) or not url:
            return None
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").removeprefix("www.")
        labels = host.split(".")
        for i in range(len(labels) - 1):
            domain = ".".join(labels[i:])
            if domain in self._domains:
                return self._domains[domain], domain
        return None

    def judge(self, doc: Document) -> Rejection | None:
        by_url = self._url_category(doc.meta.get(self.url_field)) if self._domains else None
        if by_url:
            category, domain = by_url
            self._docs[category] += 1
            doc.annotations["blacklist_hits"] = f"{category}:url:{domain}"
            return Rejection(f"blacklist:{category}", f"url:{domain}")
        # The lower case the earlier rules share (the commerce rules make it for every English page),
        # asked for only by a text that folds to itself (see `fold`), ASCII or not.
        hits, length = self._matcher.find(doc.text, lambda: views(doc).lower)
        if not hits:
            doc.annotations["blacklist_hits"] = None
            return None
        found: dict[str, Counter[str]] = {}
        for term, categories in hits:
            for category in categories:
                found.setdefault(category, Counter())[term] += 1
        self._terms.update(term for term, _ in hits)
        for category, counts in found.items():
            self._hits[category] += counts.total()
            self._docs[category] += 1
        ordered = [cat for cat in self._order if cat in found]
        terms = {cat: ",".join(t for t, _ in found[cat].most_common(MAX_DETAIL_TERMS)) for cat in ordered}
        doc.annotations["blacklist_hits"] = ";".join(f"{cat}:{terms[cat]}" for cat in ordered)
        for category in ordered:
            if self._rejects(category, found[category], length):
                return Rejection(f"blacklist:{category}", terms[category])
        return None

    def _rejects(self, category: str, counts: Counter[str], length: int) -> bool:
        """Distinct terms >= D, or enough hits at >= R per 1,000 characters."""
        distinct = self.min_distinct.get(category, MIN_DISTINCT.get(category, DEFAULT_DISTINCT))
        rate = self.per_1000.get(category, DEFAULT_PER_1000)
        hits = counts.total()
        return len(counts) >= distinct or (hits >= self.rate_min_hits and hits * 1000 >= rate * max(1, length))

    def counters(self) -> dict[str, Any]:
        """Hits and documents with hits per category, and hits per term, since the last call.

        All hit terms are returned (not a top N) so per-shard counts add up exactly over a run.
        """
        result = {
            "hits": dict(self._hits.most_common()),
            "docs_with_hits": dict(self._docs.most_common()),
            "terms": dict(self._terms.most_common()),
        }
        self._hits.clear()
        self._docs.clear()
        self._terms.clear()
        return result
