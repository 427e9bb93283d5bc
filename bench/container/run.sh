#!/usr/bin/env bash
# bench/container: what flowc adds to a container task. N trivial tasks in
# localhost/flow-busybox, run by `flowc run` (fresh state folder each round:
# the preflight probe is counted) beside a loop of bare
# `podman run --rm --network none IMAGE true`, in turns, J at a time for
# both (flowc -j J; xargs -P J). Prints the median seconds per task, the
# ratio of medians and of the best rounds, and whether the goal (flowc
# within 5% of the bare loop, on medians) is met. Container start-up swings
# by 2x when the machine is loaded: read the rounds, not only the ratio.
#
#   bench/container/run.sh [BUILD_DIR]     N=50 ROUNDS=5 J=1 by default
#   N=20 ROUNDS=1 J=2 bench/container/run.sh build
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
build=$(cd "$build" 2>/dev/null && pwd || echo "$root/$build")
N=${N:-50}
ROUNDS=${ROUNDS:-5}
J=${J:-1}
IMAGE=localhost/flow-busybox

"$root/bench/prepare.sh" "$build" flowc
"$root/scripts/podman-setup.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/bench.flow" <<FLOW
op trivial(i: int) -> (out: int) {
    image "$IMAGE"
    run "echo \${i} > \${out}"
}
workflow main(n: int = $N) -> (outs: list[int]) {
    for i in range(n) { t = trivial(i = i) }
    return (outs = t.out)
}
FLOW

now() { date +%s.%N; }
bare_round() {
  local start end
  start=$(now)
  seq "$N" | xargs -P "$J" -I{} podman run --rm --pull never --network none "$IMAGE" true
  end=$(now)
  echo "$end - $start" | bc -l
}
flowc_round() {
  local dir="$work/round-$1" start end
  mkdir -p "$dir"
  start=$(now)
  (cd "$dir" && "$build/flowc" run "$work/bench.flow" -j "$J" --log-format json >/dev/null 2>"$dir/err") || {
    cat "$dir/err" >&2
    exit 1
  }
  end=$(now)
  rm -rf "$dir"
  echo "$end - $start" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "bench/container: $N trivial tasks in $IMAGE, $J at a time, $ROUNDS rounds (taking turns)"
bare=() flow=()
for r in $(seq "$ROUNDS"); do
  b=$(bare_round)
  f=$(flowc_round "$r")
  bare+=("$b") flow+=("$f")
  printf '  round %d: podman run loop %.2fs, flowc run %.2fs\n' "$r" "$b" "$f"
done
mb=$(printf '%s\n' "${bare[@]}" | median)
mf=$(printf '%s\n' "${flow[@]}" | median)
ratio=$(echo "$mf / $mb" | bc -l)
printf '%-34s %8.3f s/task  (%.2fs for %d)\n' "bare podman run --rm ... true" "$(echo "$mb / $N" | bc -l)" "$mb" "$N"
printf '%-34s %8.3f s/task  (%.2fs for %d)\n' "flowc run (preflight included)" "$(echo "$mf / $N" | bc -l)" "$mf" "$N"
best_b=$(printf '%s\n' "${bare[@]}" | sort -g | head -1)
best_f=$(printf '%s\n' "${flow[@]}" | sort -g | head -1)
printf 'best rounds: bare %.2fs, flowc %.2fs, ratio %.3f\n' "$best_b" "$best_f" "$(echo "$best_f / $best_b" | bc -l)"
printf 'ratio of medians flowc / bare: %.3f (overhead %+.1f%%); goal <= 1.05: %s\n' "$ratio" "$(echo "($ratio - 1) * 100" | bc -l)" \
  "$(echo "$ratio <= 1.05" | bc -l | sed 's/1/met/;s/0/NOT met/')"
