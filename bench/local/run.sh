#!/usr/bin/env bash
# bench/local: flowc's local runtime on workload W1 (N x `echo i > out_i` + a
# gather, 2 in flight) beside the process floor, Make, Ninja and Snakemake;
# the no-op rerun of a 10,000-task fan-out; the dry runs of 1,000,000 and
# 10,000,000 tasks (time, CPU, peak RSS, bytes per task).
# Prints medians, tasks/s, per-task overhead above the floor, ratios, and
# whether the issue's goals are met. Takes ~15 minutes (Snakemake alone ~1).
#
#   bench/local/run.sh [BUILD_DIR] [local_bench options]
#     e.g. bench/local/run.sh build --sizes 100,1000 --rounds 3 --only w1
# Runs in $TMPDIR (default /tmp); TMPDIR=/dev/shm takes the disk out of it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
shift || true
"$root/bench/prepare.sh" "$build" flowc w1_floor local_bench
"$build/bench/local_bench" --flowc "$build/flowc" --floor "$build/bench/w1_floor" \
  --flow "$root/bench/local/W1.flow" "$@"
