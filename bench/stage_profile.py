"""Where the clean phase spends its time: CPU seconds per MB of every stage, on real text, one worker.

`python bench/stage_profile.py [RECIPE ...] [--mb 1.5] [--groups zh en web] [--repeat 3] [--json OUT]`

Runs the engine's own clean phase (`clean_unit`, in this process, as one worker does) over the
first `--mb` MB of each file of ZH_FILES, EN_FILES and WEB_FILES (read in place from
../shared/corpus), once per recipe (default the shipped mixed, zh_web and en_web) and once with no
stages and no token count: the I/O floor (read + parse + write Parquet). Prints, per recipe, every
stage's CPU seconds per MB of input for each group of files and its share of the clean phase, after
a warm-up pass, from the engine's own per-stage counters (a route's rules have their own rows; the
`route` row is the router choosing the branch). `token count` is the tokenizer (every document as
read, and each kept text a stage changed); `read, parse, write, other` is the rest of the unit
(read, parse, write, samples, stats, dedup signatures). Under each table, the share of the floor
the recipe would reach if all its stages cost nothing (only the token count and the rest left): a
bound on what any speed-up of the stages can give. With `--repeat N` the floor and the recipes
are run N times in turn (floor, recipe 1, recipe 2, ..., floor, recipe 1, ...) and every cell is
the median of its N values; `--json` also writes those medians, and `--before OLD.json` (written by
an earlier run) prints, per recipe, the whole-input s/MB of every row before and now.

Not named profile.py: a script in bench/ would then shadow the stdlib `profile` module that
cProfile imports (bench/vs_datatrove.py --profile).

Times are process CPU time (the engine's per-stage clock is switched to `time.process_time` for the
run), so figures hold on a machine shared with other jobs. Nothing is written outside a temporary
folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus import CORPUS

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from cleaner.recipe import Recipe, load_recipe  # noqa: E402
from cleaner.resources import RECIPES_DIR  # noqa: E402
from cleaner.run import worker as worker_module  # noqa: E402
from cleaner.run.clean import CleanTask, clean_unit  # noqa: E402
from cleaner.run.plan import UnitInput  # noqa: E402

ZH_FILES = [
    "zh/zh_news_peoples_daily_1998.jsonl",
    "zh/zh_wiki_cmrc2018.jsonl",
    "zh/zh_court_judgments.jsonl",
    "zh/zh_reviews_online_shopping.jsonl",
    "zh/zh_wechat_articles.jsonl",
]
EN_FILES = [
    "en/en_web_pages_maintext.jsonl",
    "en/en_usenet_20newsgroups.jsonl",
    "en/en_commoncrawl_samples.jsonl",
]
WEB_FILES = [
    "web/zh_web_cwced_pages.jsonl",
    "web/zh_news_gne_testpages.jsonl",
    "web/zh_cc_chinesewebtext.jsonl",
    "web/en_news_bbc_cx.jsonl",
    "web/en_warc_dolma_samples.jsonl",
    "multi/multi_web_pages_fulltext.jsonl",
]
GROUPS = {"zh": ZH_FILES, "en": EN_FILES, "web": WEB_FILES}
DEFAULT_RECIPES = [RECIPES_DIR / name for name in ("mixed.yaml", "zh_web.yaml", "en_web.yaml")]
#: No stages and no token count. No per-document timer either: the runner has no stage to charge a
#: timeout to.
FLOOR_RECIPE = (
    "input:\n  text_field: [text, content]\n  max_seconds_per_document: 0\nstages: []\noutput: {tokenizer: none}\n"
)
TOKENS = "token count"
REST = "read, parse, write, other"
WARM_UP_MB = 0.02


def chunk_end(path: Path, megabytes: float) -> int | None:
    """The byte just past the first newline at or after `megabytes`, or None for the whole file."""
    limit = int(megabytes * 1e6)
    if path.stat().st_size <= limit:
        return None
    with open(path, "rb") as fh:
        fh.seek(limit)
        rest = fh.readline()
        end = limit + len(rest)
    return None if end >= path.stat().st_size else end


class TimedTokens:
    """The worker's token counter, with the seconds it spends."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0

    def count(self, text: str) -> int:
        started = time.process_time()
        try:
            return self.inner.count(text)
        finally:
            self.seconds += time.process_time() - started


def profile(recipe: Recipe, files: dict[str, list[str]], megabytes: float, tmp: Path) -> dict[str, Any]:
    """Per group: input MB, unit CPU seconds, and seconds per row label. A first pass over
    WARM_UP_MB of every file loads what stages build lazily, so it is not counted."""
    worker_module.init_worker(recipe)
    state = worker_module.current()
    tokens = TimedTokens(state.tokens) if state.tokens is not None else None
    state.tokens = tokens
    _measure(recipe, files, WARM_UP_MB, tmp / "warm-up", tokens)
    return _measure(recipe, files, megabytes, tmp, tokens)


def _measure(
    recipe: Recipe, files: dict[str, list[str]], megabytes: float, tmp: Path, tokens: TimedTokens | None
) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    for group, names in files.items():
        seconds: dict[str, float] = defaultdict(float)
        total = mb = 0.0
        for n, name in enumerate(names):
            path = CORPUS / name
            if not path.is_file():
                continue
            stat = path.stat()
            unit = f"{group}-{n}"
            end = chunk_end(path, megabytes)
            unit_input = UnitInput(unit, name, str(path), "plain", 0, end, 1, stat.st_size, stat.st_mtime_ns)
            task = CleanTask(unit_input, str(tmp / recipe.fingerprint[:8] / unit), str(tmp / f"{unit}.sig"))
            token_before = tokens.seconds if tokens is not None else 0.0
            started = time.process_time()
            result = clean_unit(task)
            unit_seconds = time.process_time() - started
            total += unit_seconds
            mb += result["stats"]["bytes_read"] / 1e6
            for entry in result["stats"]["stages"]:
                seconds[entry["stage"]] += entry["seconds"]
            if tokens is not None:
                seconds[TOKENS] += tokens.seconds - token_before
        seconds[REST] = total - sum(seconds.values())
        groups[group] = {"mb": mb, "seconds": total, "rows": dict(seconds)}
    return groups


