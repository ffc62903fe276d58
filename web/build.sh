#!/usr/bin/env bash
# Builds the pages into web/dist (what `switchboard serve` serves), first installing
# the test tooling with `npm ci` when node_modules is missing or older than the
# lockfile. Called by scripts/test.sh and scripts/run.sh.
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "web/build.sh: npm not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
