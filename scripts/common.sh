# Sourced by the run, stop, install and test scripts: where the checkout is and which Python runs it.
CHECKOUT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The checkout's virtualenv when there is one (scripts/install.sh makes it), else python3 on PATH.
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$CHECKOUT/.venv/bin/python" ]; then PYTHON="$CHECKOUT/.venv/bin/python"; else PYTHON="python3"; fi
fi
# Runs started by run_data_cleaning.sh register here, so stopall.sh stops exactly those.
export CLEANER_RUNS_DIR="${CLEANER_RUNS_DIR:-$CHECKOUT/.runs}"
