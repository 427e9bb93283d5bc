#!/usr/bin/env bash
# The CWL v1.2 conformance suite through `flowc cwl-runner`, and in the same
# run through cwltool (--no-container) when it is installed, with the same
# harness (conformance.py) and parallelism; pass/fail/unsupported per tag and
# the wall time of each. The suite is not vendored: give its folder (a clone
# of common-workflow-language/cwl-v1.2).
#
#   bench/cwl/run.sh SUITE_DIR [BUILD_DIR]        J=2 TAGS=required ONLY=id1,id2 SKIP_CWLTOOL=1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=${1:?usage: bench/cwl/run.sh SUITE_DIR [BUILD_DIR]}
build=${2:-$here/../../build}
suite=$(cd "$suite" && pwd)
build=$(cd "$build" && pwd)
"$here/../../scripts/install-deps.sh" bench
J=${J:-2}
args=(--tests "$suite/conformance_tests.yaml" -j "$J")
[[ -n "${TAGS:-}" ]] && args+=(--tags "$TAGS")
[[ -n "${ONLY:-}" ]] && args+=(--only "$ONLY")
[[ -n "${SHOW:-}" ]] && args+=(--show-failures)
[[ -n "${EXECUTOR:-}" ]] && flowc_extra=" --executor $EXECUTOR" || flowc_extra=""
echo "== flowc"
/usr/bin/python3 "$here/conformance.py" --runner "$build/flowc cwl-runner --no-container$flowc_extra" "${args[@]}" \
  --json "${OUT_JSON:-/tmp/flowc-cwl-results.json}"
if [[ -z "${SKIP_CWLTOOL:-}" ]] && command -v cwltool >/dev/null; then
  echo "== cwltool $(cwltool --version 2>/dev/null | awk '{print $2}')"
  /usr/bin/python3 "$here/conformance.py" --runner "cwltool --no-container --quiet" "${args[@]}"
fi
