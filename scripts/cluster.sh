#!/usr/bin/env bash
# A three-node cluster on one machine: its own etcd (loopback, free of the system
# one) and three `switchboard serve` members, nodes n1..n3 on ports BASE_PORT..+2,
# each with its own RocksDB under DATA_DIR. Installs and builds (Release) first.
# Ctrl-C stops the nodes (each hands its domains off; one still running 15 s later
# is killed) and etcd.
#   BASE_PORT (default 8081), ETCD_PORT (default 23790), DATA_DIR (default
#   ./data/cluster), CONFIG (a ServeConfig with the tenants and one token_secret
#   shared by all nodes, so an agent token minted on one node works on every node;
#   default: one demo tenant "demo" with a printed API key and a random secret),
#   BIN (a switchboard binary to run instead of building one). Extra flags go to
#   every `serve`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-}
if [ -z "$bin" ]; then
  "$root/scripts/install-deps.sh"
  "$root/web/build.sh"
  BUILD_TYPE=Release "$root/scripts/build.sh" switchboard
  bin="$root/build/release/app/switchboard"
fi
data=${DATA_DIR:-$root/data/cluster}
base=${BASE_PORT:-8081}
etcd_port=${ETCD_PORT:-23790}
mkdir -p "$data"

config=${CONFIG:-}
if [ -z "$config" ]; then
  config="$data/serve.json"
  if [ ! -f "$config" ]; then
    key=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    secret=$(head -c 33 /dev/urandom | base64 | tr '+/' '-_')
    printf '{"tenants": [{"tenant": "demo", "api_key": "%s"}], "token_secret": "%s"}\n' \
      "$key" "$secret" > "$config"
  fi
  echo "tenant demo, API key: $(sed -E 's/.*"api_key": "([^"]+)".*/\1/' "$config")"
fi
# serve refuses to join a cluster without one; said here before anything starts.
if ! grep -Eq '"(token_secret|tokenSecret)"' "$config"; then
  echo "error: $config has no token_secret: every node of a cluster needs the same one" >&2; exit 2
fi

pids=()
stop() {
  trap - INT TERM
  for p in "${pids[@]:1}"; do kill -TERM "$p" 2>/dev/null || true; done
  # Bounded: a node still there 15 s after SIGTERM is killed, and said so.
  for i in "${!pids[@]}"; do
    [ "$i" = 0 ] && continue
    p=${pids[$i]}
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then
      echo "warning: n$i (pid $p) did not stop within 15 s of SIGTERM; killed" >&2
      kill -KILL "$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
  done
  kill -TERM "${pids[0]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM

etcd_url="http://127.0.0.1:$etcd_port"
etcd --name sb --data-dir "$data/etcd" \
  --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
  --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
  --initial-cluster "sb=http://127.0.0.1:$((etcd_port + 1))" --log-level warn \
  2> "$data/etcd.log" &
pids+=($!)
for _ in $(seq 100); do
  ETCDCTL_API=3 etcdctl --endpoints "$etcd_url" endpoint health >/dev/null 2>&1 && break
  sleep 0.1
done

for i in 1 2 3; do
  mkdir -p "$data/n$i"
  "$bin" serve --config "$config" --data-dir "$data/n$i/db" --web-dir "$root/web/dist" \
    --port $((base + i - 1)) --etcd "$etcd_url" --node-name "n$i" "$@" \
    2> "$data/n$i/stderr.log" &
  pids+=($!)
done
sleep 1
echo "etcd $etcd_url; nodes n1..n3 on http://127.0.0.1:$base..$((base + 2))"
echo "cluster view: curl http://127.0.0.1:$base/cluster; logs in $data/n*/stderr.log"
wait "${pids[@]:1}"
stop
