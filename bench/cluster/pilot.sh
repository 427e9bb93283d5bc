#!/usr/bin/env bash
# bench/cluster/pilot.sh: the multi-node pilot on a cluster of simulated
# nodes on this one machine (scripts/cluster-setup.sh NODES; started here,
# stopped at the end if this script started it). Each figure beside its
# comparison, in the same run:
#
#  1. TASKS trivial tasks (`echo i > out`) through `--executor slurm-pilot
#     --nodes NODES`: tasks/s end to end, start-up (flowc started -> first
#     task finished) and tail (last task submitted -> last finished); beside
#     BATCH_TASKS of the same tasks as one sbatch per task and as job arrays
#     (Slurm's own way), and the spawn floor of this machine (the same
#     commands by xargs -P <cores>, no workflow tool at all).
#  2. A campaign of CAMPAIGN trivial tasks through the pilot, flowc killed
#     with SIGKILL once KILL_AT tasks have finished, then run again: the
#     rerun must run exactly what had not finished (nothing redone) and
#     finish the campaign; both runs' tasks/s.
#  3. Weak scaling, pilot vs batch (Radical-Cylon's comparison): std/table's
#     sort with one rank per node, ROWS rows per rank, 1, 2 and 4 ranks, as
#     a plain Slurm job (--executor slurm) and as an srun step inside a
#     pilot of as many nodes; each side's efficiency t1/tN and pilot/batch.
#
#   bench/cluster/pilot.sh [BUILD_DIR]
#   NODES=4 TASKS=10000 BATCH_TASKS=100 CAMPAIGN=100000 KILL_AT=30000 ROWS=1000000 bench/cluster/pilot.sh build
# (defaults shown). Four simulated nodes share this machine's cores: compare
# ratios, not absolute figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:-build}")
nodes=${NODES:-4}
tasks=${TASKS:-10000}
batch_tasks=${BATCH_TASKS:-100}
campaign=${CAMPAIGN:-100000}
kill_at=${KILL_AT:-30000}
rows=${ROWS:-1000000}
"$root/bench/prepare.sh" "$build" flowc flowc-table
flowc="$build/flowc"

flowc_pid=
. "$root/bench/cluster/common.sh"
trap 'if [[ -n "$flowc_pid" ]]; then kill -KILL "$flowc_pid" 2>/dev/null || true; fi; cleanup_cluster' EXIT
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }'; }
# The run's summary line: "N tasks (R ran, C cached)" -> "R C".
ran_cached() { sed -n 's/.* tasks (\([0-9]*\) ran, \([0-9]*\) cached).*/\1 \2/p' "$1" | tail -1; }
# The last run's events: the first and last `finished` and the last `started`, in seconds since flowc began.
event_times() {  # event_times DIR T0
  python3 - "$1/.flow" "$2" <<'PY'
import json, os, sys, glob, datetime
run = sorted(glob.glob(os.path.join(sys.argv[1], "runs", "*")))[-1]
t0 = float(sys.argv[2])
first = last = last_start = None
def at(e):
    t = e.get("time")
    if isinstance(t, (int, float)): return float(t)
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
for line in open(os.path.join(run, "events.jsonl")):
    e = json.loads(line)
    if "time" not in e: continue
    if e["event"] == "finished":
        t = at(e); first = t if first is None else first; last = t
    elif e["event"] == "started":
        last_start = at(e)
print(f"{(first or t0) - t0:.2f} {((last or 0) - (last_start or 0)):.2f}")
PY
}

cat >short.flow <<FLOW
op one(i: int) -> (out: file) { run "echo \${i} > \${out}" }
workflow main(count: int) -> (outs: list[file]) {
    for i in range(count) { o = one(i = i) }
    return (outs = o.out)
}
FLOW
cat >prof-pilot.json <<JSON
{"executor": "slurm-pilot",
 "executors": {"slurm-pilot": {"nodes": $nodes, "time": "2h", "poll_interval": 0.5, "max_queued": 512}}}
JSON
cat >prof-each.json <<'JSON'
{"executor": "slurm", "executors": {"slurm": {"poll_interval": 0.2, "submit_rate": 100, "max_queued": 1000, "array_min": 0}}}
JSON
cat >prof-array.json <<'JSON'
{"executor": "slurm", "executors": {"slurm": {"poll_interval": 0.2, "submit_rate": 100, "max_queued": 1000}}}
JSON

