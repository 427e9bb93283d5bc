"""A histogram of the quality of the calls in a VCF file: plot-quals.py CALLS.vcf OUT.svg

The Snakemake tutorial's plot step, without pysam: the VCF is read as text.
Needs matplotlib (Debian: python3-matplotlib).
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

calls, out = sys.argv[1], sys.argv[2]
quals = []
with open(calls) as f:
    for line in f:
        if not line.startswith("#"):
            qual = line.split("\t")[5]
            if qual != ".":
                quals.append(float(qual))
plt.hist(quals, bins=20)
plt.xlabel("QUAL")
plt.ylabel("calls")
plt.title(f"{len(quals)} calls")
# No date in the file: the same calls give the same bytes.
plt.savefig(out, metadata={"Date": None})
