#!/usr/bin/env bash
# bench/lsp: `flowc lsp` answering a didChange on a generated 5,000-line
# program with diagnostics, beside a JSON-RPC round trip and `flowc check`.
# Usage: bench/lsp/run.sh [BUILD_DIR] [LINES] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
lines=${2:-5000}
rounds=${3:-40}
"$root/bench/prepare.sh" "$build" flowc generate_flow
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/generate_flow" "$lines" > "$tmp/generated.flow"
node "$root/bench/lsp/lsp_bench.mjs" "$build/flowc" "$tmp/generated.flow" "$rounds"
