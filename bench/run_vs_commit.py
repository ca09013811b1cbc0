"""A whole `cleaner run` against the same run at an earlier commit: CPU seconds and docs/s per core.

`python bench/run_vs_commit.py --base COMMIT [--recipe mixed] [--pairs 5] [--lines 500] [--workers 1]`

Stage profiles leave out what a user pays for: start-up, the dedup phase, finalise, the report.
This runs the whole command, as a user would, on real text: the first `--lines` lines of each of
corpus.MIXED_FILES (clean and noisy Chinese and English) plus every raw page of corpus/web, in a
temporary SOURCE. The earlier commit is exported with `git archive` into a temporary folder (no
worktree, nothing written to this checkout) and run from there with this venv's Python; the recipe
is looked up by name in each tree (`cleaner/rules/NAME.yaml`, or `rules/NAME.yaml` in the layout
before it moved). Runs alternate base, now, base, now, ... (`--pairs` of them); each figure is the
CPU time (user + system) of the run and all its processes (bench/tree_usage.py).
Prints every pair, the medians, the ratio of medians and docs/s per core (documents read / CPU s).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from corpus import CORPUS, MIXED_FILES
from tree_usage import run_tree

PROJECT = Path(__file__).resolve().parents[1]


def build_source(folder: Path, lines: int) -> int:
    """Write the input; return how many documents it holds."""
    docs = 0
    names = [*MIXED_FILES, *(p.relative_to(CORPUS).as_posix() for p in sorted((CORPUS / "web").glob("*.jsonl")))]
    for name in names:
        if name.endswith("labels.jsonl"):
            continue
        with open(CORPUS / name, "rb") as fh:
            head = fh.readlines() if name.startswith("web/") else [fh.readline() for _ in range(lines)]
        head = [line for line in head if line]
        (folder / Path(name).name).write_bytes(b"".join(head))
        docs += len(head)
    return docs


def export_commit(commit: str, folder: Path) -> None:
    archive = subprocess.run(["git", "archive", commit], cwd=PROJECT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")


def recipe_in(tree: Path, name: str) -> Path:
    for candidate in (tree / "cleaner" / "rules" / f"{name}.yaml", tree / "rules" / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    sys.exit(f"no recipe {name!r} in {tree}")


def cpu_of_run(tree: Path, source: Path, dest: Path, recipe: Path, workers: int, env: dict[str, str]) -> float:
    args = [sys.executable, "-m", "cleaner", "run", str(source), str(dest), "--recipe", str(recipe)]
    log = dest.parent / f"{dest.name}.log"
    with log.open("w") as fh:
        usage = run_tree([*args, "--workers", str(workers)], cwd=tree, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if usage.returncode != 0:
        sys.exit(f"run in {tree} failed:\n{log.read_text()[-2000:]}")
    return usage.cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--recipe", default="mixed", help="recipe name, looked up in each tree")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=500, help="lines taken from each clean corpus file")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"needs the real-text corpus at {CORPUS}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source, base_tree = tmp / "src", tmp / "base"
        source.mkdir()
        base_tree.mkdir()
        docs = build_source(source, args.lines)
        export_commit(args.base, base_tree)
        trees = {"base": base_tree, "now": PROJECT}
        recipes = {label: recipe_in(tree, args.recipe) for label, tree in trees.items()}
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["CLEANER_RUNS_DIR"] = str(tmp / "runs")
        size = sum(p.stat().st_size for p in source.iterdir())
        print(f"input: {docs:,} docs, {size / 1e6:.1f} MB; recipe {args.recipe}; {args.workers} worker(s)")
        print(f"base {args.base} ({recipes['base'].relative_to(base_tree)}), now {PROJECT}")
        cpu: dict[str, list[float]] = {"base": [], "now": []}
        for pair in range(args.pairs):
            for label in ("base", "now"):
                dest = tmp / f"out-{label}-{pair}"
                cpu[label].append(cpu_of_run(trees[label], source, dest, recipes[label], args.workers, env))
            ratio = cpu["now"][-1] / cpu["base"][-1]
            print(f"pair {pair + 1}: base {cpu['base'][-1]:6.2f} CPU s, now {cpu['now'][-1]:6.2f} ({ratio:.3f})")
        base, now = statistics.median(cpu["base"]), statistics.median(cpu["now"])
        ratios = sorted(n / b for n, b in zip(cpu["now"], cpu["base"]))
        print(f"median CPU s: base {base:.2f}, now {now:.2f}; ratio of medians {now / base:.3f}")
        print(f"pairwise ratios: {', '.join(f'{r:.3f}' for r in ratios)}")
        print(f"docs/s per core: base {docs / base:.0f}, now {docs / now:.0f}")


if __name__ == "__main__":
    main()
