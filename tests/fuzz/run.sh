#!/usr/bin/env bash
# Runs libFuzzer targets of a sanitizer build (cmake -DFLOWC_SANITIZE=ON with
# clang; `make test` builds one in build-asan) for a while each, and prints
# how many inputs each ran and what it found.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]     targets: source ir params lsp
#
# Each target starts from its committed corpus (tests/fuzz/corpus/TARGET:
# seeds and every input that once crashed it, which all run first) and from
# the project's own files (examples, goldens, IR goldens); what it learns is
# kept in BUILD_DIR/fuzz/TARGET/corpus for the next run. A crash, a leak, a
# sanitizer report, an input slower than 10 s or a 2 GiB one ends the run
# with its input saved in BUILD_DIR/fuzz/TARGET/artifacts/ and a non-zero
# exit: copy it into tests/fuzz/corpus/TARGET/ with the fix.
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
((${#targets[@]} > 0)) || targets=(source ir params lsp)

status=0
for t in "${targets[@]}"; do
  binary="$build/tests/fuzz/fuzz_$t"
  work="$build/fuzz/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds=()
  dict="$src/tests/fuzz/json.dict"
  case $t in
    source)
      seeds=("$src/examples" "$src/tests/golden/diagnostics" "$src/stdlib-ops/std")
      dict="$src/tests/fuzz/flow.dict"
      ;;
    ir) seeds=("$src/tests/golden/ir") ;;
    params | lsp) ;;
    *) echo "fuzz: unknown target '$t' (source ir params lsp)" >&2; exit 2 ;;
  esac
  log="$work/last-run.log"
  if ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$binary" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -dict="$dict" -artifact_prefix="$work/artifacts/" \
      "$work/corpus" "$src/tests/fuzz/corpus/$t" "${seeds[@]}" >"$log" 2>&1; then
    result="no crash"
  else
    result="FAILED (the input is in $work/artifacts/)"
    status=1
    tail -n 60 "$log"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(find "$work/corpus" -type f | wc -l)
  echo "fuzz_$t: ${runs:-?} inputs in ${seconds} s, corpus $corpus, $result"
done
exit $status
