#!/usr/bin/env bash
# bench/stream: flowc's streams (issue 7), each beside its comparison in the
# same run, taking turns, medians of ROUNDS:
#   1. native-mode stream throughput (flowc-stream-tool emit → sink, run by
#      flowc run) as a fraction of a raw ZeroMQ PUSH/PULL loopback (the same
#      tool's raw-push/raw-pull, same transport and high-water mark):
#      1 MiB messages (goal: at least 80%) and 64-byte messages/s;
#   2. stdin/stdout-bridged throughput as a fraction of native: a lone
#      producer and consumer on one host meet through a local pipe
#      (runtime/streams/local_pipe.h); the same through ZeroMQ
#      (FLOWC_STREAM_LOCAL_PIPES=0), as every other bridged stream goes
#      (replicas, fan-in and fan-out, across nodes, to a native command);
#   3. the detector-shaped pipeline, producer → 2 replicas → aggregator,
#      through streams and as a file-based workflow (the producer writes
#      the frames to files, two reducers read them): wall time of the whole
#      `flowc run --fresh`, and the ratio.
# Throughputs of 1 and 2 are the consumer's, from its first message to its
# last; 3 is frames / wall time of the run. For 1 and 2 it also prints the
# CPU time (user + system) of the whole run, every process of the stream
# included, per GiB or per million messages: what the machine pays for a
# stream whatever else runs on it. Throughput on a shared 2-core machine
# swings with the load (2x from one run to the next), so native and bridged
# run back to back in each round, in turns, and each round's own ratio is
# kept: the goals are judged on the median of those.
#
#   bench/stream/run.sh [BUILD_DIR]
#   FRAMES=2048 ROUNDS=7 bench/stream/run.sh     (defaults: 512 frames of 1 MiB, 5 rounds)
# The issue's 2 GiB is FRAMES=2048; the default is scaled down to 512 MiB to
# keep the whole benchmark to a few minutes on a 2-core machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
frames=${FRAMES:-512}
rounds=${ROUNDS:-5}
big=${BIG_MESSAGES:-1024}        # 1 MiB messages per throughput round
small=${SMALL_MESSAGES:-1000000} # 64-byte messages per round
"$root/bench/prepare.sh" "$build" flowc flowc-stream-tool
flowc=$(cd "$build" && pwd)/flowc
tool=$(cd "$build" && pwd)/stdlib-ops/flowc-stream-tool

