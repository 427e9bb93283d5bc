#!/usr/bin/env bash
# bench/lsp: `flowc lsp` answering a didChange on a generated 5,000-line
# program with diagnostics, beside a JSON-RPC round trip and `flowc check`;
# then the memory a generated document of ~10 MB (MEMORY_LINES lines) costs
# the server, beside the size of its text.
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
"$build/bench/generate_flow" "${MEMORY_LINES:-213000}" > "$tmp/large.flow"
node "$root/bench/lsp/lsp_memory.mjs" "$build/flowc" "$tmp/large.flow"
