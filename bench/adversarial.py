"""CPU seconds per MB of every registered stage on adversarial documents, at two sizes, to show growth.

Usage: .venv/bin/python bench/adversarial.py [--sizes 100000 1000000] [--stage NAME ...] [--doc NAME ...]
       [--recipe-variants] [--budget 60]

Each document is built to a size in UTF-8 bytes from a short unit repeated (`www.` + `a.` * n,
1 MB of `@`, 500k identical short lines, deep `<div` tags, ...): inputs that make a backtracking
regex rescan the text from every position. Every registered stage runs with its default
parameters (validated and rebuilt as a worker would), `route` with the routes of
the shipped mixed recipe; `--recipe-variants` adds every other parameter set of the shipped
recipes.
For each stage the slowest document is printed with its s/MB at each size and the growth factor
between the smallest and largest size: about the size ratio (10 for 100 kB -> 1 MB) is linear,
its square is quadratic. A size whose run a quadratic extrapolation puts past `--budget` seconds
is skipped and printed as such, so a regression cannot stall the benchmark.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator

from cleaner.document import Document
from cleaner.recipe import load_recipe
from cleaner.resources import RECIPES_DIR
from cleaner.stages import STAGES
from cleaner.stages.base import Stage, validate_stage
from cleaner.stages.measure import MeasuredFilter


def repeat(unit: str, prefix: str = "", suffix: str = "") -> Callable[[int], str]:
    """A document of about `size` UTF-8 bytes: prefix, unit repeated, suffix."""

    def build(size: int) -> str:
        copies = max(1, (size - len((prefix + suffix).encode())) // len(unit.encode()))
        return prefix + unit * copies + suffix

    return build


#: Real-looking paragraphs around an adversarial line, for stages that leave a page without prose alone.
PROSE_ZH = "今天上午，市政府召开新闻发布会，介绍了今年城市建设的主要进展和下一步的工作安排。\n"
PROSE_EN = "The city council met on Monday and agreed to spend more on schools, roads and parks next year.\n"


def in_prose(unit: str, prefix: str = "", suffix: str = "") -> Callable[[int], str]:
    """`repeat`, between a Chinese and an English paragraph before and after."""
    around = PROSE_ZH + PROSE_EN
    return repeat(unit, around + prefix, suffix + "\n" + around)


#: name -> builder(size in bytes). The issue's two reproductions come first.
DOCUMENTS: dict[str, Callable[[int], str]] = {
    "www_labels": repeat("a.", "www."),
    "email_labels": repeat("a.", "x@"),
    "url_path_dots": repeat("a.", "http://example.com/"),
    "url_path_parens": repeat("(", "http://example.com/"),
    "http_repeated": repeat("http://"),
    "https_hosts": repeat("https://a"),
    "www_repeated": repeat("www."),
    "at_signs": repeat("@"),
    "at_words": repeat("a@"),
    "local_parts": repeat("a."),
    "hyphen_labels": repeat("a-", "x@"),
    "letters": repeat("a"),
    "han": repeat("中"),
    "digits": repeat("1"),
    "digit_dashes": repeat("1-"),
    "digit_spaces": repeat("1 "),
    "spaces": repeat(" ", "a", "b"),
    "tabs_spaces": repeat(" \t", "中", "中"),
    "han_spaces": repeat("中 "),
    "newlines": repeat("\n", "a", "b"),
    "crlf": repeat("\r\n", "a", "b"),
    "identical_lines": repeat("a\n"),
    "identical_han_lines": repeat("你好。\n"),
    "parens_open": repeat("("),
    "nested_parens": lambda size: "(" * (size // 2) + ")" * (size // 2),
    "brackets_open": repeat("["),
    "nested_brackets": lambda size: "[" * (size // 2) + "]" * (size // 2),
    "fullwidth_brackets": repeat("［"),
    "citation_lists": repeat("[1,"),
    "page_refs": repeat("pp=1,"),
    "page_ranges": repeat("p=1-1,"),
    "markdown_image_opens": repeat("!["),
    "markdown_image_paths": repeat("![a]("),
    "tag_opens": repeat("<"),
    "deep_div_tags": repeat("<div "),
    "tag_attributes": repeat(' a="b"', "<div"),
    "tag_attribute_names": repeat(" a", "<div"),
    "closed_tags": repeat("<div>"),
    "comment_opens": repeat("<!--"),
    "script_opens": repeat("<script>"),
    "doctype_opens": repeat("<!DOCTYPE"),
    "escape_like": repeat("<200"),
    "literal_escapes": repeat("<200b>"),
    "backslash_u": repeat("\\u200"),
    "dots": repeat(".", "", "x"),
    "terminal_marks": repeat("!?", "", "x"),
    "ascii_punctuation": repeat("!?.,;:-"),
    "chinese_punctuation": repeat("。，！？"),
    "ellipses": repeat("…"),
    "dashes": repeat("-"),
    "chinese_dashes": repeat("—"),
    "quotes_after_period": repeat('."', "", "x"),
    "apostrophe_words": repeat("a'"),
    "dotted_words": repeat("a.", "", "."),
    "han_period": repeat("中.", "", "x"),
    "mixed_scripts": repeat("中a文b"),
    "latin_cyrillic": repeat("aа"),
    "han_cyrillic": repeat("中а"),
    "kana_hangul_han": repeat("かな한글漢字abc"),
    "mojibake_latin1": repeat("Ã©"),
    "latin1_run": repeat("Ã"),
    "kunkinkao": repeat("锟斤拷"),
    "replacement_chars": repeat("\ufffd"),
    "chapter_markers": repeat("第一章"),
    "chapter_numerals": repeat("一", "第"),
    "enumerations": repeat("（一）"),
    "heading_spaces": repeat(" ", "第一章"),
    "reference_entries": repeat("[1] x\n", "参考文献：\n"),
    "reference_blank_lines": repeat("\n", "References\n"),
    "reference_headings": repeat("参考文献\n"),
    "wechat_labels": repeat("微信："),
    "wechat_label_spaces": repeat(" ", "微信号"),
    "promotion_openers": repeat("有奖"),
    "scan_openers": repeat("扫码"),
    "add_wechat": repeat("加微信"),
    "phone_like": repeat("138 1234 "),
    "landline_like": repeat("(010)"),
    "id_like": repeat("11010519491231002"),
    "card_groups": repeat("6222 "),
    "credit_like": repeat("91"),
    "mentions": repeat("@a"),
    "mention_han": repeat("@中"),
    "boilerplate_sentence": repeat("关注公众号"),
    "prefix_phrases": repeat("概述"),
    "sentence_marks_han": repeat("中。"),
    "base64_blob": repeat("QUJDRA"),
    "unpunctuated_runs": repeat("a" * 300 + " "),
    "han_gap_latin": repeat(" ", "中", "a"),
    "leading_spaces": repeat(" ", "", "x"),
    "blank_lines_word": repeat("\n", "", "a"),
    "ellipsis_spaces": repeat(" ", "...", "x"),
    "letterless_then_letter": repeat("1", "", "a"),
    "bracket_digits": repeat("1", "["),
    "question_han": repeat("中", "?"),
    "type_code_line": repeat("x[J", "参考文献\n"),
    "wechat_colon_spaces": repeat(" ", "微信", "!"),
    "add_wechat_spaces": repeat(" ", "加微信", "!"),
    "long_attribute_name": repeat("a", "<div "),
    "unquoted_values": repeat("<div a=" + "b" * 1993),
    "full_local_parts": repeat("a" * 64 + "@"),
    "spaces_in_prose": in_prose(" ", "a", "b"),
    "tabs_in_prose": in_prose("\t ", "首页", "新闻"),
    "separators_in_prose": in_prose(" | ", "首页"),
    "blank_lines_in_prose": in_prose("\n"),
    "long_line_in_prose": in_prose("a "),
    "identical_lines_in_prose": in_prose("a\n"),
}


def _variants() -> Iterator[tuple[str, str, dict]]:
    """(label, stage name, params) of every distinct stage entry in the shipped recipes."""
    seen: set[str] = set()
    for path in sorted(RECIPES_DIR.glob("*.yaml")):
        recipe = load_recipe(path)
        entries = []
        for spec in recipe.stages:
            if spec.name == "route":
                entries += [(n, p) for stages in spec.params["routes"].values() for e in stages for n, p in e.items()]
            entries.append((spec.name, spec.params))
        for name, params in entries:
            key = json.dumps([name, params], sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                yield f"{name}[{path.stem}]", name, params


def build(name: str, params: dict) -> Stage:
    stage = STAGES[name](**params)
    validate_stage(stage, RECIPES_DIR)
    stage = STAGES[name](**dataclasses.asdict(stage))  # as a worker rebuilds it
    stage.setup()
    return stage


def stages_to_run(names: list[str] | None, recipe_variants: bool) -> Iterator[tuple[str, Stage | Exception]]:
    mixed_route = next(s.params for s in load_recipe("mixed").stages if s.name == "route")
    chosen = [(name, name, mixed_route if name == "route" else {}) for name in sorted(STAGES)]
    if recipe_variants:
        chosen += list(_variants())
    for label, name, params in chosen:
        if names and name not in names:
            continue
        try:
            yield label, build(name, params)
        except Exception as err:  # noqa: BLE001  (a stage that cannot be built is reported, not fatal)
            yield label, err


def seconds(stage: Stage, text: str) -> float:
    """CPU seconds of the fastest of a few runs (at least 0.05 s of them), so a 100 kB figure is not
    timer noise, nor the wait for a core on a shared machine.

    A measured filter yields every measure, as `cleaner explain` reads them, not only those up to
    the first failure that `process` stops at."""
    best, spent = float("inf"), 0.0
    while spent < 0.05:
        doc = Document("adversarial", text, "bench", 0, {"html": text})  # also the page html_extract parses
        started = time.process_time()
        if isinstance(stage, MeasuredFilter):
            list(stage.measures(doc))
        else:
            stage.process(doc)
        took = time.process_time() - started
        best, spent = min(best, took), spent + took
    return best


def measure(stage: Stage, builder: Callable[[int], str], sizes: list[int], budget: float) -> list[float | None]:
    """s/MB at each size; None where a quadratic extrapolation from the previous size exceeds `budget`."""
    figures: list[float | None] = []
    previous: tuple[int, float] | None = None
    for size in sizes:
        if previous and previous[1] * (size / previous[0]) ** 2 > budget:
            figures.append(None)
            continue
        text = builder(size)
        megabytes = len(text.encode()) / 1e6
        took = seconds(stage, text)
        figures.append(took / megabytes)
        previous = (size, took)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="bytes per document")
    parser.add_argument("--stage", action="append", help="only these stages (repeatable)")
    parser.add_argument("--doc", action="append", choices=sorted(DOCUMENTS), help="only these documents")
    parser.add_argument("--recipe-variants", action="store_true", help="also every parameter set of shipped recipes")
    parser.add_argument("--budget", type=float, default=60.0, help="skip a size predicted to take longer (s)")
    parser.add_argument("--all-docs", action="store_true", help="print every document, not only the slowest")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    documents = {name: DOCUMENTS[name] for name in args.doc or DOCUMENTS}
    header = " ".join(f"{f's/MB@{size // 1000}kB':>13s}" for size in sizes)
    print(f"{len(documents)} adversarial documents; sizes {', '.join(map(str, sizes))} bytes; CPU seconds per MB")
    print(f"{'stage':40s} {'slowest document':24s} {header} {'growth':>8s}")

    worst: list[tuple[float, str]] = []
    for label, stage in stages_to_run(args.stage, args.recipe_variants):
        if isinstance(stage, Exception):
            print(f"{label:40s} skipped: {type(stage).__name__}: {stage}")
            continue
        rows = []
        for doc_name, builder in documents.items():
            figures = measure(stage, builder, sizes, args.budget)
            rows.append((figures[-1] if figures[-1] is not None else float("inf"), doc_name, figures))
        rows.sort(key=lambda row: row[0], reverse=True)
        for rank, (_, doc_name, figures) in enumerate(rows if args.all_docs else rows[:1]):
            cells = " ".join(f"{f:13.3f}" if f is not None else f"{'skipped':>13s}" for f in figures)
            first, last = figures[0], figures[-1]
            growth = f"{last * sizes[-1] / (first * sizes[0]):8.1f}" if first and last is not None else f"{'-':>8s}"
            print(f"{label if rank == 0 else '':40s} {doc_name:24s} {cells} {growth}")
        worst.append((rows[0][0], f"{label} on {rows[0][1]}"))
        sys.stdout.flush()

    print("\nslowest five (s/MB at the largest size):")
    for value, what in sorted(worst, reverse=True)[:5]:
        print(f"  {value:10.3f}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