work=$(mktemp -d "${TMPDIR:-/tmp}/flowc-bench-stream.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > streams.flow <<'FLOW'
op emit(tool: str, n: int, size: int) -> (out: stream[bytes]) { streams "native" run "${tool} emit ${n} ${size}" }
op reduce(tool: str, frames: stream[bytes]) -> (out: stream[bytes]) { streams "native" run "${tool} reduce" }
op sink(tool: str, frames: stream[bytes]) -> (summary: file) { streams "native" run "${tool} sink ${summary}" }
op emit_stdio(tool: str, n: int, size: int) -> (out: stream[bytes]) { run "${tool} emit ${n} ${size} --stdio" }
op sink_stdio(tool: str, frames: stream[bytes]) -> (summary: file) { run "${tool} sink ${summary} --stdio" }

workflow native(tool: str, n: int, size: int) -> (summary: file) {
    e = emit(tool = tool, n = n, size = size)
    s = sink(tool = tool, frames = e.out)
    return (summary = s.summary)
}
workflow bridged(tool: str, n: int, size: int) -> (summary: file) {
    e = emit_stdio(tool = tool, n = n, size = size)
    s = sink_stdio(tool = tool, frames = e.out)
    return (summary = s.summary)
}
workflow pipeline(tool: str, n: int, size: int = 1048576) -> (summary: file) {
    e = emit(tool = tool, n = n, size = size)
    r = reduce(tool = tool, frames = e.out) with { replicas = 2 }
    s = sink(tool = tool, frames = r.out)
    return (summary = s.summary)
}
FLOW

cat > files.flow <<'FLOW'
op produce(tool: str, n: int, size: int) -> (frames: dir = "frames") {
    run "mkdir -p ${frames} && ${tool} write-files ${frames} ${n} ${size}"
}
op reduce(tool: str, frames: dir, k: int) -> (part: file) { run "${tool} reduce-files ${frames} ${k} 2 ${part}" }
op aggregate(tool: str, parts: list[file]) -> (summary: file) { run "${tool} sink-files ${summary} ${parts}" }
workflow main(tool: str, n: int, size: int = 1048576) -> (summary: file) {
    p = produce(tool = tool, n = n, size = size)
    for k in [0, 1] { r = reduce(tool = tool, frames = p.frames, k = k) }
    a = aggregate(tool = tool, parts = r.part)
    return (summary = a.summary)
}
FLOW

field() { sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1"; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
now() { date +%s.%N; }

# raw SIZE COUNT FIELD: the raw ZeroMQ loopback on ipc.
raw() {
  rm -f raw.json
  "$tool" raw-pull "ipc://$work/raw.sock" raw.json &
  local pid=$!
  "$tool" raw-push "ipc://$work/raw.sock" "$2" "$1"
  wait "$pid"
  field raw.json "$3"
}
# flowc_stream KIND SIZE COUNT FIELD: a flowc run of streams.flow (KIND:
# native, bridged, or bridged_zmq: the bridged workflow without local pipes);
# prints FIELD of the consumer's summary and the run's CPU seconds (all
# processes).
flowc_stream() {
  rm -rf state out
  local workflow=$1 pipes=1
  [[ $1 == bridged_zmq ]] && workflow=bridged pipes=0
  FLOWC_STREAM_LOCAL_PIPES=$pipes /usr/bin/time -o cpu.txt -f "%U %S" \
    "$flowc" run streams.flow -w "$workflow" -p tool="$tool" -p n="$3" -p size="$2" --fresh --state-dir state -o out \
    >/dev/null 2>flowc.log || { cat flowc.log >&2; exit 1; }
  local got
  got=$(field out/summary/summary messages)
  [[ "$got" == "$3" ]] || { echo "bench/stream: $1 delivered $got of $3 messages" >&2; exit 1; }
  echo "$(field out/summary/summary "$4") $(awk '{print $1 + $2}' cpu.txt)"
}
# pipeline_run KIND: wall seconds of the detector-shaped workflow.
pipeline_run() {
  rm -rf state out
  local t0 t1
  t0=$(now)
  if [[ $1 == streams ]]; then
    "$flowc" run streams.flow -w pipeline -p tool="$tool" -p n="$frames" --fresh --state-dir state -o out \
      >/dev/null 2>flowc.log || { cat flowc.log >&2; exit 1; }
  else
    "$flowc" run files.flow -p tool="$tool" -p n="$frames" --fresh --state-dir state -o out \
      >/dev/null 2>flowc.log || { cat flowc.log >&2; exit 1; }
  fi
  t1=$(now)
  local got
  got=$(field out/summary/summary messages)
  [[ "$got" == "$frames" ]] || { echo "bench/stream: the $1 pipeline reduced $got of $frames frames" >&2; exit 1; }
  echo "$t1 - $t0" | bc -l
}

declare -a raw_big native_big bridged_big raw_small native_small bridged_small t_streams t_files
declare -a zmq_big zmq_small cpu_zmq_big cpu_zmq_small
declare -a cpu_native_big cpu_bridged_big cpu_native_small cpu_bridged_small
declare -a q_nb q_bb q_ns q_bs q_zb q_zs  # each round's own ratios: native / raw, bridged / native
ratio() { echo "$1 / $2" | bc -l; }
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds..." >&2
  # Native and bridged back to back (the order swapped every round), so a
  # round's ratio compares runs that saw the same load from other work.
  order=(native bridged bridged_zmq)
  ((r % 2 == 0)) && order=(bridged_zmq bridged native)
  raw_big+=("$(raw 1048576 "$big" mb_per_s)")
  for kind in "${order[@]}"; do
    read -r v c <<<"$(flowc_stream "$kind" 1048576 "$big" mb_per_s)"
    case $kind in
      native) native_big+=("$v"); cpu_native_big+=("$c") ;;
      bridged) bridged_big+=("$v"); cpu_bridged_big+=("$c") ;;
      *) zmq_big+=("$v"); cpu_zmq_big+=("$c") ;;
    esac
  done
  q_nb+=("$(ratio "${native_big[-1]}" "${raw_big[-1]}")"); q_bb+=("$(ratio "${bridged_big[-1]}" "${native_big[-1]}")")
  q_zb+=("$(ratio "${zmq_big[-1]}" "${native_big[-1]}")")
  raw_small+=("$(raw 64 "$small" messages_per_s)")
  for kind in "${order[@]}"; do
    read -r v c <<<"$(flowc_stream "$kind" 64 "$small" messages_per_s)"
    case $kind in
      native) native_small+=("$v"); cpu_native_small+=("$c") ;;
      bridged) bridged_small+=("$v"); cpu_bridged_small+=("$c") ;;
      *) zmq_small+=("$v"); cpu_zmq_small+=("$c") ;;
    esac
  done
  q_ns+=("$(ratio "${native_small[-1]}" "${raw_small[-1]}")"); q_bs+=("$(ratio "${bridged_small[-1]}" "${native_small[-1]}")")
  q_zs+=("$(ratio "${zmq_small[-1]}" "${native_small[-1]}")")
  t_streams+=("$(pipeline_run streams)")
  t_files+=("$(pipeline_run files)")