timed_run() {  # timed_run DIR PROFILE COUNT: seconds (the run's stderr in DIR/err.txt)
  local d=$1 t0 t1
  rm -rf "$d" && mkdir -p "$d"
  t0=$(now)
  (cd "$d" && "$flowc" run "$work/short.flow" --profile "$work/$2" -p count="$3" --fresh >/dev/null 2>err.txt) ||
    { cat "$d/err.txt" >&2; exit 1; }
  t1=$(now)
  echo "$t0 $(echo "$t1 - $t0" | bc -l)"
}

# ---- 1. throughput -------------------------------------------------------------------
echo "1. $tasks trivial tasks through the pilot on $nodes nodes..." >&2
read -r p_t0 p_s <<<"$(timed_run "$work/pilot" prof-pilot.json "$tasks")"
read -r p_first p_tail <<<"$(event_times "$work/pilot" "$p_t0")"
agents=$(grep -c "flowc agent: on" "$work/pilot/.flow/pilot/agent.log" || true)
echo "   $batch_tasks as one sbatch per task, and as job arrays..." >&2
read -r _ e_s <<<"$(timed_run "$work/each" prof-each.json "$batch_tasks")"
read -r _ a_s <<<"$(timed_run "$work/array" prof-array.json "$batch_tasks")"
echo "   the spawn floor..." >&2
mkdir -p floor
f0=$(now)
seq "$tasks" | xargs -P "$(nproc)" -I{} sh -c 'echo {} > floor/{}'
f_s=$(echo "$(now) - $f0" | bc -l)

# ---- 2. a campaign killed and resumed -------------------------------------------------
echo "2. a campaign of $campaign tasks, killed at $kill_at finished..." >&2
# Each task also appends its number to one log: a task run twice shows twice.
cat >campaign.flow <<FLOW
op one(i: int, log: str) -> (out: file) { run "echo \${i} > \${out}; echo \${i} >> \${log}" }
workflow main(count: int, log: str) -> (outs: list[file]) {
    for i in range(count) { o = one(i = i, log = log) }
    return (outs = o.out)
}
FLOW
camp="$work/campaign"
mkdir -p "$camp"
c0=$(now)
(cd "$camp" && exec "$flowc" run "$work/campaign.flow" --profile "$work/prof-pilot.json" -p count="$campaign" \
  -p log="$camp/ran.log" >/dev/null 2>err1.txt) &
flowc_pid=$!
finished() { find "$camp/.flow/work" -name .flowc-exit 2>/dev/null | wc -l; }
while kill -0 "$flowc_pid" 2>/dev/null && (($(finished) < kill_at)); do sleep 1; done
kill -KILL "$flowc_pid" 2>/dev/null || true
wait "$flowc_pid" 2>/dev/null || true
flowc_pid=
c_first=$(echo "$(now) - $c0" | bc -l)
done_before=$(finished)
# The killed flowc's agents finish what they had claimed; the rerun adopts
# what finished, cancels that allocation (settle) and makes its own.
c1=$(now)
(cd "$camp" && "$flowc" run "$work/campaign.flow" --profile "$work/prof-pilot.json" -p count="$campaign" \
  -p log="$camp/ran.log" >/dev/null 2>err2.txt) || { cat "$camp/err2.txt" >&2; exit 1; }
c_second=$(echo "$(now) - $c1" | bc -l)
read -r c_ran c_cached <<<"$(ran_cached "$camp/err2.txt")"
c_runs=$(wc -l <"$camp/ran.log")
c_unique=$(sort -u "$camp/ran.log" | wc -l)
c_outputs=$(find "$camp/.flow/work" -name out -type f | wc -l)

# ---- 3. weak scaling, pilot vs batch --------------------------------------------------
echo "3. std/table sort, weak scaling, pilot vs batch..." >&2
cat >table.flow <<'FLOW'
import "std/table.flow"
workflow main(table: file, ranks: int) -> (sorted: file) {
    s = sort(table = table, by = "id", ranks = ranks, numeric = true)
    return (sorted = s.sorted)
}
FLOW
cat >prof-table.json <<'JSON'
{"executors": {"slurm": {"poll_interval": 0.2, "sbatch_args": ["--ntasks-per-node=1"]},
               "slurm-pilot": {"poll_interval": 0.2, "time": "1h"}}}
