#!/usr/bin/env bash
# Installs, builds (Debug, warnings as errors) and runs the whole test suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)
"$root/scripts/install-deps.sh"
# Pages into web/dist and the browser-test tooling (npm ci); before cmake, which
# registers the browser tests only when that tooling is installed.
"$root/web/build.sh"
export BUILD_TYPE=Debug
export BUILD_DIR=${BUILD_DIR:-$root/build/test}
CMAKE_ARGS="-DSB_WERROR=ON" "$root/scripts/build.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 600
echo "test run took $(( $(date +%s) - start )) s"
