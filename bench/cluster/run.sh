#!/usr/bin/env bash
# bench/cluster: flowc on a multi-node Slurm of simulated nodes on this one
# machine (scripts/cluster-setup.sh NODES: each node a network, UTS and mount
# namespace; started here, stopped at the end if this script started it).
# Every figure beside its comparison, in the same run:
#
#  1. MPI allreduce across 2 nodes (mpi_probe, 4 ranks, 2 per node, looping
#     allreduces of 8 KiB for S seconds): flowc `mpi { ranks = 4 }` under
#     --executor slurm vs a bare `srun --mpi=pmix -N2 -n4` of the same
#     program. Allreduces per second (goal: within 5%), and wall time.
#  2. A cross-node stream of 1 MiB messages (flowc-stream-tool emit -> sink,
#     streams "native", each a Slurm job, on two nodes) vs raw ZeroMQ
#     PUSH/PULL between the same two nodes' namespaces (the same tool's
#     raw-push / raw-pull, tcp on the nodes' addresses). Goal: >= 80%.
#  3. TASKS trivial tasks: one sbatch per task vs job arrays, on the cluster
#     (tasks/s). The pilot's column comes with the multi-node pilot.
#  4. std/table join and sort with ranks spread over nodes (one rank per
#     node), weak scaling (ROWS rows per rank): 1, 2, 4 ranks as plain
#     Slurm jobs (--executor slurm); efficiency t1/tN (goal: >= 0.9).
#
#   bench/cluster/run.sh [BUILD_DIR]
#   NODES=4 S=10 TASKS=100 ROWS=1000000 ROUNDS=3 bench/cluster/run.sh build
# (defaults shown; medians of ROUNDS, taking turns). The nodes are this
# machine's cores shared out: compare ratios, not absolute figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:-build}")
nodes=${NODES:-4}
seconds=${S:-10}
tasks=${TASKS:-100}
rows=${ROWS:-1000000}
rounds=${ROUNDS:-3}
messages=${MESSAGES:-1024}
"$root/bench/prepare.sh" "$build" flowc mpi_probe flowc-stream-tool flowc-table
flowc="$build/flowc"
probe="$build/tests/mpi_probe"
[[ -x "$probe" ]] || probe=$(find "$build" -name mpi_probe -type f -perm -u+x | head -1)
tool="$build/stdlib-ops/flowc-stream-tool"

state="$build/bench-cluster"
started=0
if ! "$root/scripts/cluster-setup.sh" "$nodes" "$state" | grep -q "already running"; then started=1; fi
# The work folder is on the cluster's shared file system (the nodes have
# their own /tmp), beside its state.
work=$(mktemp -d "$state/work.XXXXXX")
cleanup() {
  cd /
  rm -rf "$work"
  if ((started)); then "$root/scripts/cluster-stop.sh" "$state" >/dev/null; fi
}
trap cleanup EXIT
. "$state/env.sh"
cd "$work"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
m() { printf '%s\n' "$@" | median; }
field() { sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'; }
met() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; then echo met; else echo "NOT met"; fi; }
run_flowc() {  # run_flowc DIR ARGS...: a fresh flowc run in DIR (its stderr kept in DIR/err.txt)
  local d=$1
  shift
  rm -rf "$d" && mkdir -p "$d"
  (cd "$d" && "$flowc" run "$@" --fresh >/dev/null 2>err.txt) || { cat "$d/err.txt" >&2; exit 1; }
}

cat >prof.json <<'JSON'
{"executor": "slurm",
 "executors": {"slurm": {"poll_interval": 0.2, "submit_rate": 100, "max_queued": 1000, "partition": "pair"}}}
JSON

# ---- 1. MPI allreduce across 2 nodes --------------------------------------------
# flowc's default poll interval (1 s): its polling shares the two cores with
# the ranks here, as it would not on a real cluster's login node.
cat >prof-mpi.json <<'JSON'
{"executor": "slurm", "executors": {"slurm": {"partition": "pair"}}}
JSON
cat >mpi.flow <<'FLOW'
op probe(prog: str, seconds: int) -> (report: file) {
    mpi { ranks = 4 }
    run "${prog} ${report} --seconds ${seconds} --nodes"
}
workflow main(prog: str, seconds: int) -> (report: file) {
    p = probe(prog = prog, seconds = seconds)
    return (report = p.report)
}
FLOW
rounds_of() { sed -n 's/.*rounds=\([0-9]*\).*/\1/p' "$1"; }
spread_of() { sed -n 's/^nodes=//p' "$1" | tr ',' '\n' | sort -u | wc -l; }
# Four simulated nodes share two cores: ranks that spin while they wait (Open
# MPI's default when it does not know it is oversubscribed; srun does not
# tell it) starve each other. Both sides of the comparison yield.
mpi_bare() {
  local t0 t1
  export OMPI_MCA_mpi_yield_when_idle=1
  t0=$(now)
  srun --mpi=pmix -p pair -N2 -n4 --chdir "$work" "$probe" "$work/bare.txt" --seconds "$seconds" --nodes >/dev/null
  t1=$(now)
  [[ $(spread_of bare.txt) == 2 ]] || { echo "bench/cluster: the bare srun did not span 2 nodes" >&2; exit 1; }
  echo "$(rounds_of bare.txt) $(echo "$t1 - $t0" | bc -l)"
}
mpi_flowc() {
  local t0 t1
  export OMPI_MCA_mpi_yield_when_idle=1
  t0=$(now)
  run_flowc "$work/mpi" "$work/mpi.flow" --profile "$work/prof-mpi.json" -p prog="$probe" -p seconds="$seconds" -o out
  t1=$(now)
  [[ $(spread_of mpi/out/report/report) == 2 ]] || { echo "bench/cluster: flowc's MPI task did not span 2 nodes" >&2; exit 1; }
  echo "$(rounds_of mpi/out/report/report) $(echo "$t1 - $t0" | bc -l)"
}