JSON
generate() {  # generate FILE ROWS SEED
  awk -v rows="$2" -v seed="$3" 'BEGIN { srand(seed); print "id,a"
    for (i = 0; i < rows; i++) printf "%d,%d\n", int(rand() * rows), i }' >"$1"
}
sort_seconds() {  # the sort task's own seconds, from its `finished` event
  python3 - "$1/.flow" <<'PY'
import json, os, sys, glob
run = sorted(glob.glob(os.path.join(sys.argv[1], "runs", "*")))[-1]
for line in open(os.path.join(run, "events.jsonl")):
    e = json.loads(line)
    if e["event"] == "finished" and e.get("op") == "sort":
        print(f"{e['seconds']:.3f}")
PY
}
table_run() {  # table_run EXECUTOR RANKS: seconds of the sort task
  local d="$work/table-$1-$2" extra=()
  [[ "$1" == slurm-pilot ]] && extra=(--nodes "$2")
  rm -rf "$d" && mkdir -p "$d"
  (cd "$d" && "$flowc" run "$work/table.flow" --executor "$1" "${extra[@]}" --profile "$work/prof-table.json" \
    -p table="$work/t$2.csv" -p ranks="$2" --fresh >/dev/null 2>err.txt) || { cat "$d/err.txt" >&2; exit 1; }
  sort_seconds "$d"
}
rank_counts=(1 2 4)
((nodes >= 4)) || rank_counts=(1 2)
declare -A batch_s pilot_s
for r in "${rank_counts[@]}"; do
  generate "t$r.csv" $((rows * r)) "$r"
  batch_s[$r]=$(table_run slurm "$r")
  pilot_s[$r]=$(table_run slurm-pilot "$r")
done

echo
echo "bench/cluster/pilot.sh: $nodes simulated nodes on $(nproc) cores (load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "1. Trivial tasks"
printf '   %-44s %7d tasks %8.1f s %9s tasks/s\n' "pilot, $agents agents on $nodes nodes" "$tasks" "$p_s" "$(rate "$tasks" "$p_s")"
printf '   %-44s %7d tasks %8.1f s %9s tasks/s\n' "one sbatch per task" "$batch_tasks" "$e_s" "$(rate "$batch_tasks" "$e_s")"
printf '   %-44s %7d tasks %8.1f s %9s tasks/s\n' "job arrays" "$batch_tasks" "$a_s" "$(rate "$batch_tasks" "$a_s")"
printf '   %-44s %7d tasks %8.1f s %9s tasks/s\n' "spawn floor: xargs -P $(nproc), no tool" "$tasks" "$f_s" "$(rate "$tasks" "$f_s")"
printf '   pilot/sbatch %sx, pilot/arrays %sx, pilot/floor %s; goal >= 1000 tasks/s: %s\n' \
  "$(ratio "$(rate "$tasks" "$p_s")" "$(rate "$batch_tasks" "$e_s")")" \
  "$(ratio "$(rate "$tasks" "$p_s")" "$(rate "$batch_tasks" "$a_s")")" \
  "$(ratio "$(rate "$tasks" "$p_s")" "$(rate "$tasks" "$f_s")")" "$(met "$(rate "$tasks" "$p_s")" 1000)"
printf '   pilot start-up to the first task finished: %s s; tail (last started -> last finished): %s s\n' "$p_first" "$p_tail"
echo
echo "2. A campaign of $campaign tasks through the pilot, flowc killed (SIGKILL) and run again"
printf '   first run: killed after %.1f s with %d tasks finished (%s tasks/s)\n' "$c_first" "$done_before" "$(rate "$done_before" "$c_first")"
printf '   rerun: %.1f s, %d ran, %d cached (%s tasks/s)\n' "$c_second" "$c_ran" "$c_cached" "$(rate "$c_ran" "$c_second")"
printf '   commands run over both runs: %d for %d distinct tasks (%d outputs); nothing redone: %s\n' "$c_runs" \
  "$c_unique" "$c_outputs" "$([[ "$c_runs" -eq "$c_unique" && "$c_unique" -eq "$campaign" ]] && echo yes || echo NO)"
echo
echo "3. std/table sort, one rank per node, $rows rows per rank (weak scaling)"
b1=${batch_s[1]}; q1=${pilot_s[1]}
for r in "${rank_counts[@]}"; do
  printf '   %d rank(s): batch %7.2f s (efficiency %s)   pilot %7.2f s (efficiency %s)   pilot/batch time %s\n' "$r" \
    "${batch_s[$r]}" "$(ratio "$b1" "${batch_s[$r]}")" "${pilot_s[$r]}" "$(ratio "$q1" "${pilot_s[$r]}")" \
    "$(ratio "${pilot_s[$r]}" "${batch_s[$r]}")"
done
