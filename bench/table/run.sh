#!/usr/bin/env bash
# bench/table: flowc-table (std/table.flow's MPI program) beside the faster of
# two single-process references, in one run, taking turns:
#   1. join of two generated tables of N rows each (default 10 M) on 1 and 2
#      ranks, against coreutils (`LC_ALL=C sort | join`) and sqlite3 (an
#      in-memory join of the imported CSVs): wall time, input rows/s, ratios;
#   2. weak scaling: N/2 rows per table on 1 rank, then N on 2 (rows per rank
#      fixed): the efficiency t1/t2 (1.0 is perfect);
#   3. sort of 2N rows (default 20 M) on 1 and 2 ranks against `LC_ALL=C sort
#      -s` (the same stable order: the outputs are compared byte for byte)
#      and sqlite3's ORDER BY;
#   4. peak RSS of each rank (flowc-table --stats: getrusage per rank) and of
#      each reference (/usr/bin/time).
# The references get the same two cores (sort --parallel=2); every result's
# row count is checked against the reference's.
#
#   bench/table/run.sh [BUILD_DIR]
#   N=1000000 bench/table/run.sh build     (scaled down: ~1 minute)
# Runs in $TMPDIR (default /tmp); needs ~60 bytes of disk per row.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
n=${N:-10000000}
"$root/bench/prepare.sh" "$build" flowc-table
table=$(cd "$build" && pwd)/flowc-table
mpirun=(mpirun --oversubscribe --bind-to none)
[[ $(id -u) -eq 0 ]] && mpirun+=(--allow-run-as-root)

work=$(mktemp -d "${TMPDIR:-/tmp}/flowc-bench-table.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# TABLE ROWS COLUMN SEED: "id,COLUMN" with ids uniform in [0, ROWS) (so a
# join of two such tables has about ROWS rows).
generate() {
  awk -v rows="$2" -v col="$3" -v seed="$4" 'BEGIN {
    srand(seed); print "id," col
    for (i = 0; i < rows; i++) printf "%d,%d\n", int(rand() * rows), i
  }' > "$1"
}
now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
rate() { awk -v rows="$1" -v s="$2" 'BEGIN { printf "%.2f M", rows / s / 1e6 }'; }
rows_of() { local c; c=$(wc -l < "$1"); echo $((c - ${2:-0})); }

# timed NAME COMMAND...: runs it under /usr/bin/time; sets $seconds and $rss (MiB).
timed() {
  local name=$1; shift
  local start end
  start=$(now)
  /usr/bin/time -f '%M' -o "$name.time" "$@"
  end=$(now)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  rss=$(awk '{ printf "%.0f", $1 / 1024 }' "$name.time")
}

# flowc-table on RANKS ranks; sets $seconds and $rank_rss ("r0 / r1" MiB).
run_table() {
  local name=$1 ranks=$2; shift 2
  local start end
  start=$(now)
  "${mpirun[@]}" -np "$ranks" "$table" "$@" --stats 2> "$name.stats"
  end=$(now)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  rank_rss=$(sed -n 's/.*"peak_rss_mib": \([0-9.]*\).*/\1/p' "$name.stats" | awk '{ printf "%s%.0f", (NR > 1 ? " / " : ""), $1 }')
  # The slowest rank's own time, from MPI_Init to its last write (the rest
  # of the wall time is mpirun starting and ending the ranks).
  inside=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$name.stats" | sort -g | tail -1)
  rank_rss="$rank_rss (ranks' own time ${inside} s)"
}

half=$((n / 2))
echo "bench/table: N = $n rows per table ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
echo "generating..."
generate left.csv "$n" a 1
generate right.csv "$n" b 2
generate left_half.csv "$half" a 3
generate right_half.csv "$half" b 4
generate big.csv $((2 * n)) a 5

# ---- 1. join -----------------------------------------------------------------
echo
echo "join of two $n-row tables on id (input rows/s = 2N / wall)"
timed coreutils bash -c '
  tail -n +2 left.csv | LC_ALL=C sort -t, -k1,1 --parallel=2 -S 40% > l.sorted
  tail -n +2 right.csv | LC_ALL=C sort -t, -k1,1 --parallel=2 -S 40% > r.sorted
  LC_ALL=C join -t, l.sorted r.sorted > join.coreutils'
t_core=$seconds rss_core=$rss
rm -f l.sorted r.sorted
timed sqlite sqlite3 :memory: \
  ".mode csv" ".import left.csv l" ".import right.csv r" ".output join.sqlite" \
  "SELECT l.id, l.a, r.b FROM l JOIN r ON l.id = r.id;"
t_sql=$seconds rss_sql=$rss
expected=$(rows_of join.coreutils)
[[ $(rows_of join.sqlite) -eq $expected ]] || { echo "sqlite3's join has $(rows_of join.sqlite) rows, coreutils' $expected" >&2; exit 1; }
rm -f join.sqlite
t_ref=$t_core ref="coreutils sort | join"
if awk -v a="$t_sql" -v b="$t_core" 'BEGIN { exit !(a < b) }'; then t_ref=$t_sql ref="sqlite3"; fi

