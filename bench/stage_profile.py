"""Where the clean phase spends its time: CPU seconds per MB of every stage, on real text, one worker.

`python bench/stage_profile.py [RECIPE ...] [--mb 1.5] [--groups zh en web]`

Runs the engine's own clean phase (`clean_unit`, in this process, as one worker does) over the
first `--mb` MB of each file of ZH_FILES, EN_FILES and WEB_FILES (read in place from
../shared/corpus), once per recipe (default the shipped mixed, zh_web and en_web)
and once with no stages and no token count: the I/O floor (read + parse + write Parquet). Prints,
per recipe, every stage's CPU seconds per MB of input for each group of files and its share of the
clean phase, after a warm-up pass, from the engine's own per-stage counters (a route's rules
have their own rows; the `route` row is the router choosing the branch). `token count` is the
tokenizer on kept documents; `read, parse, write, other` is the rest of the unit (read, parse,
write, samples, stats, dedup signatures).

Not named profile.py: a script in bench/ would then shadow the stdlib `profile` module that
cProfile imports (bench/vs_datatrove.py --profile).

Times are process CPU time (the engine's per-stage clock is switched to `time.process_time` for the
run), so figures hold on a machine shared with other jobs. Nothing is written outside a temporary
folder.
"""

from __future__ import annotations

import argparse
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
            task = CleanTask(
                unit,
                name,
                str(path),
                "plain",
                0,
                chunk_end(path, megabytes),
                1,
                stat.st_size,
                stat.st_mtime_ns,
                str(tmp / recipe.fingerprint[:8] / unit),
                str(tmp / f"{unit}.sig"),
            )
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recipes", nargs="*", type=Path, default=DEFAULT_RECIPES)
    parser.add_argument("--mb", type=float, default=1.5, help="MB read from the start of each file")
    parser.add_argument("--groups", nargs="+", choices=list(GROUPS), default=list(GROUPS))
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"needs the real-text corpus at {CORPUS}")
    files = {group: GROUPS[group] for group in args.groups}
    time.perf_counter = time.process_time  # the engine's per-stage clock, as CPU time
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        floor_path = tmp / "floor.yaml"
        floor_path.write_text(FLOOR_RECIPE)
        floor = profile(load_recipe(floor_path), files, args.mb, tmp)
        for recipe_path in args.recipes:
            groups = profile(load_recipe(recipe_path), files, args.mb, tmp)
            print_table(recipe_path.name, groups, floor)


if __name__ == "__main__":
    main()
