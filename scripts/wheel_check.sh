#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh venv outside the checkout, and clean the
# embedded sample with shipped recipes by name: proves the package data (recipes, blacklists,
# boilerplate lists, models) ships in the wheel. `scripts/test.sh` runs it after the test suite.
#   bash scripts/wheel_check.sh [WORKDIR]    (default: a temporary folder, removed afterwards)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ -n "${1:-}" ]; then
  work="$1"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
rm -rf "$work/wheel" "$work/venv" "$work/out"
"$PYTHON" -m pip wheel --quiet --no-deps -w "$work/wheel" "$CHECKOUT"
python3 -m venv "$work/venv"
venv_python="$work/venv/bin/python"
"$venv_python" -m pip install --quiet --upgrade pip
"$venv_python" -m pip install --quiet "$work"/wheel/corpus_cleaner-*.whl
# As scripts/install.sh: the full fastText fork last, so the `fasttext` module can train.
"$venv_python" -m pip install --quiet --force-reinstall --no-deps "fasttext-community==0.11.9"
cd "$work"  # nothing from the checkout on the import path
"$work/venv/bin/cleaner" recipes
for recipe in zh_web en_web; do
  "$work/venv/bin/cleaner" run "$CHECKOUT/examples/sample" "$work/out/$recipe" --recipe "$recipe" --workers 2 \
    --runs-dir "$work/runs" > "$work/$recipe.log"
  "$venv_python" - "$CHECKOUT/examples/sample" "$work/out/$recipe" <<'PY'
import gzip, json, sys
from pathlib import Path

import zstandard

import cleaner

source, dest = Path(sys.argv[1]), Path(sys.argv[2])
assert not Path(cleaner.__file__).is_relative_to(source.parents[1]), f"imported the checkout: {cleaner.__file__}"
opened = {".gz": gzip.open, ".zst": zstandard.open, ".jsonl": open}
data = [opened[p.suffix](p, "rb").read() for p in sorted(source.rglob("*.json*"))]
lines = sum(d.count(b"\n") + (not d.endswith(b"\n") and len(d) > 0) for d in data)
totals = json.loads((dest / "summary.json").read_text())["totals"]
assert totals["read"] == lines == totals["kept"] + totals["rejected"] + totals["malformed"], (lines, totals)
assert totals["kept"] > 0 and (dest / "schema.json").is_file() and (dest / "report.html").is_file()
print(f"wheel {dest.name}: {lines} lines read = {totals['kept']} kept + {totals['rejected']} rejected "
      f"+ {totals['malformed']} malformed")
PY
done
