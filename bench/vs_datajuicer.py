"""Our pipeline against data-juicer on the same Chinese input, per core (issue #15).

The two comparable recipes of ../shared/bench/datajuicer (see its README): data-juicer's
dj_zh.tmpl.yaml (t2s, e-mails, links, whitespace, punctuation, length, character repetition,
special characters, flagged words, exact and MinHash dedup) and our ours_cmp_zh.yaml. Each side runs
as its own process tree with two workers (`--workers 2` and `np: 2`) on the same JSONL, alternately
(ours, dj, ours, dj, ...) because the 2-core machine is shared and noisy. Per run: wall time, CPU
time (user + sys of the whole process tree, bench/tree_usage.py), the
largest single process's peak RSS and docs kept; then the medians and dj/ours ratios.

Input: the Chinese files of ../shared/corpus/zh (not the Cantonese one nor the trad/simp pairs),
the first --lines-per-file lines of each, rows cut to id/text/source so HF datasets sees one schema.
data-juicer's flagged words are our blacklist terms (the categories the `blacklist` stage loads by
default) as {"zh": [...]}. Everything is written in one temporary folder, removed at the end;
data-juicer runs with its own venv's bin first on PATH, no VIRTUAL_ENV/PYTHONPATH of ours, its
caches and TMPDIR in that folder, and the HF hub offline.

Measured on 2026-12-02 at commit 27abaf7, all 44,552 docs (no line cap), 3 alternating pairs on the
2-core machine, medians: ours 10.4 s wall, 16.4 CPU s, 270 MB peak RSS, 28,447 kept; data-juicer
66.4 s wall, 100.5 CPU s, 1,300 MB, 27,108 kept; dj/ours wall 6.41x, CPU 6.14x, RSS 4.82x (at
455bdaf, two batches of 5 pairs: wall 5.24x / 5.18x, CPU 4.90x / 4.73x). On 2026-12-03 at
7e6e7e7, 2 pairs on a slower day for both: ours 9.3 s wall, 15.2 CPU s, 293 MB; data-juicer 78.6 s,
119.7 CPU s, 1,303 MB; wall 8.40x, CPU 7.86x. On 2026-12-04 at f461a06, 2 pairs: ours 6.7 s wall,
11.2 CPU s, 281 MB; data-juicer 58.6 s, 91.4 CPU s, 1,415 MB; wall 8.69x, CPU 8.13x.

Usage: python bench/vs_datajuicer.py --dj /tmp/dj/venv/bin/dj-process [--pairs 2] [--lines-per-file N]
(data-juicer in its own venv: `pip install py-data-juicer aiohttp`; its first run installs more itself).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from corpus import CORPUS
from tree_usage import run_tree

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # cleaner, for the blacklist terms

from cleaner.resources import resolve_resource  # noqa: E402
from cleaner.stages.blacklist import Blacklist  # noqa: E402
from cleaner.text.word_lists import read_terms, shipped_files  # noqa: E402

DJ_RECIPES = CORPUS.parent / "bench" / "datajuicer"
ZH_FILES = sorted(p for p in (CORPUS / "zh").glob("zh_*.jsonl") if p.name != "zh_trad_simp_pairs.jsonl")
WORKERS = 2
#: Variables of our venv that must not reach data-juicer's interpreter.
OUR_PYTHON_VARS = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE")


def build_input(folder: Path, lines_per_file: int | None) -> int:
    """One JSONL per corpus file with only id, text and source; the number of docs written."""
    folder.mkdir(parents=True)
    docs = 0
    for path in ZH_FILES:
        with path.open(encoding="utf-8") as src, (folder / path.name).open("w", encoding="utf-8") as out:
            for number, line in enumerate(src):
                if lines_per_file is not None and number >= lines_per_file:
                    break
                row = json.loads(line)
                slim = {"id": str(row["id"]), "text": row["text"], "source": str(row.get("source", path.stem))}
                out.write(json.dumps(slim, ensure_ascii=False) + "\n")
                docs += 1
    return docs


def blacklist_terms() -> list[str]:
    """The distinct terms the `blacklist` stage loads with its defaults (disabled categories left out)."""
    stage = Blacklist()
    lists_dir = resolve_resource(stage.lists_dir, folder=True)
    terms = {
        term
        for category in stage.categories
        for path in shipped_files(lists_dir, category, ".txt")
        for term, own_category in read_terms(path, category, stage.category_map)
        if own_category not in stage.disabled
    }
    return sorted(terms)


def dj_config(work: Path, data: Path) -> Path:
    """data-juicer's recipe with __DATA__, __OUT__ (filled per run) and __ASSETS__ (our flagged words)."""
    assets = work / "assets"
    assets.mkdir()
    words = {"zh": blacklist_terms()}
    (assets / "flagged_words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    template = (DJ_RECIPES / "dj_zh.tmpl.yaml").read_text(encoding="utf-8")
    config = work / "dj_zh.tmpl.yaml"
    config.write_text(template.replace("__DATA__", str(data)).replace("__ASSETS__", str(assets)), encoding="utf-8")
    print(f"flagged words for data-juicer: {len(words['zh'])} terms")
    return config


def child_env(work: Path, dj_bin: Path | None = None) -> dict[str, str]:
    """os.environ with TMPDIR in `work`; for data-juicer also without our venv and with its caches there."""
    env = {**os.environ, "TMPDIR": str(work / "tmp")}
    if dj_bin is None:
        return env
    ours = (Path(sys.prefix) / "bin").resolve()
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p).resolve() != ours]
    env = {k: v for k, v in env.items() if k not in OUR_PYTHON_VARS}
    cache = work / "dj_cache"
    env.update(
        PATH=os.pathsep.join([str(dj_bin), *path]),
        CACHE_HOME=str(cache),
        DATA_JUICER_CACHE_HOME=str(cache / "data_juicer"),
        HF_HOME=str(cache / "huggingface"),
        XDG_CACHE_HOME=str(cache),
        HF_HUB_OFFLINE="1",
    )
    return env


