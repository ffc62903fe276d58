#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan into BUILD_DIR
# (default: build/fuzz) and runs each one over its seed corpus (fuzz/corpus/<name>)
# for a bounded time. Fails on the first crash, leak, timeout or violated
# property; prints the executions of each target.
#
#   scripts/fuzz.sh                 every target, FUZZ_SECONDS (default 60) each
#   FUZZ_RUNS=1000000 scripts/fuzz.sh frame_json    a run count instead of a time
#
# Arguments name targets (frame_binary frame_json config scenario storage_codecs);
# none: all. JOBS caps the build (default 2). New inputs found go to
# BUILD_DIR/corpus/<name>, never into the repo's seeds; a crashing input is left
# in BUILD_DIR/artifacts/<name>/ (add it to fuzz/corpus/<name>/ with its fix).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${BUILD_DIR:-$root/build/fuzz}
all=(frame_binary frame_json config scenario storage_codecs)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (${all[*]})" >&2; exit 2; }
done

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
CXX=${FUZZ_CXX:-clang++} cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSB_FUZZ=ON -DSB_BUILD_TESTS=OFF >/dev/null
ninja -C "$dir" -j "${JOBS:-2}" $(printf '%s_fuzz ' "${targets[@]}")

seconds=${FUZZ_SECONDS:-60}
limit=(-max_total_time="$seconds")
[ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
# Frames are capped at 16 MiB by the edge and configs at 1 MiB by the loader; 64 KiB
# (the default max_frame_bytes) reaches every structure and keeps each run fast.
max_len=${FUZZ_MAX_LEN:-65536}
summary=()
for t in "${targets[@]}"; do
  work="$dir/corpus/$t"
  artifacts="$dir/artifacts/$t"
  mkdir -p "$work" "$artifacts"
  log="$dir/$t.log"
  echo "== $t (${limit[*]})"
  seeds=("$root/fuzz/corpus/$t")
  # The scenario files of bench/ are seeds as they are, not copied.
  [ "$t" = scenario ] && seeds+=("$root/bench/scenarios")
  # The first corpus directory receives the new inputs; the seeds stay read-only.
  if ! "$dir/fuzz/${t}_fuzz" "${limit[@]}" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$artifacts/" \
       "$work" "${seeds[@]}" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz.sh: $t failed; the input is in $artifacts/, the log in $log" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  summary+=("$(printf '%-16s %12s executions  %8s exec/s  0 crashes' "$t" "$runs" "$secs")")
done
printf '%s\n' "${summary[@]}"
