#!/usr/bin/env bash
# The net bench mode against one node alone and against a three-node cluster, on
# loopback (docs/benchmarks.md, "Cluster: one node vs three"). Cases, each RUNS times:
#   single    one `serve` without etcd; gateways and agents on it
#   owner     three nodes (scripts/cluster.sh); gateways and agents on the tenant's owner
#   cross     gateways on a non-owner; agents round-robin on the two other nodes
#   far       gateways on a non-owner; agents all on the third node (owner untouched)
#   owner-local      as owner, for tenant bench-local (durability_policy local: acknowledged
#                    on the owner's commit; bench is replicated: after its standby's)
#   sat, sat-local   as owner and owner-local, as fast as possible (target_rate 0: each
#                    gateway connection opens its next contact when one ends; handling
#                    is instant): lifecycles/s through the network
# The cluster cases run interleaved (owner, owner-local, cross, far, sat, sat-local,
# owner, ...) in one session.
# Prints one line per run and the medians; the JSON reports stay in OUT.
#   BIN (default build/release/app/switchboard), BASE_PORT (default 18181: the single
#   node; the cluster's nodes on +1..+3), ETCD_PORT (default 23890), RUNS (default 3),
#   RATE (contacts/s, default 100), DURATION (s, default 20), OUT (default a temp dir),
#   SCENARIO (default mmn), SETS (extra --set words; default agents=200 connections=50
#   arrivals_per_hour=2400), SAT_DURATION (s, default 10; 0 skips the sat cases).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/build/release/app/switchboard}
base=${BASE_PORT:-18181}
etcd_port=${ETCD_PORT:-23890}
runs=${RUNS:-3}
rate=${RATE:-100}
duration=${DURATION:-20}
scenario=${SCENARIO:-mmn}
sets=${SETS:-agents=200 connections=50 arrivals_per_hour=2400}
out=${OUT:-$(mktemp -d /tmp/sb-bench-cluster.XXXXXX)}
mkdir -p "$out"
sat_duration=${SAT_DURATION:-10}
key="bench-cluster-key-$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
key_local="bench-cluster-key-$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
# One token secret for all nodes: agents log in on nodes other than the one that
# minted their token. Same settings as the other net figures (no_sync, no rate limit).
cat > "$out/serve.json" <<EOF
{"tenants": [{"tenant": "bench", "api_key": "$key"},
             {"tenant": "bench-local", "api_key": "$key_local", "durability_policy": "local"}],
 "token_secret": "$(head -c 33 /dev/urandom | base64 | tr '+/' '-_')",
 "durability": "no_sync", "max_messages_per_second": 100000, "log_level": "warn"}
EOF

