#!/usr/bin/env bash
# Installs, with apt, the Debian packages of the named groups that are not
# already installed. Safe to run any number of times; fast when nothing is
# missing (one dpkg-query per package, no apt call).
#
#   scripts/install-deps.sh            the build and the test suite
#   scripts/install-deps.sh bench      what bench/ needs beyond that
set -euo pipefail

# Build, compiler, runtime and tests.
build=(
  build-essential cmake ninja-build pkgconf default-jre-headless
  antlr4 libantlr4-runtime-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  cppzmq-dev libzmq3-dev libsqlite3-dev libboost-dev libboost-filesystem-dev
  catch2 libxxhash-dev
  libjemalloc-dev  # flowc's allocator, with huge pages (cli/allocator.cpp)
  libhiredis-dev redis-server  # streams: the Redis endpoint registry and its tests
)

# The peers bench/local compares flowc with, and the tools the benchmarks use.
bench=(
  snakemake      # peer: Snakemake 7.x (default and --scheduler greedy)
  make           # peer: GNU Make -j2
  ninja-build    # peer: Ninja -j2
  time           # /usr/bin/time -f '%e %M': wall time and peak RSS
  bc             # bench/stream: ratios
  libboost-dev libboost-filesystem-dev  # bench/spawn: Boost.Process
)

packages=()
for group in "${@:-build}"; do
  case "$group" in
    build) packages+=("${build[@]}") ;;
    bench) packages+=("${bench[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build or bench)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