def median_groups(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per group and row, the median over `runs` (results of `profile` for one recipe)."""
    out: dict[str, Any] = {}
    for group in runs[0]:
        labels = dict.fromkeys(label for run in runs for label in run[group]["rows"])
        out[group] = {
            "mb": runs[0][group]["mb"],
            "seconds": statistics.median(run[group]["seconds"] for run in runs),
            "rows": {label: statistics.median(run[group]["rows"].get(label, 0.0) for run in runs) for label in labels},
        }
    return out


def print_table(title: str, groups: dict[str, Any], floor: dict[str, Any]) -> None:
    names = list(groups)
    labels: list[str] = []
    for data in groups.values():
        labels += [label for label in data["rows"] if label not in labels]
    labels.sort(key=lambda label: (label == REST, label == TOKENS))
    all_mb = sum(d["mb"] for d in groups.values())
    all_s = sum(d["seconds"] for d in groups.values())
    print(f"\n{title}: {all_mb:.2f} MB, {all_s:.2f} CPU s, {all_mb / all_s:.2f} MB/s", end="")
    floor_s = sum(d["seconds"] for d in floor.values())
    print(f"; I/O floor {all_mb / floor_s:.2f} MB/s; recipe at {floor_s / all_s:.0%} of the floor")
    fixed_s = sum(d["rows"].get(label, 0.0) for d in groups.values() for label in (TOKENS, REST))
    print(
        f"with every stage at zero cost, the token count and the rest alone would put it at "
        f"{floor_s / fixed_s:.0%} of the floor"
    )
    head = f"{'stage (CPU s/MB)':<44}" + "".join(f"{n:>8}" for n in names) + f"{'all':>8}{'share':>8}"
    print(head)
    print("-" * len(head))

    def row(label: str, get: Callable[[dict[str, Any]], float], share: bool = True) -> None:
        cells = "".join(f"{get(groups[n]) / groups[n]['mb']:>8.3f}" for n in names)
        value = sum(get(groups[n]) for n in names)
        tail = f"{value / all_s:>8.1%}" if share else ""
        print(f"{label:<44}{cells}{value / all_mb:>8.3f}{tail}")

    for label in labels:
        row(label, lambda d, label=label: d["rows"].get(label, 0.0))
    row("= clean phase", lambda d: d["seconds"])
    print(
        f"{'I/O floor (read + parse + write, no stages)':<44}"
        + "".join(f"{floor[n]['seconds'] / floor[n]['mb']:>8.3f}" for n in names)
        + f"{floor_s / all_mb:>8.3f}"
    )


def per_mb(groups: dict[str, Any]) -> dict[str, float]:
    """CPU s/MB over all groups of every row, the clean phase and its MB/s."""
    mb = sum(d["mb"] for d in groups.values())
    labels = dict.fromkeys(label for d in groups.values() for label in d["rows"])
    out = {label: sum(d["rows"].get(label, 0.0) for d in groups.values()) / mb for label in labels}
    out["= clean phase"] = sum(d["seconds"] for d in groups.values()) / mb
    return out


def print_before_after(title: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    old, new = per_mb(before), per_mb(after)
    print(f"\n{title}, all groups (CPU s/MB)")
    print(f"{'stage':<44}{'before':>8}{'now':>8}{'change':>8}")
    for label in [*dict.fromkeys([*old, *new])]:
        a, b = old.get(label, 0.0), new.get(label, 0.0)
        change = f"{b / a - 1:>+8.0%}" if a else ""
        print(f"{label:<44}{a:>8.3f}{b:>8.3f}{change}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recipes", nargs="*", type=Path, default=DEFAULT_RECIPES)
    parser.add_argument("--mb", type=float, default=1.5, help="MB read from the start of each file")
    parser.add_argument("--groups", nargs="+", choices=list(GROUPS), default=list(GROUPS))
    parser.add_argument("--repeat", type=int, default=1, help="passes over floor and recipes; cells are medians")
    parser.add_argument("--json", type=Path, help="also write the median tables here")
    parser.add_argument("--before", type=Path, help="a --json file of an earlier run, to compare with")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"needs the real-text corpus at {CORPUS}")
    files = {group: GROUPS[group] for group in args.groups}
    time.perf_counter = time.process_time  # the engine's per-stage clock, as CPU time
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        floor_path = tmp / "floor.yaml"
        floor_path.write_text(FLOOR_RECIPE)
        paths = [floor_path, *args.recipes]
        runs: dict[Path, list[dict[str, Any]]] = {path: [] for path in paths}
        for _ in range(args.repeat):
            for path in paths:
                runs[path].append(profile(load_recipe(path), files, args.mb, tmp))
    tables = {path: median_groups(found) for path, found in runs.items()}
    for path in args.recipes:
        print_table(path.name, tables[path], tables[floor_path])
    if args.json:
        named = {"I/O floor" if path == floor_path else path.name: table for path, table in tables.items()}
        args.json.write_text(json.dumps({"mb_per_file": args.mb, "repeat": args.repeat, "recipes": named}, indent=1))
    if args.before:
        old = json.loads(args.before.read_text())["recipes"]
        for path in args.recipes:
            if path.name in old:
                print_before_after(path.name, old[path.name], tables[path])


if __name__ == "__main__":
    main()
