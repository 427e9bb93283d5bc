#!/usr/bin/env bash
# bench/compile: generate a 10,000-line program and time `flowc check` on it
# beside the process floor. Usage: bench/compile/run.sh [BUILD_DIR] [LINES]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
lines=${2:-10000}
"$root/bench/prepare.sh" "$build" flowc generate_flow compile_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/generate_flow" "$lines" > "$tmp/generated.flow"
"$build/bench/compile_bench" "$build/flowc" "$tmp/generated.flow"
