#!/usr/bin/env bash
# bench/slurm: flowc on a real single-node Slurm (started here with
# scripts/slurm-setup.sh, stopped at the end if this script started it).
#
#  1. N short tasks (`echo i > out_i`), taking turns each round:
#     - floor: a bare loop of `sbatch --wrap` for all N, then waiting until
#       squeue shows none of them (the best one-job-per-task can do);
#     - flowc --executor slurm (one sbatch per task, one squeue per poll;
#       job arrays off: "array_min": 0);
#     - flowc --executor slurm with job arrays (the default: the N alike
#       tasks go as one `sbatch --array`);
#     - flowc --executor slurm-pilot (one allocation, tasks through the agent).
#     Prints tasks/s, the pilot/sbatch and array/sbatch ratios (goal for the
#     pilot: >= 20x), flowc's sbatch
#     submission rate and the time from a job's end (its exit status file) to
#     flowc noticing it (its `finished` event).
#  2. An MPI allreduce of 4 ranks running ~3 s: bare `mpirun` vs the same
#     program as a flowc op (local executor): overhead (goal: <= 5%).
#
#   bench/slurm/run.sh [BUILD_DIR]        N=200 ROUNDS=1 MPI_ROUNDS=3 to change
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:-build}")
N=${N:-200}
ROUNDS=${ROUNDS:-1}
MPI_ROUNDS=${MPI_ROUNDS:-3}
"$root/bench/prepare.sh" "$build" flowc mpi_probe

state="$build/bench-slurm"
started=0
if ! "$root/scripts/slurm-setup.sh" "$state" | grep -q "already running"; then started=1; fi
cleanup() { if ((started)); then "$root/scripts/slurm-stop.sh" "$state" >/dev/null; fi; }
trap cleanup EXIT
export SLURM_CONF="$state/slurm.conf"

work=$(mktemp -d "${TMPDIR:-/tmp}/flowc-bench-slurm.XXXXXX")
trap 'cleanup; rm -rf "$work"' EXIT
cat >"$work/short.flow" <<FLOW
op one(i: int) -> (out: file) { run "echo \${i} > \${out}" }
workflow main(count: int = $N) -> (outs: list[file]) {
    for i in range(count) { o = one(i = i) }
    return (outs = o.out)
}
FLOW
cat >"$work/prof.json" <<'JSON'
{"executors": {"slurm": {"poll_interval": 0.5, "submit_rate": 100, "max_queued": 1000, "array_min": 0},
               "slurm-pilot": {"poll_interval": 0.5, "time": "30m"}}}
JSON
cat >"$work/prof-array.json" <<'JSON'
{"executors": {"slurm": {"poll_interval": 0.5, "submit_rate": 100, "max_queued": 1000}}}
JSON

now() { date +%s.%N; }
wait_empty() {  # until none of the jobs named $1 are pending or running
  while [[ -n "$(squeue -h -n "$1" -o %i)" ]]; do sleep 0.2; done
}

floor_run() {
  local d="$work/floor" t0 t1
  rm -rf "$d" && mkdir -p "$d"
  t0=$(now)
  for ((i = 0; i < N; i++)); do
    sbatch --parsable -J flowc-bench-floor -o /dev/null --wrap "echo $i > $d/out_$i" >/dev/null
  done
  wait_empty flowc-bench-floor
  t1=$(now)
  [[ $(ls "$d" | wc -l) -eq $N ]] || { echo "floor: not all outputs were written" >&2; exit 1; }
  echo "$t0 $t1" | awk '{print $2 - $1}'
}

flowc_run() {  # flowc_run EXECUTOR [PROFILE]
  local d="$work/$1${2:+-array}" t0 t1
  rm -rf "$d" && mkdir -p "$d"
  t0=$(now)
  (cd "$d" && "$build/flowc" run "$work/short.flow" --executor "$1" --profile "${2:-$work/prof.json}" --fresh \
    >/dev/null 2>"$d/err.txt") || { cat "$d/err.txt" >&2; exit 1; }
  t1=$(now)
  echo "$t0 $t1" | awk '{print $2 - $1}'
}

