#!/usr/bin/env bash
# Shared by bench/*/run.sh: installs what the benchmarks need, configures the
# build folder if it is new, and builds the given targets, showing the build
# log only when the build fails.
#
#   bench/prepare.sh BUILD_DIR TARGET...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
shift
"$root/scripts/install-deps.sh" build bench
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
log=$(mktemp)
if ! cmake --build "$build" -j "$(nproc)" --target "$@" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "bench/prepare.sh: the build of $* failed" >&2
  exit 1
fi
rm -f "$log"
