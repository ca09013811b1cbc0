"""What the stage runner itself costs per document and stage, with and without a time budget.

`python bench/stage_overhead.py [--stages 30] [--docs 6250] [--repeat 5]`

Runs `--docs` one-character documents through `--stages` filters that keep everything (no work of
their own), in batches of BATCH_DOCS as the clean phase does, and prints the best CPU time per
document-stage call over `--repeat` passes: once with the default 60 s budget per document (the
SIGALRM timer of `StageRunner`), once with none. Short Chinese documents meet ~30 stages each, so
on a shard of 6,250 of them a microsecond here is ~0.2 s of a unit's ~2.5 CPU s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from cleaner.document import Document, Rejection  # noqa: E402
from cleaner.recipe import load_recipe  # noqa: E402
from cleaner.run.clean import BATCH_DOCS, StageRunner  # noqa: E402
from cleaner.stages.base import Filter  # noqa: E402


@dataclass
class KeepAll(Filter):
    name = "keep_all"

    def check(self, doc: Document) -> Rejection | None:
        return None


def seconds_per_call(budget: float, stages: int, docs: int, repeat: int, folder: Path) -> float:
    recipe = folder / f"budget_{budget:g}.yaml"
    recipe.write_text(f"input:\n  max_seconds_per_document: {budget}\nstages: []\n", encoding="utf-8")
    built = [KeepAll() for _ in range(stages)]
    for n, stage in enumerate(built):
        stage.bind(f"keep_all#{n}")
    runner = StageRunner(load_recipe(recipe), built)
    documents = [Document(str(i), "x", "f", i, {}) for i in range(docs)]
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for start in range(0, docs, BATCH_DOCS):
            runner.run_batch(documents[start : start + BATCH_DOCS])
        best = min(best, time.process_time() - started)
    return best / (docs * stages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stages", type=int, default=30)
    parser.add_argument("--docs", type=int, default=6250)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for budget, label in ((60.0, "60 s budget per document"), (0.0, "no budget")):
            per_call = seconds_per_call(budget, args.stages, args.docs, args.repeat, Path(tmp))
            print(f"{label:26s} {per_call * 1e6:6.2f} us per document and stage")


if __name__ == "__main__":
    main()