single_pid=""
cluster_pid=""
# PID NAME: SIGTERM, then SIGKILL if it is still there after 60 s (cluster.sh itself
# bounds each node's stop at 15 s), said on stderr.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    echo "warning: $2 (pid $1) did not stop within 60 s of SIGTERM; killed" >&2
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
}
cleanup() {
  if [ -n "$single_pid" ]; then stop_pid "$single_pid" "the single node"; fi
  if [ -n "$cluster_pid" ]; then stop_pid "$cluster_pid" "scripts/cluster.sh"; fi
  single_pid=""
  cluster_pid=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() {  # PORT PATH: until it answers 200 (30 s at most)
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$1$2" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nothing answers on 127.0.0.1:$1$2" >&2
  return 1
}

# CASE URL [AGENT_URLS] [TENANT] [RATE] [DURATION]: one run, its report in
# $out/CASE-N.json, one line printed. TENANT bench (default) or bench-local.
n=0
run() {
  local name=$1 url=$2 agents=${3:-} tenant=${4:-bench} r=${5:-$rate} d=${6:-$duration}
  n=$((n + 1))
  local json="$out/$name-$n.json"
  local extra=()
  [ -n "$agents" ] && extra=("agent_urls=$agents")
  local k=$key
  [ "$tenant" = bench-local ] && k=$key_local
  # shellcheck disable=SC2086
  "$bin" bench "$scenario" --mode net -q --json "$json" --set url="$url" api_key="$k" \
    tenant="$tenant" target_rate="$r" duration_s="$d" $sets "${extra[@]}" >/dev/null
  if [ "$(jq '.figures.contacts_routed // 0' "$json")" = 0 ]; then
    echo "$name: no contact was routed; errors: $(jq -c '.figures | with_entries(select(.key | startswith("errors_")))' "$json")" >&2
    exit 1
  fi
  jq -r --arg c "$name" '[$c, (.figures.time_to_offer_p50_us / 1000 | . * 1000 | round / 1000),
      (.figures.time_to_offer_p99_us / 1000 | . * 100 | round / 100),
      (.figures.completed_per_s | . * 10 | round / 10), .figures.contacts_routed,
      .figures.contacts_unfinished, (.figures.host_load_average_1m // -1),
      (.figures.time_to_offer_agent_url_1_p50_us // null | if . then . / 1000 * 1000 | round / 1000 else "-" end),
      (.figures.time_to_offer_agent_url_2_p50_us // null | if . then . / 1000 * 1000 | round / 1000 else "-" end),
      (.figures.open_ack_p50_us // null | if . then . / 1000 * 1000 | round / 1000 else "-" end),
      (.figures.open_ack_p99_us // null | if . then . / 1000 * 100 | round / 100 else "-" end)
      ] | @tsv' "$json" |
    tee -a "$out/runs.tsv"
}

# p50 at agent_urls item 1 and 2 (cross: 1 is the owner, 2 the third node).
echo "# case  offer_p50_ms  offer_p99_ms  completed_per_s  routed  unfinished  load_1m  p50_at_1  p50_at_2  open_ack_p50_ms  open_ack_p99_ms" |
  tee "$out/runs.tsv"
# -- one node alone
mkdir -p "$out/single"
"$bin" serve --config "$out/serve.json" --listen 127.0.0.1 --port "$base" \
  --data-dir "$out/single/db" 2> "$out/single/stderr.log" > "$out/single/stdout.log" &
single_pid=$!
wait_http "$base" /metrics
for _ in $(seq "$runs"); do run single "ws://127.0.0.1:$base"; done
stop_pid "$single_pid" "the single node"
single_pid=""

# -- three nodes
BIN=$bin CONFIG=$out/serve.json BASE_PORT=$((base + 1)) ETCD_PORT=$etcd_port \
  DATA_DIR=$out/cluster "$root/scripts/cluster.sh" >"$out/cluster.out" 2>"$out/cluster.log" &
cluster_pid=$!
for p in 1 2 3; do wait_http $((base + p)) /cluster; done
# Settled: every node sees three members and the same owners of bench and bench-local,
# and that view holds for 3 s (right after the start the first node owns every
# domain until its rounds hand the others' off).
owner=""
owner_local=""
last=""
since=0
for _ in $(seq 600); do
  views=$(for p in 1 2 3; do
    curl -sf "http://127.0.0.1:$((base + p))/cluster" |
      jq -r '[(.members | length),
              (.domains[] | select(.tenant == "bench") | "\(.owner)@\(.epoch)"),
              (.domains[] | select(.tenant == "bench-local") | "\(.owner)@\(.epoch)")] | @tsv'
  done | sort -u)
  if [ "$(echo "$views" | wc -l)" = 1 ] && [ "$(echo "$views" | cut -f1)" = 3 ] &&
     [[ "$(echo "$views" | cut -f2)" != @* ]] && [[ "$(echo "$views" | cut -f3)" != @* ]]; then
    if [ "$views" = "$last" ]; then
      since=$((since + 1))
    else
      last=$views
      since=0
    fi
    if [ "$since" -ge 30 ]; then
      owner=$(echo "$views" | cut -f2 | cut -d@ -f1)
      owner_local=$(echo "$views" | cut -f3 | cut -d@ -f1)
      break
    fi
  else
    last=""
    since=0
  fi
  sleep 0.1
done
[ -n "$owner" ] || { echo "the cluster never settled on owners of tenants bench and bench-local" >&2; exit 1; }
sleep 2  # links between the nodes' gateways (made every 200 ms)
members=$(curl -sf "http://127.0.0.1:$((base + 1))/cluster" | jq -r '.members[] | "\(.name) \(.edge_endpoint)"' | sort)
owner_ep=$(echo "$members" | awk -v o="$owner" '$1 == o {print $2}')
others=($(echo "$members" | awk -v o="$owner" '$1 != o {print $2}'))
owner_local_ep=$(echo "$members" | awk -v o="$owner_local" '$1 == o {print $2}')
echo "# tenant bench owned by $owner ($owner_ep); others ${others[*]}; tenant bench-local owned by $owner_local" |
  tee -a "$out/runs.tsv"
echo "$members" > "$out/members.txt"
for _ in $(seq "$runs"); do
  run owner "ws://$owner_ep"
  run owner-local "ws://$owner_local_ep" "" bench-local
  run cross "ws://${others[0]}" "ws://$owner_ep,ws://${others[1]}"
  run far "ws://${others[0]}" "ws://${others[1]}"
  if [ "$sat_duration" != 0 ]; then
    run sat "ws://$owner_ep" "" bench 0 "$sat_duration"
    run sat-local "ws://$owner_local_ep" "" bench-local 0 "$sat_duration"
  fi
done

cleanup  # the nodes' stop is not measured; cluster.log says if one had to be killed
echo "# medians of $runs (reports in $out)"
awk -F'\t' '!/^#/ {k=$1; c[k]++; p50[k, c[k]]=$2; p99[k, c[k]]=$3; tp[k, c[k]]=$4; a50[k, c[k]]=$10; a99[k, c[k]]=$11}
  function med(a, k, n,   i, j, t, v) {
    for (i = 1; i <= n; i++) v[i] = a[k, i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) {t = v[i]; v[i] = v[j]; v[j] = t}
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {for (k in c) printf "%s\toffer p50 %s ms\tp99 %s ms\t%s completed/s\topen ack p50 %s ms\tp99 %s ms\n", k, med(p50, k, c[k]), med(p99, k, c[k]), med(tp, k, c[k]), med(a50, k, c[k]), med(a99, k, c[k])}' \
  "$out/runs.tsv" | sort
