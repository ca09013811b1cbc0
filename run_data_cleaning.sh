#!/usr/bin/env bash
# Start (or resume) a cleaning run:
#   nohup bash run_data_cleaning.sh > r.log 2>&1 &
#   tail -f r.log            # progress every few seconds, summary table at the end
#   bash stopall.sh          # stop it; the same start command resumes where it stopped
# Unchanged, it cleans the embedded sample in examples/sample. Every variable below can be
# overridden from the environment, e.g. SOURCE_DIR=/data/raw DATASET_NAME=web NUM_WORKERS=16.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"

DATASET_NAME="${DATASET_NAME:-sample}"                      # names the output folder
CLEAN_VERSION="${CLEAN_VERSION:-v1}"                        # bump for a new cleaning of the same data
SOURCE_DIR="${SOURCE_DIR:-$CHECKOUT/examples/sample}"       # JSONL shards (.jsonl, .jsonl.gz, .jsonl.zst)
DEST_BASE="${DEST_BASE:-$CHECKOUT/out}"
DEST_DIR="${DEST_DIR:-$DEST_BASE/$DATASET_NAME/$CLEAN_VERSION}"
RECIPE="${RECIPE:-mixed}"                                   # which stages, in which order, which thresholds
NUM_WORKERS="${NUM_WORKERS:-$(nproc)}"
EXTRA_ARGS="${EXTRA_ARGS:-}"                                # e.g. --restart

if ! "$PYTHON" -c "import cleaner" 2>/dev/null; then
  echo "run_data_cleaning.sh: the cleaner is not installed for $PYTHON; run: bash scripts/install.sh" >&2
  exit 2
fi
echo "$(date '+%Y-%m-%d %H:%M:%S') run_data_cleaning.sh: dataset $DATASET_NAME version $CLEAN_VERSION"
echo "  source $SOURCE_DIR"
echo "  dest   $DEST_DIR"
echo "  recipe $RECIPE, $NUM_WORKERS workers"

# shellcheck disable=SC2086  # EXTRA_ARGS is a list of flags
"$PYTHON" -m cleaner run "$SOURCE_DIR" "$DEST_DIR" --recipe "$RECIPE" --workers "$NUM_WORKERS" $EXTRA_ARGS &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
while true; do
  wait "$child"
  rc=$?
  # wait returns early (status > 128) when a trapped signal arrives; the child is still shutting down.
  kill -0 "$child" 2>/dev/null || break
done
case "$rc" in
  0) echo "$(date '+%Y-%m-%d %H:%M:%S') run_data_cleaning.sh: finished, output in $DEST_DIR" ;;
  143|130) echo "$(date '+%Y-%m-%d %H:%M:%S') run_data_cleaning.sh: stopped; run the same command again to resume" ;;
  *) echo "$(date '+%Y-%m-%d %H:%M:%S') run_data_cleaning.sh: FAILED with exit code $rc (the error is above)" >&2 ;;
esac
exit "$rc"
