#!/usr/bin/env bash
# bench/container: what flowc adds to a container task, and what sharing a
# container saves. N trivial tasks in localhost/flow-busybox, in turns, J at
# a time for all (flowc -j J; xargs -P J):
#   - a loop of bare `podman run --rm --network none IMAGE true`;
#   - `flowc run`, each task its own container (fresh state folder each
#     round: the probe container is counted);
#   - `flowc run` with `group = G` on the call: G items one after another
#     in one container, each started by a line on the container's stdin.
# Prints the median seconds per task, the ratios of medians and of the best
# rounds, and whether the goal (ungrouped flowc within 5% of the bare loop,
# on medians) is met. Container start-up swings by 2x when the machine is
# loaded: read the rounds, not only the ratios.
#
#   bench/container/run.sh [BUILD_DIR]     N=50 ROUNDS=5 J=1 G=10 by default
#   N=20 ROUNDS=1 J=2 bench/container/run.sh build
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
build=$(cd "$build" 2>/dev/null && pwd || echo "$root/$build")
N=${N:-50}
ROUNDS=${ROUNDS:-5}
J=${J:-1}
G=${G:-10}
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
workflow main(n: int = $N, g: int = 1) -> (outs: list[int]) {
    for i in range(n) { t = trivial(i = i) with { group = g } }
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
flowc_round() {  # round, group size
  local dir="$work/round-$1-$2" start end
  mkdir -p "$dir"
  start=$(now)
  (cd "$dir" && "$build/flowc" run "$work/bench.flow" -p "g=$2" -j "$J" --log-format json >/dev/null 2>"$dir/err") || {
    cat "$dir/err" >&2
    exit 1
  }
  end=$(now)
  rm -rf "$dir"
  echo "$end - $start" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "bench/container: $N trivial tasks in $IMAGE, $J at a time, $ROUNDS rounds (taking turns); group = $G"
bare=() flow=() grouped=()
for r in $(seq "$ROUNDS"); do
  b=$(bare_round)
  f=$(flowc_round "$r" 1)
  g=$(flowc_round "$r" "$G")
  bare+=("$b") flow+=("$f") grouped+=("$g")
  printf '  round %d: podman run loop %.2fs, flowc run %.2fs, flowc run group=%d %.2fs\n' "$r" "$b" "$f" "$G" "$g"
done
mb=$(printf '%s\n' "${bare[@]}" | median)
mf=$(printf '%s\n' "${flow[@]}" | median)
mg=$(printf '%s\n' "${grouped[@]}" | median)
ratio=$(echo "$mf / $mb" | bc -l)
printf '%-36s %8.3f s/task  (%.2fs for %d)\n' "bare podman run --rm ... true" "$(echo "$mb / $N" | bc -l)" "$mb" "$N"
printf '%-36s %8.3f s/task  (%.2fs for %d)\n' "flowc run (probe included)" "$(echo "$mf / $N" | bc -l)" "$mf" "$N"
printf '%-36s %8.3f s/task  (%.2fs for %d)\n' "flowc run, group = $G" "$(echo "$mg / $N" | bc -l)" "$mg" "$N"
best_b=$(printf '%s\n' "${bare[@]}" | sort -g | head -1)
best_f=$(printf '%s\n' "${flow[@]}" | sort -g | head -1)
best_g=$(printf '%s\n' "${grouped[@]}" | sort -g | head -1)
printf 'best rounds: bare %.2fs, flowc %.2fs (ratio %.3f), group=%d %.2fs (ratio %.3f)\n' "$best_b" "$best_f" \
  "$(echo "$best_f / $best_b" | bc -l)" "$G" "$best_g" "$(echo "$best_g / $best_b" | bc -l)"
printf 'ratio of medians flowc / bare: %.3f (overhead %+.1f%%); goal <= 1.05: %s\n' "$ratio" "$(echo "($ratio - 1) * 100" | bc -l)" \
  "$(echo "$ratio <= 1.05" | bc -l | sed 's/1/met/;s/0/NOT met/')"
printf 'ratio of medians group=%d / bare: %.3f; group=%d / ungrouped flowc: %.3f (%.1fx faster)\n' "$G" \
  "$(echo "$mg / $mb" | bc -l)" "$G" "$(echo "$mg / $mf" | bc -l)" "$(echo "$mf / $mg" | bc -l)"
