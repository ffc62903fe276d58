#!/usr/bin/env bash
# Installs the Debian 12 packages Switchboard builds and tests with. Idempotent:
# does nothing when everything is already installed. Extra package names given as
# arguments are installed too (scripts/bench-assignment.sh adds python3-scipy).
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache
  # The libFuzzer targets (scripts/fuzz.sh, CI stage 4) build with clang; g++'s own
  # ASan/UBSan/TSan runtimes (scripts/sanitize.sh) come with g++.
  clang
  libcaf-dev libprotobuf-dev protobuf-compiler librocksdb-dev libspdlog-dev
  libgtest-dev libbenchmark-dev libboost1.81-dev libssl-dev libcli11-dev dpkg-dev
  chromium
  # The cluster's source of truth. The tests and scripts/cluster.sh start their own
  # etcd on free ports; Debian's package also enables a system one on :2379.
  etcd-server etcd-client
)
# The pages' build and browser tests need node and npm; a node from elsewhere
# (e.g. NodeSource, which bundles npm) is kept rather than replaced by Debian's.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
