"""Build the default quality model cleaner/data/quality_default.ftz from ../shared/corpus.

The model should judge whether a text is fluent prose worth training on, not which corpus it
came from: the previous model (positives = wiki/news/judgments, negatives = SMS, reviews, app
blurbs) scored every court judgment 1.0 and every app description 0.02. So every source that
gives positives also gives negatives, made from its own documents, and page navigation sits on
both sides:

- Positives: the fluent documents of each clean source (all real text, see
  ../shared/corpus/README.md for origins and licences): Chinese Wikipedia (zh_wiki_cmrc2018,
  zh_hant_wiki_drcd), news (zh_news_peoples_daily_1998, zh_news_sogoucs), court judgments, app
  descriptions and reviews of at least MIN_FLUENT_HAN Han characters with sentence punctuation,
  English and multilingual article bodies (en/multi *_maintext), Usenet posts, Common Crawl
  samples; every PAGE_EVERY-th one wrapped in navigation and footer lines (real ones of another
  page for Latin script, menus of real category labels and boilerplate phrases for Chinese); and
  the whole real pages (en/multi *_fulltext) of the article bodies used.
- Negatives, real: SMS spam (en_sms_spam), and the boilerplate of real web pages: the lines of
  en/multi *_fulltext that are not in the page's main text (navigation, cookie banners, footers).
- Negatives, made from other documents of the positive sources (seeded), a third of them also
  wrapped in navigation: keyword lists (n-grams joined by separators), SEO/gambling injection
  (listed terms spliced into the text), one phrase repeated, a single sentence (too short), title
  lists (first lines of other documents), navigation alone; for Chinese also word salad (units
  shuffled), spun text (a quarter of the units replaced at random) and mojibake (UTF-8 read as
  Latin-1 or GBK; GBK that lost bytes, which garbles the spans between them as in SogouCA).

Nothing from ../shared/corpus/web is used: its labels are the evaluation set
(bench/quality_eval.py). The corpus text is written to a temporary folder, never into the
project. Training is deterministic: fixed seeds, one fastText thread. `cleaner train-quality`
holds out 10% of the documents by a hash of their text. Run from the project root:

    .venv/bin/python scripts/build_quality_model.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import regex

from cleaner.cli import train_quality

PROJECT = Path(__file__).resolve().parents[1]
OUT = PROJECT / "cleaner" / "data" / "quality_default.ftz"
SEED = 20261201
#: App descriptions and reviews count as fluent from this many Han characters with sentence marks.
MIN_FLUENT_HAN = 80
#: train-quality's held-out share; held-out positives are never wrapped in a page, so the tests can
#: score them as texts the model never saw in any form.
HOLDOUT = 0.1
TRAIN_ARGS = ["--holdout", str(HOLDOUT), "--epoch", "10", "--lr", "0.5", "--dim", "64", "--threads", "1", "--seed", "0"]

#: (file, documents used as positives, documents used to make negatives), after the fluency check.
SOURCES = [
    ("zh/zh_wiki_cmrc2018.jsonl", 300, 245),
    ("zh/zh_hant_wiki_drcd.jsonl", 500, 491),
    ("zh/zh_news_peoples_daily_1998.jsonl", 700, 732),
    ("zh/zh_news_sogoucs.jsonl", 40, 38),
    ("zh/zh_court_judgments.jsonl", 1200, 1200),
    ("zh/zh_app_descriptions_iflytek.jsonl", 1200, 1200),
    ("zh/zh_reviews_hotel_chnsenticorp.jsonl", 700, 700),
    ("zh/zh_reviews_online_shopping.jsonl", 900, 900),
    ("en/en_web_pages_maintext.jsonl", 150, 133),
    ("multi/multi_web_pages_maintext.jsonl", 250, 197),
    ("en/en_usenet_20newsgroups.jsonl", 300, 284),
    ("en/en_commoncrawl_samples.jsonl", 25, 25),
]
FULLTEXT = [
    ("en/en_web_pages_fulltext.jsonl", "en/en_web_pages_maintext.jsonl"),
    ("multi/multi_web_pages_fulltext.jsonl", "multi/multi_web_pages_maintext.jsonl"),
]
INJECTED_TERMS = ["gambling", "fraud_ads", "porn"]
BOILERPLATE_LISTS = ["news", "wechat"]
#: Every PAGE_EVERY-th positive is wrapped in navigation and footer lines, as raw pages come.
PAGE_EVERY = 3
#: Real pages whose article body has this many characters are positives as a whole.
MIN_ARTICLE = 400
#: Pages of navigation and footer only, from the real pages, among the negatives.
CHROME_NEGATIVES = 200

_HAN = regex.compile(r"\p{Han}")
_ZH_MARK = regex.compile(r"[，。！？；：、]")
_SENTENCE = regex.compile(r"(?<=[。！？!?.])\s*|\n+")
_SPACE = regex.compile(r"\s+")
_UNIT = regex.compile(r"\p{Han}|[^\s\p{Han}]+")
_LINE_KEY = regex.compile(r"[\s\p{P}\p{S}]+")


def records(corpus: Path, relative: str) -> Iterator[dict]:
    with open(corpus / relative, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def fluent(text: str, relative: str) -> bool:
    """Short or unpunctuated app blurbs and reviews are not reference text; other sources all are."""
    if "app_descriptions" not in relative and "reviews" not in relative:
        return len(text.strip()) >= 50
    han = len(_HAN.findall(text))
    return han >= MIN_FLUENT_HAN and len(_ZH_MARK.findall(text)) * 25 >= han


def split_sources(corpus: Path) -> tuple[list[str], list[str]]:
    """Per source, seeded: fluent documents for the positives and other ones to corrupt."""
    good, pool = [], []
    for relative, n_good, n_pool in SOURCES:
        texts = [r["text"] for r in records(corpus, relative) if fluent(r["text"], relative)]
        random.Random(f"{SEED}:{relative}").shuffle(texts)
        good += texts[:n_good]
        pool += texts[n_good : n_good + n_pool]
    return good, pool


def is_chinese(text: str) -> bool:
    """Han characters are at least 30% of the non-space characters of the first 1,000."""
    head = text[:1000]
    return len(_HAN.findall(head)) >= 0.3 * len(_SPACE.sub("", head))


def units(text: str) -> list[str]:
    """Han characters and runs of other non-space characters: words for space-separated text."""
    return _UNIT.findall(text)


def join_units(parts: list[str]) -> str:
    return "".join(p if _HAN.fullmatch(p) else f" {p} " for p in parts).strip()


def word_salad(text: str, rng: random.Random) -> str:
    """Chunks of 1-4 units in random order: the vocabulary of the source without its syntax."""
    parts, chunks, i = units(text), [], 0
    while i < len(parts):
        step = rng.randint(1, 4)
        chunks.append(parts[i : i + step])
        i += step
    rng.shuffle(chunks)
    return join_units([u for chunk in chunks for u in chunk])


def keyword_list(text: str, rng: random.Random) -> str:
    """Phrases of the text as an SEO keyword line or tag list."""
    parts = units(text)
    phrases = []
    for _ in range(rng.randint(8, 40)):
        start = rng.randrange(max(1, len(parts) - 4))
        phrases.append(join_units(parts[start : start + rng.randint(2, 4)]))
    sep = rng.choice([",", "、", " ", "|", "_", "，", "\n", " - "])
    head = rng.choice(["", "本文关键词：", "标签：", "Tags: ", "热门搜索：", "Keywords: "])
    return head + sep.join(phrases)


def spun(text: str, rng: random.Random, vocab: list[str]) -> str:
    """A quarter of the units replaced at random, as synonym spinners and bad MT leave text."""
    return join_units([rng.choice(vocab) if rng.random() < 0.25 else u for u in units(text)])


def inject(text: str, rng: random.Random, terms: list[str]) -> str:
    """Gambling/ad terms spliced into the text and a keyword title on top, as SEO hijacks do."""
    parts = units(text)
    for _ in range(rng.randint(3, 10)):
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(terms))
    title = "_".join(rng.sample(terms, 3))
    return title + "\n" + join_units(parts)


def mojibake(text: str, rng: random.Random) -> str:
    """Whole text in the wrong codec, or GBK that lost bytes: each `?` shifts the decoding of the
    two-byte characters after it until a second lost byte realigns it (`?１颈ㄍㄑ对薄≌叛?` in
    SogouCA), about one such span per 100 characters."""
    kind = rng.randrange(3)
    if kind == 0:
        return text.encode("utf-8").decode("latin-1")
    if kind == 1:
        return text.encode("utf-8").decode("gbk", errors="replace")
    text = text.encode("gbk", errors="ignore").decode("gbk")
    han = [m.start() for m in _HAN.finditer(text)]
    data = bytearray(text.encode("gbk"))
    for i in sorted(rng.sample(han, min(len(han), 1 + len(text) // rng.randint(60, 200)))):
        start = len(text[:i].encode("gbk"))
        end = min(len(text) - 1, i + rng.randint(3, 15))
        data[start] = ord("?")
        if _HAN.match(text, end):
            data[len(text[:end].encode("gbk")) + 1] = ord("?")
    return data.decode("gb18030", errors="replace")


def repeated(text: str, rng: random.Random) -> str:
    """One short phrase of the text repeated, as in spam reviews and filler pages."""
    parts = units(text)
    start = rng.randrange(max(1, len(parts) - 6))
    phrase = join_units(parts[start : start + rng.randint(2, 6)])
    return rng.choice(["", " ", "，", "！", "。"]).join([phrase] * rng.randint(8, 30))


def fragment(text: str, rng: random.Random) -> str:
    """One sentence or line of the text: too short to be a document worth training on."""
    pieces = [p for p in _SENTENCE.split(text) if p.strip()]
    return rng.choice(pieces)[:200] if pieces else text[:60]


def title_list(pool: list[str], rng: random.Random) -> str:
    """First lines of other documents, one per line: a teaser, link or title list."""
    titles = [t.strip().split("\n", 1)[0][:60] for t in rng.sample(pool, rng.randint(8, 30))]
    bullet = rng.choice(["", "- ", "> ", "| "])
    return "\n".join(bullet + t for t in titles)


def boilerplate_page(phrases: list[str], rng: random.Random) -> str:
    """Menu, share-bar and footer phrases, several per line, as on a page with no article."""
    lines = []
    for _ in range(rng.randint(5, 25)):
        lines.append(rng.choice([" ", " | ", " / ", "  "]).join(rng.sample(phrases, rng.randint(1, 5))))
    return "\n".join(lines)


def line_key(line: str) -> str:
    """A line without spaces, punctuation and symbols, lower-cased: how full and main text lines are matched."""
    return _LINE_KEY.sub("", line).lower()


def page_boilerplate(corpus: Path) -> list[str]:
    """Per real web page, the lines of its full text that its main text does not contain."""
    pages = []
    for full_file, main_file in FULLTEXT:
        main = {r["id"]: {line_key(x) for x in r["text"].splitlines()} for r in records(corpus, main_file)}
        for r in records(corpus, full_file):
            kept = main.get(r["id"], set())
            lines = [x for x in r["text"].splitlines() if line_key(x) and line_key(x) not in kept]
            if sum(map(len, lines)) >= 100:
                pages.append("\n".join(lines))
    return pages


def full_pages(corpus: Path, good: set[str]) -> list[str]:
    """The whole pages (navigation included) of the article bodies among the positives."""
    pages = []
    for full_file, main_file in FULLTEXT:
        chosen = {r["id"] for r in records(corpus, main_file) if r["text"] in good and len(r["text"]) >= MIN_ARTICLE}
        pages += [r["text"] for r in records(corpus, full_file) if r["id"] in chosen]
    return pages


def list_terms(relatives: list[str]) -> list[str]:
    """The entries of the project's term lists under cleaner/blacklists/."""
    terms = []
    for relative in relatives:
        for line in (PROJECT / "cleaner" / "blacklists" / relative).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                terms.append(line.strip())
    return terms


