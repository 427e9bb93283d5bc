#!/usr/bin/env bash
# bench/report: `flowc report` of a 100,000-task run: time and size (goals:
# under 2 s, under 10 MB).
#   bench/report/run.sh [BUILD_DIR] [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
"$root/bench/prepare.sh" "$build" flowc report_bench
"$build/bench/report_bench" "$build/flowc" "${2:-100000}"