def measured(cmd: list[str], log: Path, env: dict[str, str]) -> dict:
    """Run `cmd`; wall and CPU seconds of its process tree, the largest process's peak RSS in MB."""
    with log.open("w") as fh:
        usage = run_tree(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=PROJECT, env=env)
    if usage.returncode != 0:
        sys.exit(f"{cmd[:3]} failed; last lines of {log}:\n{log.read_text()[-3000:]}")
    return {"wall": usage.wall, "cpu": usage.cpu, "rss_mb": usage.peak_rss_mb}


def run_ours(work: Path, data: Path, run: int) -> dict:
    dest = work / f"ours_{run}"
    recipe = DJ_RECIPES / "ours_cmp_zh.yaml"
    cmd = [sys.executable, "-m", "cleaner", "run", str(data), str(dest), "--recipe", str(recipe)]
    cmd += ["--workers", str(WORKERS), "--runs-dir", str(work / "runs"), "--quiet"]
    result = measured(cmd, work / f"ours_{run}.log", child_env(work))
    kept = sum(pq.read_metadata(p).num_rows for p in (dest / "kept").rglob("*.parquet"))
    return {**result, "kept": kept}


def run_dj(work: Path, config: Path, dj: Path, run: int) -> dict:
    out = work / f"dj_{run}"
    filled = work / f"dj_{run}.yaml"
    filled.write_text(config.read_text(encoding="utf-8").replace("__OUT__", str(out)), encoding="utf-8")
    result = measured([str(dj), "--config", str(filled)], work / f"dj_{run}.log", child_env(work, dj.parent))
    with (out / "out.jsonl").open("rb") as fh:
        kept = sum(1 for _ in fh)
    return {**result, "kept": kept}


def show(side: str, run: int, result: dict, docs: int) -> None:
    per_core = docs / result["cpu"] if result["cpu"] else float("nan")
    print(
        f"{side:<5} {run:>3} {result['wall']:>8.1f} {result['cpu']:>8.1f} {per_core:>10,.0f} "
        f"{result['rss_mb']:>8.0f} {result['kept']:>8,}",
        flush=True,
    )


def summarise(runs: dict[str, list[dict]]) -> None:
    """Medians per side and the dj/ours ratios (above 1: data-juicer takes more)."""
    keys = ("wall", "cpu", "rss_mb")
    medians = {side: {k: statistics.median(r[k] for r in results) for k in keys} for side, results in runs.items()}
    for side, med in medians.items():
        kept = sorted({r["kept"] for r in runs[side]})
        print(f"median {side:<5} wall {med['wall']:.1f} s, cpu {med['cpu']:.1f} s, rss {med['rss_mb']:.0f} MB", end="")
        print(f", kept {', '.join(f'{k:,}' for k in kept)}")
    ratio = {k: medians["dj"][k] / medians["ours"][k] for k in keys}
    print(f"dj/ours: wall {ratio['wall']:.2f}x, cpu {ratio['cpu']:.2f}x, peak rss {ratio['rss_mb']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dj", type=Path, required=True, help="data-juicer's dj-process, in its own venv")
    parser.add_argument("--pairs", type=int, default=2, help="runs of each side, alternating")
    parser.add_argument("--lines-per-file", type=int, default=None, help="first N lines of each corpus file")
    args = parser.parse_args()
    if not args.dj.is_file():
        sys.exit(f"--dj {args.dj}: no such file")
    with tempfile.TemporaryDirectory(prefix="vs_datajuicer_") as tmp:
        work = Path(tmp)
        (work / "tmp").mkdir()
        data = work / "data"
        docs = build_input(data, args.lines_per_file)
        config = dj_config(work, data)
        print(f"input: {docs:,} docs from {len(ZH_FILES)} files; {WORKERS} workers each; {args.pairs} pairs")
        print(f"{'side':<5} {'run':>3} {'wall s':>8} {'cpu s':>8} {'docs/cpu-s':>10} {'rss MB':>8} {'kept':>8}")
        runs: dict[str, list[dict]] = {"ours": [], "dj": []}
        for run in range(1, args.pairs + 1):
            runs["ours"].append(run_ours(work, data, run))
            show("ours", run, runs["ours"][-1], docs)
            runs["dj"].append(run_dj(work, config, args.dj, run))
            show("dj", run, runs["dj"][-1], docs)
        summarise(runs)


if __name__ == "__main__":
    main()