# ---- 2. a cross-node stream of 1 MiB messages -------------------------------------
cat >stream.flow <<'FLOW'
op emit(tool: str, n: int, size: int) -> (out: stream[bytes]) { streams "native" run "hostname > host; ${tool} emit ${n} ${size}" }
op sink(tool: str, frames: stream[bytes]) -> (summary: file) { streams "native" run "hostname > host; ${tool} sink ${summary}" }
workflow main(tool: str, n: int, size: int) -> (summary: file) {
    e = emit(tool = tool, n = n, size = size)
    s = sink(tool = tool, frames = e.out)
    return (summary = s.summary)
}
FLOW
addr_of() { awk -v n="$1" '$2 == n {print $1}' "$FLOWC_CLUSTER_DIR/hosts"; }
stream_raw() {  # raw ZeroMQ, node2 pulls from node1
  rm -f raw.json
  on_node node2 "$tool" raw-pull "tcp://$(addr_of node2):5999" "$work/raw.json" &
  local pid=$!
  sleep 0.3
  on_node node1 env FLOWC_STREAM_HOST="$(addr_of node1)" "$tool" raw-push "tcp://$(addr_of node2):5999" "$messages" 1048576
  wait "$pid"
  field raw.json mb_per_s
}
stream_flowc() {
  run_flowc "$work/stream" "$work/stream.flow" --profile "$work/prof.json" -p tool="$tool" -p n="$messages" -p size=1048576 -o out
  local got
  got=$(field stream/out/summary/summary messages)
  [[ "$got" == "$messages" ]] || { echo "bench/cluster: the stream delivered $got of $messages" >&2; exit 1; }
  [[ $(find stream/.flow/work -name host -exec cat {} + | sort -u | wc -l) == 2 ]] ||
    { echo "bench/cluster: the stream's producer and consumer ran on the same node" >&2; exit 1; }
  field stream/out/summary/summary mb_per_s
}

# ---- 3. trivial tasks: one sbatch each vs job arrays --------------------------------
cat >short.flow <<FLOW
op one(i: int) -> (out: file) { run "echo \${i} > \${out}" }
workflow main(count: int) -> (outs: list[file]) {
    for i in range(count) { o = one(i = i) }
    return (outs = o.out)
}
FLOW
cat >prof-each.json <<'JSON'
{"executor": "slurm", "executors": {"slurm": {"poll_interval": 0.2, "submit_rate": 100, "max_queued": 1000, "array_min": 0}}}
JSON
cat >prof-array.json <<'JSON'
{"executor": "slurm", "executors": {"slurm": {"poll_interval": 0.2, "submit_rate": 100, "max_queued": 1000}}}
JSON
short_run() {  # short_run PROFILE: seconds
  local t0 t1
  t0=$(now)
  run_flowc "$work/short" "$work/short.flow" --profile "$work/$1" -p count="$tasks"
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

# ---- 4. std/table join and sort, ranks spread over nodes, weak scaling -----------------
cat >table.flow <<'FLOW'
import "std/table.flow"
workflow main(left: file, right: file, ranks: int) -> (joined: file, sorted: file) {
    j = join(left = left, right = right, on = "id", ranks = ranks, numeric = true)
    s = sort(table = left, by = "id", ranks = ranks, numeric = true)
    return (joined = j.joined, sorted = s.sorted)
}
FLOW
cat >prof-table.json <<'JSON'
{"executor": "slurm",
 "executors": {"slurm": {"poll_interval": 0.2, "sbatch_args": ["--ntasks-per-node=1"]}}}
JSON
generate() {  # generate FILE ROWS COLUMN SEED
  awk -v rows="$2" -v col="$3" -v seed="$4" 'BEGIN {
    srand(seed); print "id," col
    for (i = 0; i < rows; i++) printf "%d,%d\n", int(rand() * rows), i
  }' >"$1"
}
rank_counts=(1 2 4)
((nodes >= 4)) || rank_counts=(1 2)
for r in "${rank_counts[@]}"; do
  generate "left$r.csv" $((rows * r)) a "$r"
  generate "right$r.csv" $((rows * r)) b $((r + 10))
