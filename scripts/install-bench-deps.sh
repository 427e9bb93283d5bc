#!/usr/bin/env bash
# Installs, with apt, what the benchmarks in bench/ need beyond the build
# (scripts/install-deps.sh): the peers bench/local compares flowc with
# (Snakemake, Make, Ninja), GNU time for peak memory, and Boost.Process's
# headers and Boost.Filesystem for bench/spawn. Safe to run any number of
# times; fast when nothing is missing (one dpkg-query each, no apt call).
set -euo pipefail

packages=(
  snakemake      # peer: Snakemake 7.x (default and --scheduler greedy)
  make           # peer: GNU Make -j2
  ninja-build    # peer: Ninja -j2
  time           # /usr/bin/time -f '%e %M': wall time and peak RSS
  libboost-dev libboost-filesystem-dev  # bench/spawn: Boost.Process
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-bench-deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
