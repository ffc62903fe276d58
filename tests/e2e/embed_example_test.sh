#!/usr/bin/env bash
# Runs examples/embed against a fresh data dir with a scripted "transport" and
# checks that the platform sees the contact queued, offered, connected, completed.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fifo="$dir/in"
mkfifo "$fifo"
"$bin" "$dir/data" < "$fifo" > "$dir/out" 2>&1 &
pid=$!
exec 3>"$fifo"
wait_for() {  # bounded wait for a line in the example's output
  for _ in $(seq 1 200); do
    grep -q "$1" "$dir/out" && return 0
    sleep 0.05
  done
  echo "timed out waiting for: $1"; cat "$dir/out"; return 1
}
echo "call c1 cust-1 support" >&3
wait_for "event offered .*contact=c1 agent=alice"
echo "accept alice c1" >&3
wait_for "event connected .*contact=c1"
echo "done alice c1 1 5" >&3
wait_for "event completed .*contact=c1"
echo "call c1 cust-1 nowhere" >&3
wait_for "error unknown_queue"
echo "stats" >&3
wait_for "routed 1 completed 1 waiting 0"
exec 3>&-
wait "$pid"
echo "embed example: ok"