done
# The seconds of the join and the sort tasks, from their `finished` events.
task_seconds() {  # task_seconds DIR OP
  python3 - "$1/.flow" "$2" <<'PY'
import json, os, sys, glob
run = sorted(glob.glob(os.path.join(sys.argv[1], "runs", "*")))[-1]
for line in open(os.path.join(run, "events.jsonl")):
    e = json.loads(line)
    if e["event"] == "finished" and e.get("op") == sys.argv[2]:
        print(f"{e['seconds']:.3f}")
PY
}
table_run() {  # table_run RANKS: "<join s> <sort s>"
  run_flowc "$work/table$1" "$work/table.flow" --profile "$work/prof-table.json" -p left="$work/left$1.csv" \
    -p right="$work/right$1.csv" -p ranks="$1" -o out
  echo "$(task_seconds "$work/table$1" join) $(task_seconds "$work/table$1" sort)"
}

declare -a bare_rounds bare_wall flowc_rounds flowc_wall raw_mb flowc_mb each_s array_s
declare -A join_s sort_s
for ((round = 1; round <= rounds; round++)); do
  echo "round $round of $rounds..." >&2
  read -r br bw <<<"$(mpi_bare)"
  read -r fr fw <<<"$(mpi_flowc)"
  bare_rounds+=("$br"); bare_wall+=("$bw"); flowc_rounds+=("$fr"); flowc_wall+=("$fw")
  raw_mb+=("$(stream_raw)")
  flowc_mb+=("$(stream_flowc)")
  each_s+=("$(short_run prof-each.json)")
  array_s+=("$(short_run prof-array.json)")
  for r in "${rank_counts[@]}"; do
    read -r j s <<<"$(table_run "$r")"
    join_s[$r]+="$j "
    sort_s[$r]+="$s "
  done
done

br=$(m "${bare_rounds[@]}"); bw=$(m "${bare_wall[@]}")
fr=$(m "${flowc_rounds[@]}"); fw=$(m "${flowc_wall[@]}")
rm_=$(m "${raw_mb[@]}"); fm=$(m "${flowc_mb[@]}")
es=$(m "${each_s[@]}"); as=$(m "${array_s[@]}")

echo
echo "bench/cluster: $nodes simulated nodes on $(nproc) cores, medians of $rounds rounds (load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "1. MPI allreduce across 2 nodes (4 ranks, 2 per node, ${seconds} s of 8 KiB allreduces)"
printf '   %-42s %6s allreduces in %s s (%s/s)  %6.2f s wall\n' "bare srun --mpi=pmix -N2 -n4" "$br" "$seconds" "$(awk -v r="$br" -v s="$seconds" 'BEGIN {printf "%.1f", r / s}')" "$bw"
printf '   %-42s %6s allreduces in %s s (%s/s)  %6.2f s wall\n' "flowc mpi { ranks = 4 }, --executor slurm" "$fr" "$seconds" "$(awk -v r="$fr" -v s="$seconds" 'BEGIN {printf "%.1f", r / s}')" "$fw"
printf '   flowc/bare: allreduces %s (goal within 5%%: %s), wall time %s\n' "$(ratio "$fr" "$br")" \
  "$(met "$(ratio "$fr" "$br")" 0.95)" "$(ratio "$fw" "$bw")"
echo
echo "2. A stream of $messages messages of 1 MiB from node to node"
printf '   %-38s %8.0f MB/s\n' "raw ZeroMQ PUSH/PULL (tcp)" "$rm_"
printf '   %-38s %8.0f MB/s\n' "flowc, streams \"native\", 2 Slurm jobs" "$fm"
printf '   flowc/raw: %s%% (goal >= 80%%: %s)\n' "$(pct "$fm" "$rm_")" "$(met "$(pct "$fm" "$rm_")" 80)"
echo
echo "3. $tasks trivial tasks on the cluster"
printf '   %-38s %6.1f s  %6.1f tasks/s\n' "one sbatch per task" "$es" "$(awk -v n="$tasks" -v s="$es" 'BEGIN {print n / s}')"
printf '   %-38s %6.1f s  %6.1f tasks/s\n' "job arrays" "$as" "$(awk -v n="$tasks" -v s="$as" 'BEGIN {print n / s}')"
printf '   arrays/sbatch: %sx (the pilot column comes with the multi-node pilot)\n' "$(ratio "$es" "$as")"
echo
echo "4. std/table, one rank per node, $rows rows per rank and table (weak scaling), plain Slurm jobs"
j1=$(m ${join_s[1]}); s1=$(m ${sort_s[1]})
for r in "${rank_counts[@]}"; do
  jr=$(m ${join_s[$r]}); sr=$(m ${sort_s[$r]})
  printf '   %d rank(s) on %d node(s): join %6.2f s (efficiency %s), sort %6.2f s (efficiency %s)\n' "$r" "$r" \
    "$jr" "$(ratio "$j1" "$jr")" "$sr" "$(ratio "$s1" "$sr")"
done
rmax=${rank_counts[-1]}
printf '   weak-scaling efficiency at %d ranks (goal >= 0.9): join %s, sort %s\n' "$rmax" \
  "$(met "$(ratio "$j1" "$(m ${join_s[$rmax]})")" 0.9)" "$(met "$(ratio "$s1" "$(m ${sort_s[$rmax]})")" 0.9)"
