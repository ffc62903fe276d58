# Sourced by the package tests: serve_finds_its_pages BIN WEB_DIR WORK [serve args...]
# Starts `BIN serve` on port 0 without --web-dir, then checks that GET / returns the
# index.html of WEB_DIR, the directory an installed binary must find by itself. A
# marker written into that index.html first tells it apart from the same page in the
# source tree (the build-tree fallback).
serve_finds_its_pages() {
  local bin=$1 web=$2 work=$3
  shift 3
  local marker="installed-pages-$$-$RANDOM"
  mkdir -p "$web" "$work"
  echo "<!-- $marker -->" >> "$web/index.html"
  "$bin" serve --port 0 --data-dir "$work/data" "$@" > "$work/serve.out" 2>&1 &
  local pid=$! url=""
  for _ in $(seq 1 200); do
    url=$(sed -n 's/^listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$work/serve.out")
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "serve did not start:"; cat "$work/serve.out"; kill "$pid" 2>/dev/null || true; return 1
  fi
  local hostport=${url#http://}
  local response
  exec 5<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
  printf 'GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$hostport" >&5
  response=$(timeout 20 cat <&5) || true
  exec 5<&-
  kill -TERM "$pid"
  wait "$pid" || { echo "serve did not stop cleanly:"; cat "$work/serve.out"; return 1; }
  if ! grep -q "200 OK" <<<"$response" || ! grep -q "$marker" <<<"$response"; then
    echo "GET / did not return $web/index.html:"; head -20 <<<"$response"; cat "$work/serve.out"
    return 1
  fi
  echo "serve found its pages in $web"
}
