#!/usr/bin/env bash
# The JavaScript engine measurement behind runtime/eval/js/ (docs/cwl.md).
#   bench/cwl/run_js.sh [BUILD_DIR] [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
cmake --build "$build" --target cwl_js_bench >/dev/null
"$build/bench/cwl_js_bench" "${2:-20000}"
