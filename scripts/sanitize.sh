#!/usr/bin/env bash
# Builds the whole test suite with g++ 12 under the sanitizers and runs ctest:
#   asan  ASan + UBSan (UBSan halts on the first error), into build/asan
#   tsan  TSan, into build/tsan, with scripts/tsan.supp (frames inside the
#         uninstrumented Debian libraries (CAF, RocksDB, spdlog) only;
#         every entry says why)
#
#   scripts/sanitize.sh               both, asan first
#   scripts/sanitize.sh tsan          one of them
#   CTEST_ARGS="-R ^config_test" scripts/sanitize.sh asan   extra ctest arguments
#   TSAN_CTEST_ARGS=...               extra ctest arguments of the TSan run only
#
# Left out of both runs: the browser tests (label `web`: Chromium drives the same
# serve paths the net and e2e suites cover) and the install/package tests (label
# `package`: they rebuild examples/embed out of tree without the sanitizer flags
# and check what a package holds, not how memory is used).
# ASAN_BUILD_DIR / TSAN_BUILD_DIR override the build dirs; JOBS caps the build
# and the test run (default 2). Prints the time of each stage.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(asan tsan)
for k in "${kinds[@]}"; do
  case $k in asan|tsan) ;; *) echo "sanitize.sh: unknown kind '$k' (asan tsan)" >&2; exit 2 ;; esac
done

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
export CXX=${SANITIZE_CXX:-g++-12}

# -O1: a Debug build at -O0 runs the sanitized suite several times slower; -O1
# keeps the stacks readable. -DSB_WERROR=OFF: g++'s flow warnings change with the
# instrumentation and are the Debug stage's job.
build() {  # build KIND DIR FLAGS
  local kind=$1 dir=$2 flags=$3
  local t0; t0=$(date +%s)
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSB_WERROR=OFF \
    -DCMAKE_CXX_FLAGS="-O1 $flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" >/dev/null
  ninja -C "$dir" -j "$jobs"
  echo "== $kind: build took $(( $(date +%s) - t0 )) s"
}

run() {  # run KIND DIR [ctest args...]
  local kind=$1 dir=$2; shift 2
  local t0; t0=$(date +%s)
  # shellcheck disable=SC2086
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 1200 -LE 'web|package' \
     ${CTEST_ARGS:-} "$@")
  echo "== $kind: tests took $(( $(date +%s) - t0 )) s"
}

for k in "${kinds[@]}"; do
  case $k in
    asan)
      dir=${ASAN_BUILD_DIR:-$root/build/asan}
      build asan "$dir" "-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
      export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
      export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
      run asan "$dir"
      ;;
    tsan)
      dir=${TSAN_BUILD_DIR:-$root/build/tsan}
      build tsan "$dir" "-fsanitize=thread -fno-omit-frame-pointer"
      export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$root/scripts/tsan.supp:halt_on_error=1:second_deadlock_stack=1:history_size=4}
      # shellcheck disable=SC2086
      run tsan "$dir" ${TSAN_CTEST_ARGS:-}
      ;;
  esac
done
