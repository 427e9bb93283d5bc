#!/usr/bin/env bash
# bench/spawn: microseconds per launch of /bin/true and `sh -c 'echo x > f'`
# through posix_spawn (as the local executor does it), fork+exec and
# Boost.Process, sequentially and 2 in flight, from a small process and from
# one holding 64 MiB of touched memory. Takes ~5 minutes.
#
#   bench/spawn/run.sh [BUILD_DIR] [N] [BLOCKS]     (N = 2000, BLOCKS = 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
n=${2:-2000}
blocks=${3:-5}
"$root/bench/prepare.sh" "$build" spawn_bench
"$build/bench/spawn_bench" "$n" "$blocks"
