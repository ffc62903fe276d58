#!/usr/bin/env bash
# Configures and builds into BUILD_DIR (default: build/<type>) with BUILD_TYPE
# (default: Release). Extra arguments are passed to ninja (targets).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
type=${BUILD_TYPE:-Release}
dir=${BUILD_DIR:-$root/build/$(echo "$type" | tr 'A-Z' 'a-z')}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Paths relative to the checkout, so another clone (CI's) reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
# CMAKE_ARGS: extra cmake arguments, space separated (e.g. -DSB_WERROR=ON).
# shellcheck disable=SC2086
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" ${CMAKE_ARGS:-} >/dev/null
jobs=${JOBS:-$(nproc)}
ninja -C "$dir" -j "$jobs" "$@"