def menu_terms(corpus: Path) -> list[str]:
    """Short real Chinese labels (app categories, product categories) and the boilerplate phrases."""
    terms = {r["label"] for r in records(corpus, "zh/zh_app_descriptions_iflytek.jsonl") if r.get("label")}
    terms |= {r["category"] for r in records(corpus, "zh/zh_reviews_online_shopping.jsonl")}
    return sorted(terms) + list_terms([f"boilerplate/{name}.txt" for name in BOILERPLATE_LISTS])


def in_page(text: str, chrome: str, rng: random.Random) -> str:
    """An article inside a page's navigation and footer: still a page the curators keep."""
    lines = chrome.splitlines()
    cut = rng.randint(0, len(lines))
    return "\n".join(lines[:cut] + [text] + lines[cut:])


def corrupted(pool: list[str], chrome: Callable[[], str], rng: random.Random) -> list[str]:
    """Every document of a one-script pool through one seeded corruption, in turn."""
    vocab = [u for t in pool for u in units(t)]
    terms = list_terms([f"{name}/terms.txt" for name in INJECTED_TERMS])
    makers: list[Callable[[str], str]] = [
        lambda t: word_salad(t, rng),
        lambda t: keyword_list(t, rng),
        lambda t: spun(t, rng, vocab),
        lambda t: inject(t, rng, terms),
        lambda t: repeated(t, rng),
        lambda t: fragment(t, rng),
        lambda t: title_list(pool, rng),
        lambda t: chrome(),
    ]
    if is_chinese(pool[0]):
        makers.append(lambda t: mojibake(t, rng))
    return [makers[i % len(makers)](text) for i, text in enumerate(pool)]


