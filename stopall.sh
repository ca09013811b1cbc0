#!/usr/bin/env bash
# Stop the runs started from this checkout by run_data_cleaning.sh, or the run in DEST:
#   bash stopall.sh [DEST]
# Only processes recorded by the runs themselves are signalled (SIGTERM, then SIGKILL after
# STOP_TIMEOUT seconds); a stale record is removed, never acted on. Start again to resume.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
exec "$PYTHON" -m cleaner stop ${1:+"$1"} --timeout "${STOP_TIMEOUT:-30}"