# Submission rate and end-to-notice latency of the last sbatch-mode run.
sbatch_stats() {  # sbatch_stats RUN_DIR: "<submissions/s> <lag median> <lag max> <seconds to submit all>"
  python3 - "$1/.flow" <<'PY'
import json, os, sys, glob, statistics
state = sys.argv[1]
run = sorted(glob.glob(os.path.join(state, "runs", "*")))[-1]
events = [json.loads(l) for l in open(os.path.join(run, "events.jsonl"))]
starts = sorted(e["time"] for e in events if e["event"] == "started")
lags = []
for e in events:
    if e["event"] == "finished":
        ended = os.stat(os.path.join(e["work_dir"], ".flowc-exit")).st_mtime
        lags.append(e["time"] - ended)
rate = (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 else 0
print(f"{rate:.1f} {statistics.median(lags):.3f} {max(lags):.3f} {starts[-1] - starts[0]:.2f}")
PY
}

declare -a floor_s slurm_s array_s pilot_s
for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r/$ROUNDS: $N tasks each way..." >&2
  floor_s+=("$(floor_run)")
  slurm_s+=("$(flowc_run slurm)")
  stats=$(sbatch_stats "$work/slurm")
  array_s+=("$(flowc_run slurm "$work/prof-array.json")")
  array_stats=$(sbatch_stats "$work/slurm-array")
  pilot_s+=("$(flowc_run slurm-pilot)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
f=$(median "${floor_s[@]}")
s=$(median "${slurm_s[@]}")
a=$(median "${array_s[@]}")
p=$(median "${pilot_s[@]}")
read -r rate lag_median lag_max submit_all <<<"$stats"
read -r _ array_lag_median array_lag_max array_submit_all <<<"$array_stats"

echo
echo "== $N short tasks on a single-node Slurm ($(nproc) cores), median of $ROUNDS =="
awk -v n="$N" -v f="$f" -v s="$s" -v a="$a" -v p="$p" 'BEGIN {
  printf "  %-40s %8.1f s  %7.1f tasks/s\n", "floor: bare sbatch loop, then squeue", f, n / f
  printf "  %-40s %8.1f s  %7.1f tasks/s\n", "flowc --executor slurm, one job per task", s, n / s
  printf "  %-40s %8.1f s  %7.1f tasks/s\n", "flowc --executor slurm, one job array", a, n / a
  printf "  %-40s %8.1f s  %7.1f tasks/s\n", "flowc --executor slurm-pilot", p, n / p
  printf "  pilot vs one sbatch per task: %.1fx (goal >= 20x: %s)\n", s / p, (s / p >= 20) ? "met" : "NOT met"
  printf "  job array vs one sbatch per task: %.1fx; pilot vs job array: %.1fx\n", s / a, a / p
  printf "  flowc sbatch mode vs the floor: %.2fx the floor'\''s time\n", s / f
}'
echo "  flowc sbatch mode: $rate submissions/s; a job's end noticed after ${lag_median}s (median), ${lag_max}s (max)"
echo "  all $N tasks in Slurm's queue after: ${submit_all}s one job per task ($N sbatch calls)," \
  "${array_submit_all}s as a job array (1 sbatch call); an element's end noticed after ${array_lag_median}s (median)," \
  "${array_lag_max}s (max)"
echo "  (a job array saves the sbatch calls, not Slurm's start of each job: the run's time is the scheduler's)"

# ---- MPI: bare mpirun vs a flowc op ----------------------------------------
cat >"$work/mpi.flow" <<FLOW
op allreduce(prog: str, seconds: float) -> (report: file) {
    mpi { ranks = 4 }
    cache false
    run "\${prog} \${report} --seconds \${seconds}"
}
workflow main(prog: str, seconds: float = 3.0) -> (report: file) {
    a = allreduce(prog = prog, seconds = seconds)
    return (report = a.report)
}
FLOW
root_flag=""
[[ $(id -u) -eq 0 ]] && root_flag="--allow-run-as-root"
declare -a bare_s op_s
for ((r = 1; r <= MPI_ROUNDS; r++)); do
  echo "MPI round $r/$MPI_ROUNDS..." >&2
  t0=$(now)
  mpirun -np 4 --oversubscribe --bind-to none $root_flag "$build/tests/mpi_probe" "$work/bare.txt" --seconds 3 >/dev/null
  t1=$(now)
  bare_s+=("$(echo "$t0 $t1" | awk '{print $2 - $1}')")
  t0=$(now)
  (cd "$work" && "$build/flowc" run mpi.flow -p "prog=$build/tests/mpi_probe" >/dev/null 2>"$work/mpi-err.txt") ||
    { cat "$work/mpi-err.txt" >&2; exit 1; }
  t1=$(now)
  op_s+=("$(echo "$t0 $t1" | awk '{print $2 - $1}')")
done
b=$(median "${bare_s[@]}")
o=$(median "${op_s[@]}")
echo
echo "== MPI allreduce, 4 ranks, ~3 s, median of $MPI_ROUNDS =="
awk -v b="$b" -v o="$o" 'BEGIN {
  printf "  %-40s %8.2f s\n", "bare mpirun", b
  printf "  %-40s %8.2f s\n", "flowc run (local executor, mpirun)", o
  printf "  overhead: %.1f%% (goal <= 5%%: %s)\n", (o - b) / b * 100, ((o - b) / b <= 0.05) ? "met" : "NOT met"
}'