run_table join1 1 join --left left.csv --right right.csv --on id --output join.out
t_j1=$seconds rss_j1=$rank_rss
[[ $(rows_of join.out 1) -eq $expected ]] || { echo "flowc-table join: $(rows_of join.out 1) rows, expected $expected" >&2; exit 1; }
run_table join2 2 join --left left.csv --right right.csv --on id --output join.out
t_j2=$seconds rss_j2=$rank_rss
[[ $(rows_of join.out 1) -eq $expected ]] || { echo "flowc-table join (2 ranks): $(rows_of join.out 1) rows, expected $expected" >&2; exit 1; }
rm -f join.out join.coreutils

printf '  %-34s %8s %12s %16s %s\n' "" "wall s" "rows/s" "vs reference" "peak RSS MiB (per rank)"
printf '  %-34s %8s %12s %16s %s\n' "coreutils sort | join" "$t_core" "$(rate $((2 * n)) "$t_core")" "$(ratio "$t_ref" "$t_core")x" "$rss_core"
printf '  %-34s %8s %12s %16s %s\n' "sqlite3 (in memory)" "$t_sql" "$(rate $((2 * n)) "$t_sql")" "$(ratio "$t_ref" "$t_sql")x" "$rss_sql"
printf '  %-34s %8s %12s %16s %s\n' "flowc-table join, 1 rank" "$t_j1" "$(rate $((2 * n)) "$t_j1")" "$(ratio "$t_ref" "$t_j1")x" "$rss_j1"
printf '  %-34s %8s %12s %16s %s\n' "flowc-table join, 2 ranks" "$t_j2" "$(rate $((2 * n)) "$t_j2")" "$(ratio "$t_ref" "$t_j2")x" "$rss_j2"
echo "  reference: $ref (the faster); 2 ranks vs 1: $(ratio "$t_j1" "$t_j2")x"

# ---- 2. weak scaling -----------------------------------------------------------
run_table weak1 1 join --left left_half.csv --right right_half.csv --on id --output weak.out
t_w1=$seconds
rm -f weak.out
echo
echo "weak scaling of join ($half rows per table per rank)"
echo "  1 rank, $half-row tables: ${t_w1} s; 2 ranks, $n-row tables: ${t_j2} s; efficiency $(ratio "$t_w1" "$t_j2")"

# ---- 3. sort -------------------------------------------------------------------
echo
echo "sort of $((2 * n)) rows by id (string order, stable)"
timed coresort bash -c '
  { head -n 1 big.csv; tail -n +2 big.csv | LC_ALL=C sort -s -t, -k1,1 --parallel=2 -S 40%; } > sort.coreutils'
t_cs=$seconds rss_cs=$rss
timed sqlsort sqlite3 :memory: ".mode csv" ".headers on" ".import big.csv t" ".output sort.sqlite" \
  "SELECT * FROM t ORDER BY id;"
t_ss=$seconds rss_ss=$rss
[[ $(rows_of sort.sqlite) -eq $(rows_of sort.coreutils) ]] || { echo "sqlite3's sort lost rows" >&2; exit 1; }
rm -f sort.sqlite
t_sref=$t_cs sref="coreutils sort -s"
if awk -v a="$t_ss" -v b="$t_cs" 'BEGIN { exit !(a < b) }'; then t_sref=$t_ss sref="sqlite3"; fi
run_table sort1 1 sort --input big.csv --by id --output sort.out
t_s1=$seconds rss_s1=$rank_rss
cmp -s sort.out sort.coreutils || { echo "flowc-table sort (1 rank) differs from coreutils' stable sort" >&2; exit 1; }
run_table sort2 2 sort --input big.csv --by id --output sort.out
t_s2=$seconds rss_s2=$rank_rss
cmp -s sort.out sort.coreutils || { echo "flowc-table sort (2 ranks) differs from coreutils' stable sort" >&2; exit 1; }
rm -f sort.out sort.coreutils
printf '  %-34s %8s %12s %16s %s\n' "" "wall s" "rows/s" "vs reference" "peak RSS MiB (per rank)"
printf '  %-34s %8s %12s %16s %s\n' "coreutils sort -s --parallel=2" "$t_cs" "$(rate $((2 * n)) "$t_cs")" "$(ratio "$t_sref" "$t_cs")x" "$rss_cs"
printf '  %-34s %8s %12s %16s %s\n' "sqlite3 ORDER BY (in memory)" "$t_ss" "$(rate $((2 * n)) "$t_ss")" "$(ratio "$t_sref" "$t_ss")x" "$rss_ss"
printf '  %-34s %8s %12s %16s %s\n' "flowc-table sort, 1 rank" "$t_s1" "$(rate $((2 * n)) "$t_s1")" "$(ratio "$t_sref" "$t_s1")x" "$rss_s1"
printf '  %-34s %8s %12s %16s %s\n' "flowc-table sort, 2 ranks" "$t_s2" "$(rate $((2 * n)) "$t_s2")" "$(ratio "$t_sref" "$t_s2")x" "$rss_s2"
echo "  reference: $sref (the faster); outputs identical byte for byte; 2 ranks vs 1: $(ratio "$t_s1" "$t_s2")x"
echo "  (vs reference > 1 means flowc-table is faster)"
