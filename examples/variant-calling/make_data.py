#!/usr/bin/env python3
"""Writes the variant-calling example's synthetic data, the same bytes every time.

    make_data.py [FOLDER] [--coverage X] [--samples N]

FOLDER (default: data/ beside this script) gets genome.fa (two contigs) and
samples/<S>.fastq for samples A, B, C, ...: single-end 70 bp reads drawn from
each sample's two haplotypes, which carry SNPs at fixed sites with genotypes
chosen per sample, on both strands, with 0.2% sequencing errors. The random
generator has a fixed seed, so the files are the same on every machine (the
test suite compares the pipeline's VCF with a plain shell script's, and
bench/pipelines regenerates them at a larger coverage).
"""
import argparse
import os
import random

CONTIGS = [("chr1", 4000), ("chr2", 2000)]
READ_LENGTH = 70
ERROR_RATE = 0.002
SNPS_PER_KB = 3
COMPLEMENT = str.maketrans("ACGT", "TGCA")


def genome(rng):
    return {name: "".join(rng.choice("ACGT") for _ in range(length)) for name, length in CONTIGS}


def variant_sites(rng, ref):
    sites = []
    for name, seq in ref.items():
        positions = sorted(rng.sample(range(READ_LENGTH, len(seq) - READ_LENGTH), len(seq) * SNPS_PER_KB // 1000))
        for pos in positions:
            alt = rng.choice([b for b in "ACGT" if b != seq[pos]])
            sites.append((name, pos, alt))
    return sites


def haplotypes(rng, ref, sites):
    """Two copies of the genome with this sample's alleles (0/0, 0/1 or 1/1 per site)."""
    copies = [{name: list(seq) for name, seq in ref.items()} for _ in range(2)]
    for name, pos, alt in sites:
        genotype = rng.choice([0, 1, 1, 2])  # alt alleles at the site
        for h in range(genotype):
            copies[h][name][pos] = alt
    return [{name: "".join(seq) for name, seq in copy.items()} for copy in copies]


def reads(rng, haps, coverage, sample):
    total = sum(length for _, length in CONTIGS)
    count = int(total * coverage / READ_LENGTH)
    weights = [length for _, length in CONTIGS]
    names = [name for name, _ in CONTIGS]
    out = []
    for i in range(count):
        name = rng.choices(names, weights)[0]
        seq = rng.choice(haps)[name]
        start = rng.randrange(0, len(seq) - READ_LENGTH + 1)
        read = list(seq[start:start + READ_LENGTH])
        for k in range(READ_LENGTH):
            if rng.random() < ERROR_RATE:
                read[k] = rng.choice([b for b in "ACGT" if b != read[k]])
        read = "".join(read)
        if rng.random() < 0.5:
            read = read.translate(COMPLEMENT)[::-1]
        out.append(f"@{sample}_{i}\n{read}\n+\n{'I' * READ_LENGTH}\n")
    return "".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=os.path.join(here, "data"))
    parser.add_argument("--coverage", type=float, default=6.0)
    parser.add_argument("--samples", type=int, default=6)
    args = parser.parse_args()

    rng = random.Random(20240601)
    ref = genome(rng)
    sites = variant_sites(rng, ref)
    os.makedirs(os.path.join(args.folder, "samples"), exist_ok=True)
    with open(os.path.join(args.folder, "genome.fa"), "w") as f:
        for name, seq in ref.items():
            f.write(f">{name}\n")
            for k in range(0, len(seq), 60):
                f.write(seq[k:k + 60] + "\n")
    for s in range(args.samples):
        sample = chr(ord("A") + s) if s < 26 else f"S{s}"
        sample_rng = random.Random(f"{sample}-{args.coverage}")
        haps = haplotypes(random.Random(f"{sample}-genotypes"), ref, sites)
        with open(os.path.join(args.folder, "samples", f"{sample}.fastq"), "w") as f:
            f.write(reads(sample_rng, haps, args.coverage, sample))


if __name__ == "__main__":
    main()
