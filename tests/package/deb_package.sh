#!/usr/bin/env bash
# Builds the Debian package with CPack from the build dir, checks its contents and
# control data (dpkg-deb -c / -I), then runs the packaged binary with the packaged
# sample config from the unpacked tree and checks it serves the packaged pages.
# Usage: deb_package.sh CPACK BUILD_DIR
set -euo pipefail
cpack=$1 build=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=serve_check.sh
. "$here/serve_check.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$build" && "$cpack" -G DEB -B "$tmp/out" --config "$build/CPackConfig.cmake") \
  > "$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; exit 1; }
debs=("$tmp"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "expected one .deb, got: ${debs[*]}"; exit 1; }
deb=${debs[0]}
echo "built $(basename "$deb")"

dpkg-deb -c "$deb" | awk '{print $NF}' > "$tmp/contents"
for f in ./usr/bin/switchboard ./lib/systemd/system/switchboard.service \
         ./etc/switchboard/switchboard.json ./usr/share/switchboard/web/index.html \
         ./usr/share/switchboard/web/agent.html ./usr/share/switchboard/web/client.js; do
  grep -qx -- "$f" "$tmp/contents" || { echo "missing from the package: $f"; cat "$tmp/contents"; exit 1; }
done
# The embedding library is not in it (cmake --install ships it).
if grep -E '\.a$|/include/' "$tmp/contents"; then echo "development files in the package"; exit 1; fi

dpkg-deb -I "$deb" > "$tmp/info"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = switchboard ] || { echo "wrong package name"; cat "$tmp/info"; exit 1; }
# libcaf-io is linked but dropped as-needed until code uses the middleman.
depends=$(field Depends)
for lib in libcaf-core librocksdb libprotobuf libspdlog libssl libstdc++6 libc6; do
  grep -q "$lib" <<<"$depends" || { echo "Depends lacks $lib: $depends"; exit 1; }
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/switchboard/switchboard.json \
  || { echo "the sample config is not a conffile"; cat "$tmp/info"; exit 1; }

dpkg-deb -x "$deb" "$tmp/root"
unit=$tmp/root/lib/systemd/system/switchboard.service
for line in "ExecStart=/usr/bin/switchboard serve --config /etc/switchboard/switchboard.json" \
            "DynamicUser=yes" "StateDirectory=switchboard" "WantedBy=multi-user.target"; do
  grep -qx -- "$line" "$unit" || { echo "unit lacks: $line"; cat "$unit"; exit 1; }
done
# systemd's own check of the unit (unknown keys, bad values), with ExecStart pointed
# at the unpacked binary since /usr/bin/switchboard is not installed here.
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/bin/switchboard|$tmp/root/usr/bin/switchboard|" "$unit" > "$tmp/switchboard.service"
  if ! systemd-analyze verify "$tmp/switchboard.service" > "$tmp/verify.out" 2>&1 \
     || [ -s "$tmp/verify.out" ]; then
    echo "systemd-analyze verify:"; cat "$tmp/verify.out"; exit 1
  fi
else
  echo "systemd-analyze not found: unit syntax not verified"
fi
# The packaged config must be one serve accepts; only the data dir is moved.
serve_finds_its_pages "$tmp/root/usr/bin/switchboard" "$tmp/root/usr/share/switchboard/web" \
  "$tmp/serve" --config "$tmp/root/etc/switchboard/switchboard.json"
echo "deb package: ok"
