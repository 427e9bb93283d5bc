#!/usr/bin/env bash
# The variant-calling pipeline as a plain shell script: the same commands as
# variant-calling.flow, one after another, in a folder of its own. The test
# suite compares its VCF with flowc's (tests/stdlib/variant_calling_test.cpp).
#
#   reference.sh OUT_DIR [DATA_DIR [SAMPLE...]]
set -euo pipefail
out=$1
data=$(cd "${2:-$(dirname "$0")/data}" && pwd)
shift $(( $# > 1 ? 2 : 1 ))
samples=("$@")
if (( ${#samples[@]} == 0 )); then samples=(A B C D E F); fi

mkdir -p "$out"
cp "$data/genome.fa" "$out/genome.fa"
cd "$out"
bwa index genome.fa 2> bwa-index.log
samtools faidx genome.fa
bams=()
for s in "${samples[@]}"; do
  bwa mem -R "@RG\tID:$s\tSM:$s" genome.fa "$data/samples/$s.fastq" 2> "bwa-$s.log" | samtools view -b -o "$s.bam" -
  samtools sort -T "tmp-$s" -o "$s.sorted.bam" "$s.bam"
  samtools index "$s.sorted.bam"
  bams+=("$s.sorted.bam")
done
bcftools mpileup --no-version -f genome.fa "${bams[@]}" | bcftools call --no-version -mv -o calls.vcf
