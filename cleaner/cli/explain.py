"""`cleaner explain`: run one document through a recipe and say, rule by rule, what happened.

Every stage runs, even after the first rejection (later ones are marked), so one call shows all
the values a document would be judged by. Filters built on `MeasuredFilter` print each measured
value with its threshold; normalisers print how many characters they removed and a short diff.
Rules are named by their recipe labels, those inside a route as `route/<key>/<name>`, as in the
output's `stage` column and the stats; a rule in `mode: tag` says what it would have done.
"""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from cleaner.document import Document, Rejection
from cleaner.errors import UsageError
from cleaner.io.parse import Malformed, parse_line
from cleaner.io.reader import RawLine
from cleaner.recipe import Recipe, load_recipe
from cleaner.stages.base import Filter, Normaliser, Stage, apply_stage
from cleaner.stages.measure import MeasuredFilter
from cleaner.stages.route import Route

#: Changes shown per normaliser, and characters shown per change.
MAX_CHANGES = 5
MAX_SHOWN = 60
#: Changed blocks larger than this are shown whole instead of diffed character by character.
MAX_CHAR_DIFF = 4000
#: Line pairs difflib may compare (its matching is quadratic in the worst case, e.g. 500k equal
#: short lines); beyond it the diff is the one block between the common first and last lines.
MAX_LINE_PAIRS = 4_000_000


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("explain", help="show how a recipe treats one document, rule by rule")
    parser.add_argument("--recipe", type=Path, help="recipe name (`cleaner recipes`) or YAML file (default: default)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the document text")
    source.add_argument("--file", type=Path, help="a UTF-8 text file holding the document")
    source.add_argument("--jsonl", type=Path, help="a JSONL file; pick the record with --line")
    parser.add_argument("--line", type=int, default=1, help="1-based line number in --jsonl (default 1)")
    return parser


def _read_document(args: argparse.Namespace, recipe: Recipe) -> Document:
    if args.text is not None:
        return Document("text", args.text, "<text>", 1, {})
    if args.file is not None:
        try:
            return Document(str(args.file), args.file.read_text(encoding="utf-8"), str(args.file), 1, {})
        except (OSError, UnicodeDecodeError) as err:
            raise UsageError(f"cannot read {args.file}: {err}") from None
    if args.line < 1:
        raise UsageError("--line: must be >= 1")
    try:
        with open(args.jsonl, "rb") as fh:
            data = next((line for number, line in enumerate(fh, 1) if number == args.line), None)
    except OSError as err:
        raise UsageError(f"cannot read {args.jsonl}: {err}") from None
    if data is None:
        raise UsageError(f"{args.jsonl} has fewer than {args.line} lines")
    raw = RawLine(args.line, 0, data.rstrip(b"\n"))
    item = parse_line(raw, str(args.jsonl), recipe.text_fields, recipe.input.id_field, recipe.input.html_field)
    if isinstance(item, Malformed):
        raise UsageError(f"{args.jsonl}:{args.line}: malformed:{item.kind}: {item.detail}")
    return item


def _clip(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 20] + "…" + text[-19:]


def _line_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    if len(old) * len(new) <= MAX_LINE_PAIRS:
        return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return [("replace", head, len(old) - tail, head, len(new) - tail)]


def short_diff(before: str, after: str) -> list[str]:
    """Up to MAX_CHANGES lines such as `- '原标题：'` or `~ '！！！' -> '！'`."""
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    changes: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in _line_opcodes(old_lines, new_lines):
        if tag == "equal":
            continue
        old, new = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if len(old) + len(new) > MAX_CHAR_DIFF:
            changes.append((old, new))
            continue
        inner = difflib.SequenceMatcher(None, old, new, autojunk=False)
        changes += [(old[a:b], new[c:d]) for t, a, b, c, d in inner.get_opcodes() if t != "equal"]
    shown = []
    for old, new in changes[:MAX_CHANGES]:
        if not new:
            shown.append(f"- {_clip(old)!r}")
        elif not old:
            shown.append(f"+ {_clip(new)!r}")
        else:
            shown.append(f"~ {_clip(old)!r} -> {_clip(new)!r}")
    if len(changes) > MAX_CHANGES:
        shown.append(f"… and {len(changes) - MAX_CHANGES} more changes")
    return shown


class _Explainer:
    """Runs stages on one document, printing a report and remembering the first rejection."""

    def __init__(self) -> None:
        self.first: tuple[str, Rejection] | None = None

    def run(self, label: str, stage: Stage, doc: Document, indent: str = "") -> None:
        late = "  (after the rejection)" if self.first else ""
        if isinstance(stage, Route):
            chosen = stage.select(doc)
            if chosen is None:
                print(f"{indent}{label}: no route for this document ({stage.unmatched}){late}")
                if stage.unmatched == "reject":
                    self._reject(label, Rejection("unrouted", "no route"))
                return
            key, stages = chosen
            print(f"{indent}{label}: route {key!r}{late}")
            for sub_label, sub_stage in stages:
                self.run(sub_label, sub_stage, doc, indent + "  ")
            return
        if isinstance(stage, Normaliser):
            before = doc.text
            rejection = apply_stage(stage, doc)
            removed = len(before) - len(doc.text)
            if before == doc.text:
                verb = "no change"
            elif removed:
                verb = f"removed {removed} chars" if removed > 0 else f"added {-removed} chars"
            else:
                verb = "replaced characters (same length)"
            print(f"{indent}{label}: {verb}{late}")
            for line in short_diff(before, doc.text) if before != doc.text else []:
                print(f"{indent}    {line}")
            if rejection:
                self._reject(label, rejection)
            return
        if isinstance(stage, Filter) and stage.mode == "tag":
            would = stage.measure(doc)[1]
            apply_stage(stage, doc)
            verdict = f"tag, would reject {would.reason}: {would.detail}" if would else "tag, would keep"
            print(f"{indent}{label}: {verdict}{late}")
            rejection = None
        else:
            rejection = apply_stage(stage, doc)
            verdict = f"REJECT {rejection.reason}: {rejection.detail}" if rejection else "keep"
            print(f"{indent}{label}: {verdict}{late}")
        if isinstance(stage, MeasuredFilter):
            for measure in stage.measures(doc):
                mark = "✗" if measure.failed else "✓"
                print(f"{indent}    {mark} {measure.describe()}")
        if rejection:
            self._reject(label, rejection)

    def _reject(self, label: str, rejection: Rejection) -> None:
        if self.first is None:
            self.first = (label, rejection)


def run(args: argparse.Namespace) -> int:
    """Print the report (exit 0 whether the document is kept or rejected)."""
    recipe = load_recipe(args.recipe)
    doc = _read_document(args, recipe)
    stages = recipe.build_stages()
    for stage in stages:
        stage.setup()
    print(f"recipe {recipe.path}, document {doc.id!r}: {len(doc.text)} chars")
    explainer = _Explainer()
    for spec, stage in zip(recipe.stages, stages):
        explainer.run(spec.label, stage, doc)
    if explainer.first is None:
        print(f"result: KEPT ({len(doc.text)} chars after normalisation)")
    else:
        label, rejection = explainer.first
        print(f"result: REJECTED by {label}: {rejection.reason} ({rejection.detail})")
    return 0
