"""What remove_repeated_lines removes, what its pre-pass costs, and whether it helps the web recipes.

`python bench/repeated_lines.py [--min-docs 3] [--per domain] [--recipe FILE] [--scale 1 4 16] [--labels 2 3 5 10]`

1. Real text (../shared/corpus/web plus bench/corpus.py's MIXED_FILES, linked into a temporary
   SOURCE): the engine with 1 worker, once with `remove_repeated_lines` first in a recipe (one
   whitespace normaliser, or `--recipe FILE`) and once without. Prints per shard the lines and
   characters removed, then the pre-pass figures: documents, (line, document) pairs, distinct and
   frequent lines, the bytes it spills per document, the frequent set's bytes, its seconds and MB/s,
   the stage's seconds in the clean phase, and the CPU time of the run and the peak RSS of its
   largest process, with and without the stage.
2. `--scale N ...`: the same records written N times (each copy a distinct document) into one plain
   file read as one unit, to show that a worker's memory does not grow with its unit.
3. `--labels N ...`: the web recipes on the curator labels as bench/web_eval.py judges them, as
   shipped and with `remove_repeated_lines: {min_docs: N}` inserted first; the frequent set is
   counted over every page of ../shared/corpus/web, as a run over that folder would count it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from corpus import CORPUS, MIXED_FILES

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from cleaner.run.lines import frequent_keys  # noqa: E402
from cleaner.stages.repeated_lines import RepeatedLines  # noqa: E402

WEB_FILES = sorted(f"web/{p.name}" for p in (CORPUS / "web").glob("*.jsonl") if p.name != "labels.jsonl")


#: The recipe the stage is measured in unless --recipe names another: one light normaliser.
MINIMAL = {"input": {"text_field": ["text", "content"]}, "stages": ["whitespace_normalise"]}


def _recipe(path: Path, base: dict, stage: dict | None, chunk_bytes: str | None = None) -> Path:
    """`base` with `stage` inserted first, no token counting, and `chunk_bytes` when given."""
    raw = {**base, "stages": ([stage] if stage else []) + list(base["stages"])}
    raw["output"] = {**(base.get("output") or {}), "tokenizer": "none"}
    if chunk_bytes:
        raw["input"] = {**(base.get("input") or {}), "chunk_bytes": chunk_bytes}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _run(src: Path, dest: Path, recipe: Path) -> tuple[float, float]:
    """Run the engine with 1 worker; (CPU seconds of all its processes, peak RSS MB of the largest)."""
    command = [sys.executable, "-m", "cleaner", "run", str(src), str(dest), "--recipe", str(recipe)]
    command += ["--workers", "1", "--runs-dir", str(dest.parent / "runs")]
    usage = [sys.executable, str(Path(__file__).parent / "tree_usage.py")]
    result = subprocess.run([*usage, *command], cwd=PROJECT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr)
    rss, cpu = result.stdout.split()[-2:]
    return float(cpu), int(rss) / 1024


def _stage_stats(dest: Path) -> dict[str, dict]:
    stats = {}
    for path in sorted((dest / "stats").rglob("*.json")):
        raw = json.loads(path.read_text())
        stats[raw["shard"]] = raw
    return stats


def real_text(root: Path, base: dict, stage: dict) -> None:
    src = root / "src"
    for relative in WEB_FILES + MIXED_FILES:
        target = src / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(CORPUS / relative)
    without_cpu, without_rss = _run(src, root / "without", _recipe(root / "without.yaml", base, None))
    with_cpu, with_rss = _run(src, root / "with", _recipe(root / "with.yaml", base, stage))
    print(f"== {json.dumps(stage)} first, on real text (1 worker)")
    print(f"{'shard':42} {'docs':>6} {'lines removed':>14} {'chars removed':>14} {'docs changed':>13}")
    stage_seconds = 0.0
    for shard, raw in _stage_stats(root / "with").items():
        first = raw["stages"][0]
        counters = first.get("counters", {})
        stage_seconds += first["seconds"]
        share = first["chars_removed"] / raw["chars_in"] if raw["chars_in"] else 0.0
        print(
            f"{shard:42} {raw['read']:6} {counters.get('lines_removed', 0):14,} {share:14.1%} "
            f"{counters.get('docs_changed', 0):13}"
        )
    lines = json.loads((root / "with" / "_state" / "lines" / "summary.json").read_text())
    megabytes = sum((CORPUS / r).stat().st_size for r in WEB_FILES + MIXED_FILES) / 1e6
    docs = lines["documents"]
    print(
        f"pre-pass: {docs:,} docs, {lines['lines']:,} (line, document) pairs, {lines['distinct_keys']:,} distinct "
        f"lines, {lines['frequent_keys']:,} frequent ({lines['min_docs']}+ documents per {lines['per']})"
    )
    print(
        f"  spilled {lines['spill_bytes_per_document']:.0f} bytes/document (12 per distinct line of a document); "
        f"frequent set {lines['frequent_set_bytes'] / docs:.1f} bytes/document ({lines['frequent_set_bytes']:,} B, "
        "memory-mapped by the workers)"
    )
    print(
        f"  {lines['seconds']:.1f} s for {megabytes:.1f} MB ({megabytes / lines['seconds']:.1f} MB/s, "
        f"{docs / lines['seconds']:,.0f} docs/s incl. worker start); removal in the clean phase {stage_seconds:.2f} s"
    )
    print(
        f"  CPU of the whole run {without_cpu:.1f} s -> {with_cpu:.1f} s ({with_cpu / without_cpu - 1:+.0%}); "
        f"peak RSS of the largest process {without_rss:.0f} MB -> {with_rss:.0f} MB; "
        f"pre-pass worker {lines['worker_peak_rss_mb']:.0f} MB"
    )


def _copies(path: Path, copies: int) -> tuple[int, int]:
    """Write the web and mixed records `copies` times, each copy a distinct document; (docs, bytes)."""
    docs = 0
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(copies):
            tag = "".join(chr(ord("a") + int(d)) for d in str(copy))
            for relative in WEB_FILES + MIXED_FILES:
                with open(CORPUS / relative, encoding="utf-8") as fh:
                    for line in fh:
                        record = json.loads(line)
                        text = record.get("text") or record.get("content")
                        if not isinstance(text, str):
                            continue
                        out.write(json.dumps({"id": f"{copy}-{docs}", "text": f"{text}\ncopy {tag}"}) + "\n")
                        docs += 1
    return docs, path.stat().st_size


def scale(root: Path, base: dict, stage: dict, factors: list[int]) -> None:
    print(f"\n== one unit holding N copies of the records ({json.dumps(stage)})")
    print(f"{'N':>4} {'docs':>9} {'MB':>7} {'pairs':>11} {'runs MB':>8} {'B/doc':>6} {'worker RSS MB':>14} {'s':>6}")
    for factor in factors:
        src = root / f"scale{factor}"
        src.mkdir()
        docs, size = _copies(src / "all.jsonl", factor)
        dest = root / f"scale{factor}-out"
        _run(src, dest, _recipe(root / f"scale{factor}.yaml", base, stage, chunk_bytes="64GiB"))
        lines = json.loads((dest / "_state" / "lines" / "summary.json").read_text())
        spilled = lines["pairs"] * 12
        print(
            f"{factor:4} {docs:9,} {size / 1e6:7.1f} {lines['pairs']:11,} {spilled / 1e6:8.1f} "
            f"{spilled / docs:6.0f} {lines['worker_peak_rss_mb']:14.0f} {lines['seconds']:6.1f}"
        )


def labels(root: Path, thresholds: list[int], per: str) -> None:
    sys.path.insert(0, str(PROJECT / "bench"))
    import web_eval

    records = web_eval.load_records()
    pages = web_eval.load_pages(records)
    docs = [web_eval.document(file, record) for (file, _), record in records.items()]
    for path in web_eval.DEFAULT_RECIPES:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        langs = web_eval.RECIPE_LANGS.get(path.name, web_eval.LANGS)
        judged = [p for p in pages if p.lang in langs]
        for min_docs in [None, *thresholds]:
            variant = path
            if min_docs is not None:
                stage = {"remove_repeated_lines": {"min_docs": min_docs, "per": per}}
                variant = _recipe(root / f"{path.stem}-{min_docs}.yaml", raw, stage)
            runner = web_eval.RecipeRunner(variant)
            for _, built in runner.stages:
                if isinstance(built, RepeatedLines):
                    built.use_frequent(frequent_keys(built, docs))
            outcomes = [runner.apply(p.file, p.record) for p in judged]
            why = [o.rejected_by for o in outcomes]
            tallies = web_eval.tally(judged, [reason is None for reason in why], why)
            change = "as shipped" if min_docs is None else f"+ remove_repeated_lines min_docs {min_docs}"
            title = f"{path.name} {change}"
            web_eval.print_tallies(title, tallies, langs)
            web_eval.main_text_f1(runner, records, langs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-docs", type=int, default=3)
    parser.add_argument("--per", choices=["domain", "run"], default="domain")
    parser.add_argument("--scale", type=int, nargs="*", default=[], metavar="N")
    parser.add_argument("--labels", type=int, nargs="*", default=None, metavar="N")
    parser.add_argument("--recipe", type=Path, help="measure the stage inside this recipe (default: one normaliser)")
    args = parser.parse_args()
    stage = {"remove_repeated_lines": {"min_docs": args.min_docs, "per": args.per}}
    base = yaml.safe_load(args.recipe.read_text(encoding="utf-8")) if args.recipe else MINIMAL
    with tempfile.TemporaryDirectory(prefix="repeated-lines-") as tmp:
        root = Path(tmp)
        if args.labels is not None:
            labels(root, args.labels or [2, 3, 5, 10], args.per)
            return
        real_text(root, base, stage)
        if args.scale:
            scale(root, base, stage, args.scale)


if __name__ == "__main__":
    main()
