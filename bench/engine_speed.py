"""Engine throughput on real text: read -> stages -> write, against the I/O floor.

Builds >= 100k documents from ../shared/corpus (Chinese and English files, replicated as needed)
into shards in a temporary folder, then runs `cleaner run` three ways and prints docs/s, MB/s and
peak RSS per worker:
  floor    read + parse + write Parquet, no stages, no token count
  floor + token count   the same with cl100k_base token counts of kept documents (on by default)
  recipe   cleaner/rules/default.yaml (or --recipe), with 1 and with 2 workers
Wall times include process start-up and the report written at the end of every run.
Usage: python bench/engine_speed.py [--docs 100000] [--shards 8] [--recipe cleaner/rules/default.yaml]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import CORPUS, MIXED_FILES

PROJECT = Path(__file__).resolve().parents[1]
FILES = MIXED_FILES


def build_input(folder: Path, docs: int, shards: int) -> tuple[int, int]:
    lines = []
    for name in FILES:
        lines += [line for line in (CORPUS / name).read_bytes().splitlines() if line.strip()]
    out = [open(folder / f"shard_{i:03d}.jsonl", "wb") for i in range(shards)]
    total_bytes = 0
    for i in range(docs):
        line = lines[i % len(lines)]
        out[i % shards].write(line + b"\n")
        total_bytes += len(line) + 1
    for fh in out:
        fh.close()
    return docs, total_bytes


def run(source: Path, dest: Path, recipe: Path, workers: int) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cleaner",
            "run",
            str(source),
            str(dest),
            "--recipe",
            str(recipe),
            "--workers",
            str(workers),
            "--runs-dir",
            str(dest.parent / "runs"),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"run failed: {result.stderr}")
    summary = json.loads((dest / "summary.json").read_text())
    return {"wall": wall, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--recipe", type=Path, default=PROJECT / "cleaner" / "rules" / "default.yaml")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"needs the real-text corpus at {CORPUS}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "src"
        source.mkdir()
        docs, nbytes = build_input(source, args.docs, args.shards)
        floor_recipe = tmp / "floor.yaml"
        floor_recipe.write_text("input:\n  text_field: [text, content]\nstages: []\noutput: {tokenizer: none}\n")
        tokens_recipe = tmp / "tokens.yaml"
        tokens_recipe.write_text("input:\n  text_field: [text, content]\nstages: []\n")
        print(f"input: {docs:,} docs, {nbytes / 1e6:.1f} MB in {args.shards} shards; recipe {args.recipe}")
        header = ["run".ljust(22), "workers", "  wall s", "    docs/s", "   MB/s", " docs/s/core", " peak RSS/worker"]
        print(" ".join(header))
        rows = {}
        for label, recipe, workers in [
            ("I/O floor", floor_recipe, 1),
            ("I/O floor", floor_recipe, 2),
            ("floor + token count", tokens_recipe, 1),
            ("recipe", args.recipe, 1),
            ("recipe", args.recipe, 2),
        ]:
            outcome = run(source, tmp / f"out-{label.replace('/', '')}-{workers}", recipe, workers)
            wall = outcome["wall"]
            rows[(label, workers)] = wall
            rss = outcome["summary"]["worker_peak_rss_mb"]
            print(
                f"{label:<22} {workers:>7} {wall:>8.2f} {docs / wall:>10,.0f} {nbytes / 1e6 / wall:>7.1f} "
                f"{docs / wall / workers:>12,.0f} {rss:>13.0f} MB"
            )
        for workers in (1, 2):
            ratio = rows[("I/O floor", workers)] / rows[("recipe", workers)]
            print(f"{workers} worker(s): recipe runs at {ratio:.0%} of the I/O floor's speed")


if __name__ == "__main__":
    main()