done

m() { printf '%s\n' "$@" | median; }
rb=$(m "${raw_big[@]}"); nb=$(m "${native_big[@]}"); bb=$(m "${bridged_big[@]}")
rs=$(m "${raw_small[@]}"); ns=$(m "${native_small[@]}"); bs=$(m "${bridged_small[@]}")
zb=$(m "${zmq_big[@]}"); zs=$(m "${zmq_small[@]}")
gib=$(echo "$big / 1024" | bc -l); mmsg=$(echo "$small / 1000000" | bc -l)
cnb=$(echo "$(m "${cpu_native_big[@]}") / $gib" | bc -l); cbb=$(echo "$(m "${cpu_bridged_big[@]}") / $gib" | bc -l)
cns=$(echo "$(m "${cpu_native_small[@]}") / $mmsg" | bc -l); cbs=$(echo "$(m "${cpu_bridged_small[@]}") / $mmsg" | bc -l)
czb=$(echo "$(m "${cpu_zmq_big[@]}") / $gib" | bc -l); czs=$(echo "$(m "${cpu_zmq_small[@]}") / $mmsg" | bc -l)
ts=$(m "${t_streams[@]}"); tf=$(m "${t_files[@]}")
pct() { echo "100 * $1 / $2" | bc -l | xargs printf '%.0f'; }
met() { if (($(echo "$1 >= $2" | bc -l))); then echo "met"; else echo "NOT met"; fi; }

# A round's ratio, as a percentage: the median of the rounds, and the range.
qpct() {
  local sorted
  sorted=$(printf '%s\n' "$@" | sort -g)
  printf '%s %s %s' "$(echo "100 * $(m "$@")" | bc -l | xargs printf '%.0f')" \
    "$(echo "100 * $(head -1 <<<"$sorted")" | bc -l | xargs printf '%.0f')" \
    "$(echo "100 * $(tail -1 <<<"$sorted")" | bc -l | xargs printf '%.0f')"
}
read -r qnb qnb_lo qnb_hi <<<"$(qpct "${q_nb[@]}")"; read -r qbb qbb_lo qbb_hi <<<"$(qpct "${q_bb[@]}")"
read -r qns qns_lo qns_hi <<<"$(qpct "${q_ns[@]}")"; read -r qbs qbs_lo qbs_hi <<<"$(qpct "${q_bs[@]}")"
read -r qzb qzb_lo qzb_hi <<<"$(qpct "${q_zb[@]}")"; read -r qzs qzs_lo qzs_hi <<<"$(qpct "${q_zs[@]}")"

