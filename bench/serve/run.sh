#!/usr/bin/env bash
# bench/serve: flowc serve with 50 polling clients while a 1,000-task run runs
# (goals: the run within 10% of its time alone, p99 GET /api/runs/{id} under
# 20 ms). bench/serve/http_choice/run.sh compares the HTTP libraries.
#   bench/serve/run.sh [BUILD_DIR] [serve_bench options]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
shift || true
"$root/bench/prepare.sh" "$build" flowc
node "$root/bench/serve/serve_bench.mjs" "$build/flowc" "$@"
