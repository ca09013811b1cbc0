"""How well the shipped web recipes judge raw web pages, against a curator's keep/drop labels.

`python bench/web_eval.py [RECIPE ...] [--show-errors N] [--caught] [--datatrove] [--clean] [--audit]`

Runs each recipe's stages in-process (no engine, no dedup) over the labelled documents of
../shared/corpus/web (labels.jsonl; `unsure` excluded; the page is the record's `text`) and prints,
per language of the label (zh, en, other): the share of curator-kept pages we keep, the share of
curator-dropped pages we drop, balanced accuracy (their mean), and the top reasons on each side of
the confusion: our stage/reason for wrongly dropped keeps, the curator's reason for wrongly kept
drops; `--caught` adds, for the drops we drop, the rule that dropped them (every rule, counted).
Recipes default to cleaner/rules/mixed.yaml (all labels), cleaner/rules/zh_web.yaml (zh labels)
and cleaner/rules/en_web.yaml (en labels); other recipes are scored on all labels.

Secondary figure: for every page of the recipe's languages that ships `source_main_text`, the
character-level F1 (bag of non-space characters) of the text the recipe leaves (kept, or as it was
when rejected) against that main text, next to the F1 of the raw page, per file.

`--clean` prints instead the keep rates of clean corpus files (CLEAN_FILES, first `--clean-limit`
documents each) under each recipe: the no-regression check for changes to the web recipes.

`--audit` reads beyond the labels instead: the unlabelled documents of ../shared/corpus/web and the
raw pages of AUDIT_FILES (other sites), run through the same recipes; it prints each recipe's keep
rate and reasons per language, then for mixed a seeded random sample (`--sample N` kept and N
rejected per language, `--seed`) and every rejection by AUDIT_STAGES, each with the other web
recipe's verdict and the text as the rule saw it, for a curator to read and count errors.

`--datatrove` (needs the `bench` extra) adds datatrove's FineWeb chain on the English labels, as
bench/datatrove_side.py builds it: LanguageFilter(en) on the lid.176.ftz our lang_id uses, Gopher
repetition, Gopher quality, C4 (terminal-punctuation rule off) and FineWeb quality.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from corpus import CORPUS

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from cleaner.document import Document  # noqa: E402
from cleaner.recipe import load_recipe  # noqa: E402
from cleaner.stages.base import Normaliser, Stage  # noqa: E402
from cleaner.stages.route import Route  # noqa: E402

WEB = CORPUS / "web"
LANGS = ("zh", "en", "other")
#: Which labels a recipe is judged on, by file name; other recipes get every label.
RECIPE_LANGS = {"zh_web.yaml": ("zh",), "en_web.yaml": ("en",)}
DEFAULT_RECIPES = [PROJECT / "cleaner" / "rules" / name for name in ("mixed.yaml", "zh_web.yaml", "en_web.yaml")]
#: Clean text the web recipes must keep (shared corpus files), judged with `--clean`.
CLEAN_FILES = [
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_news_sogoucs.jsonl",
    "zh/zh_court_judgments.jsonl",
    "zh/zh_wechat_articles.jsonl",
    "en/en_web_pages_maintext.jsonl",
    "multi/multi_web_pages_maintext.jsonl",
]
#: Raw web text of other sites than the labelled ones, read by `--audit` (no `lang`: en).
AUDIT_FILES = [
    "en/en_web_pages_fulltext.jsonl",
    "multi/multi_web_pages_fulltext.jsonl",
    "en/en_commoncrawl_samples.jsonl",
]
#: The newest junk rules, all of whose rejections `--audit` prints.
AUDIT_STAGES = ("min_prose", "product_listing", "call_to_action", "seo_injection", "spam_ad", "repeated_phrase")
AUDIT_HEAD, AUDIT_TAIL = 700, 200
TOP_REASONS = 6
SNIPPET = 160


@dataclass
class Page:
    file: str
    id: str
    lang: str
    label: str
    reason: str
    record: dict


@dataclass
class Outcome:
    """What a recipe did to one page: `rejected_by` is "label: reason" or None when kept."""

    text: str
    rejected_by: str | None
    detail: str = ""


@dataclass
class Tally:
    keep_kept: int = 0
    keep_total: int = 0
    drop_dropped: int = 0
    drop_total: int = 0
    wrong_drops: Counter = field(default_factory=Counter)
    wrong_keeps: Counter = field(default_factory=Counter)
    right_drops: Counter = field(default_factory=Counter)


def load_records() -> dict[tuple[str, str], dict]:
    records = {}
    for path in sorted(WEB.glob("*.jsonl")):
        if path.name == "labels.jsonl":
            continue
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                records[(path.name, record["id"])] = record
    return records


def load_pages(records: dict[tuple[str, str], dict]) -> list[Page]:
    pages = []
    with open(WEB / "labels.jsonl", encoding="utf-8") as fh:
        for line in fh:
            label = json.loads(line)
            if label["label"] in ("keep", "drop"):
                record = records[(label["file"], label["id"])]
                pages.append(Page(label["file"], label["id"], label["lang"], label["label"], label["reason"], record))
    return pages


def document(file: str, record: dict) -> Document:
    meta = {k: v for k, v in record.items() if k not in ("id", "text")}
    return Document(record["id"], record["text"], file, 1, meta)


def run_stages(stages: list[tuple[str, Stage]], doc: Document) -> tuple[str, str] | None:
    """Apply (label, stage) pairs as the engine does; the first rejection as ("label: reason", detail)."""
    for label, stage in stages:
        if isinstance(stage, Route):
            chosen = stage.select(doc)
            if chosen is None:
                if stage.unmatched == "reject":
                    return f"{label}: unrouted", ""
                continue
            key, sub_stages = chosen
            rejected = run_stages(sub_stages, doc)
            if rejected:
                return rejected
            continue
        rejection = stage.process(doc)
        if rejection is None and isinstance(stage, Normaliser) and not doc.text.strip():
            return f"{label}: empty_after_normalise", ""
        if rejection is not None:
            return f"{label}: {rejection.reason}", rejection.detail
    return None


class RecipeRunner:
    def __init__(self, path: Path) -> None:
        self.recipe = load_recipe(path)
        built = self.recipe.build_stages()
        for stage in built:
            stage.setup()
        self.stages = [(spec.label, stage) for spec, stage in zip(self.recipe.stages, built)]

    def apply(self, file: str, record: dict) -> Outcome:
        doc = document(file, record)
        rejected = run_stages(self.stages, doc)
        return Outcome(doc.text, rejected[0] if rejected else None, rejected[1] if rejected else "")


def char_f1(ours: str, gold: str) -> float:
    """F1 of the bags of non-space characters: how much of the main text is left, and how little else."""
    mine, theirs = Counter("".join(ours.split())), Counter("".join(gold.split()))
    overlap = sum((mine & theirs).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(mine.values()), overlap / sum(theirs.values())
    return 2 * precision * recall / (precision + recall)


def tally(pages: list[Page], kept: list[bool], why: list[str | None]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for page, was_kept, reason in zip(pages, kept, why):
        t = tallies[page.lang]
        if page.label == "keep":
            t.keep_total += 1
            t.keep_kept += was_kept
            if not was_kept:
                t.wrong_drops[reason or "?"] += 1
        else:
            t.drop_total += 1
            t.drop_dropped += not was_kept
            if was_kept:
                t.wrong_keeps[page.reason] += 1
            else:
                t.right_drops[reason or "?"] += 1
    return tallies


def share(part: int, total: int) -> float | None:
    return part / total if total else None


def print_tallies(
    title: str, tallies: dict[str, Tally], langs: tuple[str, ...], who: str = "our stage", show_right: bool = False
) -> None:
    print(f"\n== {title}")
    print(f"{'lang':6} {'keeps kept':>16} {'drops dropped':>16} {'balanced acc':>13}")
    for lang in langs:
        t = tallies.get(lang)
        if t is None:
            continue
        kept, dropped = share(t.keep_kept, t.keep_total), share(t.drop_dropped, t.drop_total)
        shown = [
            f"{v:6.1%} ({n}/{d})" if v is not None else "   n/a"
            for v, n, d in ((kept, t.keep_kept, t.keep_total), (dropped, t.drop_dropped, t.drop_total))
        ]
        known = [v for v in (kept, dropped) if v is not None]
        balanced = sum(known) / len(known) if known else 0.0
        print(f"{lang:6} {shown[0]:>16} {shown[1]:>16} {balanced:13.3f}")
    for lang in langs:
        t = tallies.get(lang)
        if t is None:
            continue
        if t.wrong_drops:
            top = ", ".join(f"{r} {n}" for r, n in t.wrong_drops.most_common(TOP_REASONS))
            print(f"  {lang} keeps we drop, by {who}: {top}")
        if t.wrong_keeps:
            top = ", ".join(f"{r} {n}" for r, n in t.wrong_keeps.most_common(TOP_REASONS))
            print(f"  {lang} drops we keep, by curator reason: {top}")
        if t.right_drops and show_right:
            every = ", ".join(f"{r} {n}" for r, n in t.right_drops.most_common())
            print(f"  {lang} drops we drop, by {who}: {every}")


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


def show_errors(pages: list[Page], outcomes: list[Outcome], limit: int) -> None:
    wrong_drops = [(p, o) for p, o in zip(pages, outcomes) if p.label == "keep" and o.rejected_by]
    wrong_keeps = [(p, o) for p, o in zip(pages, outcomes) if p.label == "drop" and not o.rejected_by]
    for title, errors in (("keeps we drop", wrong_drops), ("drops we keep", wrong_keeps)):
        print(f"  -- {title}: {len(errors)} (showing {min(limit, len(errors))})")
        for page, outcome in errors[:limit]:
            why = f"{outcome.rejected_by} ({outcome.detail[:80]})" if outcome.rejected_by else "kept"
            print(f"    {page.lang} {page.file}:{page.id} curator {page.label}/{page.reason}; ours {why}")
            print(f"       {snippet(outcome.text)}")


def main_text_f1(runner: RecipeRunner, records: dict[tuple[str, str], dict], langs: tuple[str, ...]) -> None:
    per_file: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (file, _), record in records.items():
        gold = record.get("source_main_text")
        if not gold or record.get("lang") not in langs:
            continue
        outcome = runner.apply(file, record)
        per_file[file].append((char_f1(record["text"], gold), char_f1(outcome.text, gold)))
    print("  character F1 against source_main_text (raw page -> after the recipe):")
    for file, scores in sorted(per_file.items()):
        raw = sum(s[0] for s in scores) / len(scores)
        ours = sum(s[1] for s in scores) / len(scores)
        print(f"    {file:34} {len(scores):4} pages  {raw:.3f} -> {ours:.3f}")


def evaluate_recipe(path: Path, pages: list[Page], records: dict, errors: int, caught: bool = False) -> None:
    started = time.perf_counter()
    runner = RecipeRunner(path)
    langs = RECIPE_LANGS.get(path.name, LANGS)
    judged = [p for p in pages if p.lang in langs]
    outcomes = [runner.apply(p.file, p.record) for p in judged]
    seconds = time.perf_counter() - started
    tallies = tally(judged, [o.rejected_by is None for o in outcomes], [o.rejected_by for o in outcomes])
    title = f"{path.name} on {'/'.join(langs)} labels ({len(judged)} pages, {seconds:.1f} s)"
    print_tallies(title, tallies, langs, show_right=caught)
    if errors:
        show_errors(judged, outcomes, errors)
    main_text_f1(runner, records, langs)


def evaluate_datatrove(pages: list[Page], errors: int) -> None:
    """datatrove's FineWeb filter chain on the English labels, each filter called on each page."""
    from datatrove.data import Document as DatatroveDocument
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.utils.hashes import xxhash as datatrove_xxhash
    from datatrove_side import LocalLanguageFilter, xxhash64_text
    from vs_datatrove import lid_model

    datatrove_xxhash.xxhash64 = xxhash64_text
    chain = [
        ("language", LocalLanguageFilter(["en"], lid_model())),
        ("gopher_repetition", GopherRepetitionFilter()),
        ("gopher_quality", GopherQualityFilter()),
        ("c4_quality", C4QualityFilter(filter_no_terminal_punct=False)),
        ("fineweb_quality", FineWebQualityFilter()),
    ]
    english = [p for p in pages if p.lang == "en"]
    outcomes = []
    for page in english:
        doc = DatatroveDocument(text=page.record["text"], id=page.id)
        rejected_by = None
        for name, step in chain:
            result = step.filter(doc)
            passed, reason = result if isinstance(result, tuple) else (result, "")
            if not passed:
                rejected_by = f"{name}: {reason or 'dropped'}"
                break
        outcomes.append(Outcome(doc.text, rejected_by))
    tallies = tally(english, [o.rejected_by is None for o in outcomes], [o.rejected_by for o in outcomes])
    print_tallies(f"datatrove FineWeb chain on en labels ({len(english)} pages)", tallies, ("en",), "datatrove filter")
    if errors:
        show_errors(english, outcomes, errors)


