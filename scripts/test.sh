#!/usr/bin/env bash
# Install with test tools, lint, and run the whole test suite. `.ci/run` calls exactly this.
set -euo pipefail
CHECKOUT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$CHECKOUT"
bash scripts/install.sh --dev
# The object storage tests skip without these; here they must run.
.venv/bin/python -c "import moto.server, s3fs"
.venv/bin/python -m ruff check cleaner tests bench
.venv/bin/python -m pytest -q "$@"
bash scripts/wheel_check.sh
