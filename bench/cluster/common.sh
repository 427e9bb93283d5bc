# Sourced by the bench/cluster scripts, with `root`, `build` and `nodes` set:
# starts a cluster of `nodes` simulated nodes in $build/bench-cluster unless
# one runs there (scripts/cluster-setup.sh; stopped at the end only if
# started here), makes the work folder on its shared file system (the nodes
# have their own /tmp) and goes there; and the helpers every figure uses.
state="$build/bench-cluster"
started=0
if ! "$root/scripts/cluster-setup.sh" "$nodes" "$state" | grep -q "already running"; then started=1; fi
work=$(mktemp -d "$state/work.XXXXXX")
cleanup_cluster() {
  cd /
  rm -rf "$work"
  if ((started)); then "$root/scripts/cluster-stop.sh" "$state" >/dev/null; fi
}
trap cleanup_cluster EXIT
. "$state/env.sh"
cd "$work"

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'; }
met() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; then echo met; else echo "NOT met"; fi; }