def clean_keep_rates(paths: list[Path], limit: int) -> None:
    """Share of each clean file's first `limit` documents each recipe keeps, and its top reasons."""
    for path in paths:
        runner = RecipeRunner(path)
        print(f"\n== {path.name}: keep rates of clean text (first {limit} documents per file)")
        langs = RECIPE_LANGS.get(path.name)
        for relative in CLEAN_FILES:
            if langs and relative.split("/")[0] not in langs:
                continue
            with open(CORPUS / relative, encoding="utf-8") as fh:
                records = [json.loads(line) for _, line in zip(range(limit), fh)]
            reasons = Counter(runner.apply(relative, record).rejected_by for record in records)
            kept = reasons.pop(None, 0)
            top = ", ".join(f"{r} {n}" for r, n in reasons.most_common(3))
            print(f"  {relative:40} {kept / len(records):6.1%} of {len(records):5}  {top}")


def audit_documents(records: dict[tuple[str, str], dict]) -> list[Page]:
    """Every document of the web folder without a label, then the AUDIT_FILES, as unlabelled pages."""
    with open(WEB / "labels.jsonl", encoding="utf-8") as fh:
        labelled = {(label["file"], label["id"]) for label in map(json.loads, fh)}
    pages = [
        Page(file, id_, record.get("lang", "en"), "", "", record)
        for (file, id_), record in records.items()
        if (file, id_) not in labelled
    ]
    for relative in AUDIT_FILES:
        with open(CORPUS / relative, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                pages.append(Page(relative, record["id"], record.get("lang") or "en", "", "", record))
    return pages


def audit_text(text: str) -> str:
    flat = " ⏎ ".join(line.strip() for line in text.split("\n") if line.strip())
    if len(flat) <= AUDIT_HEAD + AUDIT_TAIL:
        return flat
    return f"{flat[:AUDIT_HEAD]} [... {len(flat) - AUDIT_HEAD - AUDIT_TAIL} chars ...] {flat[-AUDIT_TAIL:]}"


def audit(records: dict[tuple[str, str], dict], sample: int, seed: int) -> None:
    """Keep rates and reasons beyond the labels, and the pages to read: a seeded sample and the newest rules' drops."""
    import random

    pages = audit_documents(records)
    verdicts: dict[str, list[Outcome | None]] = {}
    for path in DEFAULT_RECIPES:
        runner = RecipeRunner(path)
        langs = RECIPE_LANGS.get(path.name)
        verdicts[path.name] = [runner.apply(p.file, p.record) if not langs or p.lang in langs else None for p in pages]
        by_lang: dict[str, Counter] = defaultdict(Counter)
        for page, outcome in zip(pages, verdicts[path.name]):
            if outcome is not None:
                by_lang[page.lang if page.lang in ("zh", "en") else "other"][outcome.rejected_by] += 1
        print(f"\n== {path.name} on {len(pages)} unlabelled pages")
        for lang, reasons in sorted(by_lang.items()):
            total, kept = sum(reasons.values()), reasons.pop(None, 0)
            top = ", ".join(f"{r} {n}" for r, n in reasons.most_common(10))
            print(f"  {lang:5} kept {kept}/{total} ({kept / total:.1%}); rejected by {top}")
    mixed = verdicts["mixed.yaml"]

    def show(i: int) -> None:
        page, outcome = pages[i], mixed[i]
        others = [
            f"{name.split('.')[0]}: {v[i].rejected_by or 'kept'}"
            for name, v in verdicts.items()
            if v[i] and name != "mixed.yaml"
        ]
        print(f"[{i}] {page.lang} {page.file}:{page.id} mixed: {outcome.rejected_by or 'kept'} {outcome.detail[:90]}")
        print(f"     {'; '.join(others)}  |  {audit_text(outcome.text)}")

    rng = random.Random(seed)
    for lang in ("zh", "en"):
        for kept in (True, False):
            pool = [
                i for i, (p, o) in enumerate(zip(pages, mixed)) if p.lang == lang and (o.rejected_by is None) == kept
            ]
            chosen = sorted(rng.sample(pool, min(sample, len(pool))))
            side = "kept" if kept else "rejected"
            print(f"\n== sample: {lang} {side} by mixed, {len(chosen)} of {len(pool)} (seed {seed})")
            for i in chosen:
                show(i)
    print(f"\n== every rejection by {', '.join(AUDIT_STAGES)} (any recipe)")
    for i in range(len(pages)):
        reasons = [v[i].rejected_by for v in verdicts.values() if v[i] and v[i].rejected_by]
        if any(r.split(": ")[0].split("/")[-1] in AUDIT_STAGES for r in reasons):
            show(i)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipes", nargs="*", type=Path, default=DEFAULT_RECIPES)
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="misclassified pages shown per side")
    parser.add_argument("--caught", action="store_true", help="also which rule dropped each curator-dropped page")
    parser.add_argument("--clean", action="store_true", help="keep rates of clean corpus files instead")
    parser.add_argument("--clean-limit", type=int, default=1000, metavar="N", help="documents per clean file")
    parser.add_argument("--datatrove", action="store_true", help="also datatrove's FineWeb chain (bench extra)")
    parser.add_argument("--audit", action="store_true", help="unlabelled and other sites' pages instead, to read")
    parser.add_argument("--sample", type=int, default=40, metavar="N", help="--audit: kept and rejected per language")
    parser.add_argument("--seed", type=int, default=17, help="--audit: seed of the sample")
    args = parser.parse_args()
    if not WEB.is_dir():
        sys.exit(f"no labelled web pages at {WEB} (../shared/corpus/web beside the checkout)")
    if args.clean:
        clean_keep_rates(args.recipes, args.clean_limit)
        return
    records = load_records()
    if args.audit:
        audit(records, args.sample, args.seed)
        return
    pages = load_pages(records)
    counts = Counter((p.lang, p.label) for p in pages)
    print(
        f"{len(pages)} labelled pages: "
        + ", ".join(f"{lang} {counts[lang, 'keep']} keep / {counts[lang, 'drop']} drop" for lang in LANGS)
    )
    for path in args.recipes:
        evaluate_recipe(path, pages, records, args.show_errors, args.caught)
    if args.datatrove:
        evaluate_datatrove(pages, args.show_errors)


if __name__ == "__main__":
    main()
