#!/usr/bin/env bash
# bench/pipelines: the variant-calling pipeline (examples/variant-calling:
# bwa mem, samtools sort and index, bcftools mpileup and call, a matplotlib
# plot, six samples) under Snakemake 7 (the tutorial's Snakefile shape, the
# same commands: ./Snakefile) and under flowc, side by side on 2 cores, in
# four situations:
#   clean      a first run in a fresh folder
#   no-op      the same again: nothing changed
#   changed    one sample's reads replaced by other reads (content and mtime)
#   touched    another sample's reads touched (mtime only, same content)
# Prints each tool's wall time and how many tasks (jobs) it ran, per
# situation (medians of ROUNDS rounds, tools taking turns), and checks that
# both tools' VCFs have the same calls.
#
#   bench/pipelines/run.sh [BUILD_DIR]        ROUNDS=3 COVERAGE=30 by default
#   ROUNDS=1 COVERAGE=6 bench/pipelines/run.sh build
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
build=$(cd "$build" 2>/dev/null && pwd || echo "$root/$build")
ROUNDS=${ROUNDS:-3}
COVERAGE=${COVERAGE:-30}
CORES=2

"$root/bench/prepare.sh" "$build" flowc
example="$root/examples/variant-calling"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The data, at the bench's coverage (the example's own is 6x).
/usr/bin/python3 "$example/make_data.py" "$work/data" --coverage "$COVERAGE" >/dev/null

now() { date +%s.%N; }

# A project folder for one tool and round: the data, the scripts.
setup() {  # tool round
  local dir="$work/$1-$2"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -r "$work/data" "$dir/data"
  cp "$example/plot-quals.py" "$dir/"
  if [[ $1 == snakemake ]]; then
    cp "$root/bench/pipelines/Snakefile" "$dir/"
    mkdir -p "$dir/genome" "$dir/calls"
  else
    cp "$example/variant-calling.flow" "$dir/"
  fi
}

# Runs one tool in its folder; sets `secs` and `n` (the tasks it ran).
run_tool() {  # tool dir log
  local start end
  start=$(now)
  if [[ $1 == snakemake ]]; then
    (cd "$2" && snakemake --cores "$CORES" >"$3" 2>&1) || { cat "$3" >&2; exit 1; }
    end=$(now)
    # One "rule NAME:" line per job it ran ("localrule all:" is not a task).
    n=$(grep -c '^rule ' "$3" || true)
  else
    (cd "$2" && "$build/flowc" run variant-calling.flow -j "$CORES" >"$3" 2>&1) || { cat "$3" >&2; exit 1; }
    end=$(now)
    n=$(sed -n 's/.*(\([0-9]*\) ran, .*/\1/p' "$3" | tail -1)
  fi
  secs=$(echo "$end - $start" | bc -l)
}

situations=(clean no-op changed touched)
declare -A times counts
for round in $(seq "$ROUNDS"); do
  for tool in snakemake flowc; do
    dir="$work/$tool-$round"
    setup "$tool" "$round"
    for s in "${situations[@]}"; do
      case $s in
        changed) cp "$dir/data/samples/B.fastq" "$dir/data/samples/A.fastq" ;;
        touched) sleep 1; touch "$dir/data/samples/C.fastq" ;;
      esac
      run_tool "$tool" "$dir" "$dir/$s.log"
      times[$tool,$s]+="$secs "
      counts[$tool,$s]=$n
      echo "round $round, $tool, $s: ${secs}s, $n tasks" >&2
    done
    # Both found the same calls (the VCFs differ only in the line naming the reference's path).
    vcf=$([[ $tool == snakemake ]] && echo "$dir/calls/all.vcf" || echo "$dir/flow-out/calls/calls.vcf")
    grep -v '^##reference=' "$vcf" > "$work/$tool.calls"
  done
  if ! cmp -s "$work/snakemake.calls" "$work/flowc.calls"; then
    echo "bench/pipelines: Snakemake's and flowc's calls differ" >&2
    diff "$work/snakemake.calls" "$work/flowc.calls" | head >&2
    exit 1
  fi
  rm -rf "$work"/snakemake-"$round" "$work"/flowc-"$round"
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo
echo "== variant calling (6 samples, ${COVERAGE}x), $CORES cores, median of $ROUNDS round(s) =="
echo "   (flowc sorts and indexes a BAM in one task where the tutorial has two rules; the calls are the same)"
printf '%-10s %14s %8s %14s %8s %10s\n' situation "snakemake (s)" tasks "flowc (s)" tasks "ratio"
for s in "${situations[@]}"; do
  sm=$(echo "${times[snakemake,$s]}" | median)
  fc=$(echo "${times[flowc,$s]}" | median)
  printf '%-10s %14.2f %8s %14.2f %8s %9.1fx\n' "$s" "$sm" "${counts[snakemake,$s]}" "$fc" "${counts[flowc,$s]}" \
    "$(echo "$sm / $fc" | bc -l)"
done
echo "ratio: Snakemake's time / flowc's (above 1: flowc is faster)"
