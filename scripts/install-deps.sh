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
  catch2 libxxhash-dev zlib1g-dev  # zlib: the report's data, gzip-compressed
  libjemalloc-dev  # flowc's allocator, with huge pages (cli/allocator.cpp)
  libsimdjson-dev  # flowc lsp: a message carrying a whole document, parsed fast (lsp/json_parse.h)
  # Containers (scripts/podman-setup.sh configures them): podman with runc
  # (crun fails on these VMs' cgroup layout), catatonit for `--init`, and
  # busybox-static for the test image. As root, neither uidmap nor
  # fuse-overlayfs is needed (rootless podman would want both).
  podman runc catatonit busybox-static
  # Charliecloud's ch-run (--container-engine charliecloud); its images are
  # converted from podman's (scripts/charliecloud-setup.sh).
  charliecloud-runtime
  # HPC: MPI ops (Open MPI) and the single-node Slurm the tests start
  # (scripts/slurm-setup.sh: munge, slurmctld, slurmd, the client commands).
  openmpi-bin libopenmpi-dev munge slurmctld slurmd slurm-client
  # The multi-node test cluster (scripts/cluster-setup.sh): ip (bridge, veth,
  # network namespaces), unshare/nsenter/setsid (util-linux), hostname.
  iproute2 util-linux hostname
  vim              # tests/editors: Vim's syntax groups, headless
  chromium         # tests/editors: the highlighting screenshot, headless
  libhiredis-dev redis-server  # streams: the Redis endpoint registry and its tests
  # The sanitizer build and the fuzzers (tests/fuzz/): clang, and its
  # runtimes (ASan, UBSan, libFuzzer), which clang does not pull in itself.
  clang libclang-rt-14-dev
  clang-format     # tests/layout: the C++ is as .clang-format says (scripts/format.sh --check)
  # examples/variant-calling (run by the tests, compared with a shell script)
  # and the companion-file tests: real bioinformatics tools from Debian.
  bwa samtools bcftools python3-matplotlib
  # CWL (compiler/cwl/, runtime/tool/): YAML documents, and Duktape's source for
  # JavaScript expressions (built into flowc with its time limit turned on).
  libyaml-cpp-dev duktape-dev
  python3 python3-yaml  # tests/cwl: the conformance harness (bench/cwl/conformance.py)
)

# The peers bench/local compares flowc with, and the tools the benchmarks use.
bench=(
  snakemake      # peer: Snakemake 7.x (bench/local: default and --scheduler greedy; bench/pipelines)
  make           # peer: GNU Make -j2
  ninja-build    # peer: Ninja -j2
  time           # /usr/bin/time -f '%e %M': wall time and peak RSS
  python3        # bench/slurm: reads the event log for latencies
  bc             # bench/container and bench/stream: arithmetic and ratios
  wrk            # bench/serve: HTTP load
  libcivetweb-dev libcpp-httplib-dev  # bench/serve/http_choice: the HTTP libraries flowc serve did not pick, measured beside Beast
  sqlite3        # bench/table: the single-process join and sort references
  libboost-dev libboost-filesystem-dev  # bench/spawn: Boost.Process
  cwltool        # bench/cwl: the reference CWL runner
)

packages=()
for group in "${@:-build}"; do
  case "$group" in
    build) packages+=("${build[@]}") ;;
    bench) packages+=("${bench[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build or bench)" >&2; exit 2 ;;
  esac
done

# Node.js and npm (tests/editors, the VS Code extension): any install will do.
# A machine's own Node.js (e.g. NodeSource's) ships npm and conflicts with
# Debian's npm package, so they are looked up as commands and installed from
# Debian only when missing.
for group in "${@:-build}"; do
  if [[ "$group" == build ]] && ! { command -v node && command -v npm; } >/dev/null; then
    packages+=(nodejs npm)
  fi
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
