#!/usr/bin/env bash
# The main job: install, build (Release) and run the demo on the embedded default,
# a node with its own RocksDB directory and a demo tenant.
#   SECONDS_TO_RUN (default 30), DATA_DIR (default ./data/demo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
BUILD_TYPE=Release "$root/scripts/build.sh" switchboard
data=${DATA_DIR:-$root/data/demo}
mkdir -p "$(dirname "$data")"
exec "$root/build/release/app/switchboard" demo --seconds "${SECONDS_TO_RUN:-30}" \
  --data-dir "$data" --summary-json "$data-summary.json" "$@"
