#!/usr/bin/env bash
# The main job: install, build (Release) and serve the embedded default: a node with
# its own RocksDB directory, the demo tenant and a simulated load, on one port with
# the agent desktop, wallboard and customer chat pages. Prints the page URLs and a
# ready-made agent token; Ctrl-C stops it cleanly.
#   PORT (default 8080), DATA_DIR (default ./data/demo); extra flags go to `serve`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/web/build.sh"
BUILD_TYPE=Release "$root/scripts/build.sh" switchboard
data=${DATA_DIR:-$root/data/demo}
mkdir -p "$(dirname "$data")"
exec "$root/build/release/app/switchboard" serve --demo --data-dir "$data" \
  --web-dir "$root/web/dist" --port "${PORT:-8080}" "$@"