echo
echo "bench/stream: medians of $rounds rounds, ipc, high-water mark ${FLOWC_STREAM_HWM:-100} ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
echo "ratio: of the medians; per round: the median of each round's own ratio (lowest-highest)"
printf '%-40s %14s %14s %7s %16s\n' "" "raw ZeroMQ" "flowc" "ratio" "per round"
printf '%-40s %11.0f MB/s %11.0f MB/s %6s%% %6s%% (%s-%s)\n' "native, 1 MiB messages ($big)" "$rb" "$nb" "$(pct "$nb" "$rb")" "$qnb" "$qnb_lo" "$qnb_hi"
printf '%-40s %9.0f msg/s %9.0f msg/s %6s%% %6s%% (%s-%s)\n' "native, 64-byte messages ($small)" "$rs" "$ns" "$(pct "$ns" "$rs")" "$qns" "$qns_lo" "$qns_hi"
printf '%-40s %14s %11.0f MB/s %6s%% %6s%% (%s-%s) of native\n' "stdin/stdout-bridged, 1 MiB messages" "" "$bb" "$(pct "$bb" "$nb")" "$qbb" "$qbb_lo" "$qbb_hi"
printf '%-40s %14s %9.0f msg/s %6s%% %6s%% (%s-%s) of native\n' "stdin/stdout-bridged, 64-byte messages" "" "$bs" "$(pct "$bs" "$ns")" "$qbs" "$qbs_lo" "$qbs_hi"
printf '%-40s %14s %11.0f MB/s %6s%% %6s%% (%s-%s) of native\n' "  the same through ZeroMQ, 1 MiB" "" "$zb" "$(pct "$zb" "$nb")" "$qzb" "$qzb_lo" "$qzb_hi"
printf '%-40s %14s %9.0f msg/s %6s%% %6s%% (%s-%s) of native\n' "  the same through ZeroMQ, 64-byte" "" "$zs" "$(pct "$zs" "$ns")" "$qzs" "$qzs_lo" "$qzs_hi"
printf '\nCPU of the whole run (all processes), median:\n'
printf '  1 MiB messages:   native %5.2f s per GiB, bridged %5.2f s per GiB (bridged costs %s%% of native; through ZeroMQ %5.2f, %s%%)\n' \
  "$cnb" "$cbb" "$(pct "$cbb" "$cnb")" "$czb" "$(pct "$czb" "$cnb")"
printf '  64-byte messages: native %5.2f s per M,   bridged %5.2f s per M   (bridged costs %s%% of native; through ZeroMQ %5.2f, %s%%)\n' \
  "$cns" "$cbs" "$(pct "$cbs" "$cns")" "$czs" "$(pct "$czs" "$cns")"
printf 'goal: bridged at least 80%% of native (per round, median): 1 MiB %s, 64-byte %s\n' "$(met "$qbb" 80)" "$(met "$qbs" 80)"
printf 'native at least 80%% of raw ZeroMQ for 1 MiB (per round, median): %s\n' "$(met "$qnb" 80)"
mib=$frames
printf '\nproducer -> 2 replicas -> aggregator, %s frames of 1 MiB (%s MiB), whole flowc run:\n' "$frames" "$mib"
printf '  streams     %6.2f s  %7.0f MiB/s\n' "$ts" "$(echo "$mib / $ts" | bc -l)"
printf '  files       %6.2f s  %7.0f MiB/s\n' "$tf" "$(echo "$mib / $tf" | bc -l)"
printf '  streams are %.1fx the throughput of the file-based workflow\n' "$(echo "$tf / $ts" | bc -l)"
