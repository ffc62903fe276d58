#!/usr/bin/env bash
# Installs the build into a temporary prefix, builds a copy of examples/embed there
# as a separate CMake project against the installed package
# (find_package(switchboard CONFIG), switchboard::node), runs it end to end
# (tests/e2e/embed_example_test.sh), and checks that the installed
# `switchboard serve` finds its pages beside itself.
# Usage: embed_out_of_tree.sh CMAKE BUILD_DIR SOURCE_DIR CXX BUILD_TYPE [LAUNCHER]
set -euo pipefail
cmake=$1 build=$2 src=$3 cxx=$4 type=$5 launcher=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=serve_check.sh
. "$here/serve_check.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

"$cmake" --install "$build" --prefix "$prefix" > "$tmp/install.log" \
  || { cat "$tmp/install.log"; exit 1; }
for f in bin/switchboard include/switchboard/actors/node.h \
         include/switchboard/proto/switchboard.pb.h lib/cmake/switchboard/switchboardConfig.cmake \
         lib/cmake/switchboard/FindCAF.cmake; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done

# A copy, so that nothing of the source tree is at hand.
cp -r "$src/examples/embed" "$tmp/embed"
args=(-S "$tmp/embed" -B "$tmp/embed-build" -G Ninja -DCMAKE_BUILD_TYPE="$type"
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
[ -n "$launcher" ] && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
"$cmake" "${args[@]}" > "$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
nice -n 10 "$cmake" --build "$tmp/embed-build" > "$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log"; exit 1; }
# Everything came from the prefix: no include path into the sources or the build.
if grep -e "$src" -e "$build" "$tmp/embed-build/compile_commands.json"; then
  echo "the out-of-tree build used the source or build tree"; exit 1
fi

"$src/tests/e2e/embed_example_test.sh" "$tmp/embed-build/embed_example"
serve_finds_its_pages "$prefix/bin/switchboard" "$prefix/share/switchboard/web" "$tmp/serve"
echo "install and out-of-tree embed: ok"