def build(corpus: Path) -> tuple[list[str], list[str]]:
    """(positives, negatives), seeded."""
    rng = random.Random(SEED)
    good, pool = split_sources(corpus)
    real_chrome = page_boilerplate(corpus)
    menus = menu_terms(corpus)
    chrome = {True: lambda: boilerplate_page(menus, rng), False: lambda: rng.choice(real_chrome)}
    pages = full_pages(corpus, set(good))
    wrap = [i % PAGE_EVERY == 0 and not train_quality.held_out(t, HOLDOUT) for i, t in enumerate(good)]
    good = [in_page(t, chrome[is_chinese(t)](), rng) if w else t for w, t in zip(wrap, good)]
    good += pages
    bad = [r["text"] for r in records(corpus, "en/en_sms_spam.jsonl") if r["label"] == "spam"]
    bad += rng.sample(real_chrome, min(CHROME_NEGATIVES, len(real_chrome)))
    for chinese in (True, False):
        made = corrupted([t for t in pool if is_chinese(t) == chinese], chrome[chinese], rng)
        bad += [in_page(t, chrome[chinese](), rng) if i % PAGE_EVERY == 1 else t for i, t in enumerate(made)]
    return good, [t for t in bad if t.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    good, bad = build(args.corpus)
    with tempfile.TemporaryDirectory(prefix="quality-data-") as tmp:
        paths = {}
        for name, texts in (("positive", good), ("negative", bad)):
            paths[name] = Path(tmp) / f"{name}.jsonl"
            with open(paths[name], "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
            print(f"{name}: {len(texts)} documents")
        cli = ["--positive", str(paths["positive"]), "--negative", str(paths["negative"]), "--out", str(args.out)]
        sub = argparse.ArgumentParser().add_subparsers()
        train_quality.add_parser(sub)
        return train_quality.run(sub.choices["train-quality"].parse_args(cli + TRAIN_ARGS))


if __name__ == "__main__":
    sys.exit(main())
