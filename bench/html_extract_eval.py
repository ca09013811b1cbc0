"""Main-text extraction from raw HTML: trafilatura vs resiliparse, quality and speed.

Data: the HTML sidecars ../shared/corpus/web/html/<file>.html.jsonl.gz (lines {"id", "html"}) and,
as reference, the sources' own main text (`source_main_text` of the matching record in
../shared/corpus/web/<file>.jsonl). `source_main_text_kind` says whether the reference is human
gold (CWCED, hand-copied) or another tool's output (cx-extractor on BBC and NetEase); the two are
reported separately, since agreeing with a tool is not the same as being right. Pages without a
reference (GNE, dolma) count for speed only.

Quality: token-multiset F1 after NFKC, no alignment (LCS-free): every Han/kana/hangul character is
a token, every other run of letters/digits is one token, every other non-space character is one
token; precision = shared tokens / extracted tokens, recall = shared tokens / reference tokens,
averaged per page (a page with no output scores 0). `chr F1` is the same over the bag of non-space
characters (coarse for English, where letters are shared by any two texts). The row `visible`
is the record's `text` (Resiliparse's whole-page visible text, no main-content step): the floor.

Speed: one pass per extractor over all pages, pages/s and MB/s of UTF-8 HTML, single process.

Usage: .venv/bin/python bench/html_extract_eval.py [--corpus DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import regex
import trafilatura
from corpus import CORPUS
from resiliparse.extract.html2text import extract_plain_text

from cleaner.stages.html import HtmlExtract

_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}"
_TOKEN = regex.compile(rf"(?V1)[{_CJK}]|[[\p{{L}}\p{{N}}\p{{M}}]--[{_CJK}]]++|[^\s\p{{L}}\p{{N}}\p{{M}}]")
_SPACE = regex.compile(r"\s++")

FILES = [
    "zh_web_cwced_pages",
    "zh_news_netease_cx",
    "zh_news_gne_testpages",
    "en_news_bbc_cx",
    "en_warc_dolma_samples",
]


def _trafilatura(**options: bool) -> Callable[[str], str]:
    def run(html: str) -> str:
        return trafilatura.extract(html, include_comments=False, deduplicate=False, **options) or ""

    return run


def _resiliparse(**options: bool) -> Callable[[str], str]:
    def run(html: str) -> str:
        return extract_plain_text(html, main_content=True, **options)

    return run


EXTRACTORS: dict[str, Callable[[str], str]] = {
    #: What ships: resiliparse without alt texts, plus the stage's binary and depth checks.
    "html_extract (stage)": HtmlExtract().normalise,
    "resiliparse": _resiliparse(),
    "resiliparse-noalt": _resiliparse(alt_texts=False),
    "resiliparse-noalt-nocomments": _resiliparse(alt_texts=False, comments=False),
    "trafilatura": _trafilatura(),
    "trafilatura-precision": _trafilatura(favor_precision=True),
    "trafilatura-recall": _trafilatura(favor_recall=True),
    "trafilatura-fast": _trafilatura(fast=True),
}


@dataclass
class Page:
    file: str
    id: str
    lang: str
    html: str
    visible: str
    reference: str | None
    kind: str


def load(corpus: Path) -> list[Page]:
    pages = []
    for name in FILES:
        records = {}
        with open(corpus / "web" / f"{name}.jsonl", encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                records[record["id"]] = record
        with gzip.open(corpus / "web" / "html" / f"{name}.html.jsonl.gz", "rt", encoding="utf-8") as fh:
            for line in fh:
                side = json.loads(line)
                record = records[side["id"]]
                kind = record.get("source_main_text_kind") or ""
                kind = "none" if not kind else ("tool" if "tool" in kind or "extractor" in kind else "gold")
                pages.append(
                    Page(
                        name,
                        side["id"],
                        record["lang"],
                        side["html"],
                        record["text"],
                        record.get("source_main_text"),
                        kind,
                    )
                )
    return pages


def tokens(text: str) -> Counter:
    return Counter(_TOKEN.findall(unicodedata.normalize("NFKC", text)))


def chars(text: str) -> Counter:
    return Counter(_SPACE.sub("", unicodedata.normalize("NFKC", text)))


def prf(got: Counter, ref: Counter) -> tuple[float, float, float]:
    shared = sum((got & ref).values())
    n_got, n_ref = sum(got.values()), sum(ref.values())
    p = shared / n_got if n_got else 0.0
    r = shared / n_ref if n_ref else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Result:
    page: Page
    text: str
    seconds: float
    error: str = ""


def run(name: str, extract: Callable[[str], str], pages: list[Page]) -> list[Result]:
    results = []
    for page in pages:
        start = time.process_time()
        try:
            text, error = extract(page.html), ""
        except Exception as err:  # a crash is a result too: counted, not fatal to the benchmark
            text, error = "", f"{type(err).__name__}: {err}"
        results.append(Result(page, text, time.process_time() - start, error))
    return results


def quality_rows(name: str, results: list[Result]) -> list[str]:
    groups: dict[str, list[Result]] = {}
    for res in results:
        if res.page.reference is None:
            continue
        for key in (res.page.file, f"{res.page.lang}/{res.page.kind}", f"all/{res.page.kind}"):
            groups.setdefault(key, []).append(res)
    rows = []
    for key in sorted(groups, key=lambda k: (k.startswith("all"), "/" in k, k)):
        members = groups[key]
        tok = [prf(tokens(r.text), tokens(r.page.reference)) for r in members]
        chr_f1 = [prf(chars(r.text), chars(r.page.reference))[2] for r in members]
        empty = sum(not r.text.strip() for r in members)
        n = len(members)
        rows.append(
            f"{name:<28} {key:<22} {n:>5} {sum(t[0] for t in tok) / n:>6.3f} {sum(t[1] for t in tok) / n:>6.3f} "
            f"{sum(t[2] for t in tok) / n:>6.3f} {sum(chr_f1) / n:>7.3f} {empty:>6}"
        )
    return rows


def speed_rows(name: str, results: list[Result]) -> list[str]:
    groups: dict[str, list[Result]] = {}
    for res in results:
        for key in (res.page.file, f"all/{res.page.lang}", "all"):
            groups.setdefault(key, []).append(res)
    rows = []
    for key in sorted(groups, key=lambda k: (k.startswith("all"), k)):
        members = groups[key]
        seconds = sum(r.seconds for r in members)
        mb = sum(len(r.page.html.encode("utf-8")) for r in members) / 1e6
        errors = sum(bool(r.error) for r in members)
        slowest = max(r.seconds for r in members)
        rows.append(
            f"{name:<28} {key:<22} {len(members):>5} {mb:>7.2f} {len(members) / seconds:>8.1f} {mb / seconds:>7.2f} "
            f"{slowest * 1000:>8.0f} {errors:>6}"
        )
    return rows


def visible_rows(pages: list[Page]) -> list[str]:
    return quality_rows("visible (no extraction)", [Result(p, p.visible, 0.0) for p in pages])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--only", nargs="*", choices=sorted(EXTRACTORS), help="run only these extractors")
    args = parser.parse_args()
    pages = load(args.corpus)
    print(
        f"{len(pages)} pages, {sum(len(p.html.encode()) for p in pages) / 1e6:.1f} MB HTML, "
        f"{sum(p.reference is not None for p in pages)} with a reference "
        f"({sum(p.kind == 'gold' for p in pages)} gold, {sum(p.kind == 'tool' for p in pages)} tool output)"
    )
    print(f"trafilatura {trafilatura.__version__}; resiliparse {version('resiliparse')}")
    quality = [*visible_rows(pages)]
    speed = []
    for name in args.only or EXTRACTORS:
        results = run(name, EXTRACTORS[name], pages)
        quality += quality_rows(name, results)
        speed += speed_rows(name, results)
        for res in results:
            if res.error:
                print(f"  {name} failed on {res.page.file} {res.page.id}: {res.error[:120]}")
    print("\nQuality (token-multiset F1 after NFKC; per-page mean; group = file or lang/reference kind)")
    print(f"{'extractor':<28} {'group':<22} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'chr F1':>7} {'empty':>6}")
    print("\n".join(quality))
    print("\nSpeed (one process; slowest page in ms)")
    print(
        f"{'extractor':<28} {'group':<22} {'pages':>5} {'MB':>7} {'pages/s':>8} {'MB/s':>7} {'max ms':>8} {'errors':>6}"
    )
    print("\n".join(speed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
