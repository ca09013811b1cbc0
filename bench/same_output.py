"""Does a speed change keep the output byte-identical? Digests of a real run's kept/rejected Parquet.

`python bench/same_output.py --save digests.json [--recipe RECIPE] [--mb 0.5]`
before a change, then `python bench/same_output.py --check digests.json` after it: exit 1 and the
files that differ when any output file changed.

The input is the first `--mb` MB (cut at a line end) of every file of bench/stage_profile.py's zh, en
and raw-web lists, written into a temporary SOURCE; the run is `cleaner run` with one worker,
dedup included when the recipe has it. Digests are sha256 of every file under kept/, rejected/
and stats/ (stats without the timing and RSS fields, which vary from run to run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from corpus import CORPUS

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stage_profile import GROUPS  # noqa: E402

from cleaner.resources import RECIPES_DIR  # noqa: E402

#: Stats fields that measure the machine, not the output.
VOLATILE = {"seconds", "worker_peak_rss_mb"}


def build_source(folder: Path, megabytes: float) -> None:
    for names in GROUPS.values():
        for name in names:
            path = CORPUS / name
            if not path.is_file():
                continue
            with open(path, "rb") as fh:
                data = fh.read(int(megabytes * 1e6))
                data += fh.readline()
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def digests(dest: Path) -> dict[str, str]:
    out = {}
    for folder in ("kept", "rejected", "stats"):
        for path in sorted((dest / folder).rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if folder == "stats":
                data = json.dumps(_stable(json.loads(data)), sort_keys=True).encode()
            out[str(path.relative_to(dest))] = hashlib.sha256(data).hexdigest()
    return out


def run(recipe: Path, megabytes: float) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source, dest = tmp / "src", tmp / "out"
        source.mkdir()
        build_source(source, megabytes)
        command = [sys.executable, "-m", "cleaner", "run", str(source), str(dest), "--recipe", str(recipe)]
        command += ["--workers", "1", "--runs-dir", str(tmp / "runs")]
        result = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
        if result.returncode != 0:
            sys.exit(f"run failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
        return digests(dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the digests to this file")
    action.add_argument("--check", type=Path, help="compare against digests saved earlier")
    parser.add_argument("--recipe", type=Path, default=RECIPES_DIR / "mixed.yaml")
    parser.add_argument("--mb", type=float, default=0.5, help="MB taken from the start of each file")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"needs the real-text corpus at {CORPUS}")
    found = run(args.recipe.resolve(), args.mb)
    recipe_digest = hashlib.sha256(args.recipe.read_bytes()).hexdigest()
    if args.save:
        saved = {"recipe": str(args.recipe), "recipe_sha256": recipe_digest, "mb": args.mb, "files": found}
        args.save.write_text(json.dumps(saved, indent=1))
        print(f"{len(found)} output files digested into {args.save}")
        return
    saved = json.loads(args.check.read_text())
    if (saved["recipe_sha256"], saved["mb"]) != (recipe_digest, args.mb):
        sys.exit(f"{args.check} was saved for another recipe text or size: {saved['recipe']} at {saved['mb']} MB")
    names = saved["files"].keys() | found.keys()
    differ = sorted(name for name in names if saved["files"].get(name) != found.get(name))
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(found)} output files, {len(differ)} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
