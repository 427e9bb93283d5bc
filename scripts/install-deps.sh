#!/usr/bin/env bash
# Installs, with apt, every Debian package flowc needs to build and test that
# is not already installed. Safe to run any number of times; fast when nothing
# is missing (one dpkg-query, no apt call).
set -euo pipefail

# Build and compiler/runtime core.
packages=(
  build-essential cmake ninja-build pkgconf default-jre-headless
  antlr4 libantlr4-runtime-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  cppzmq-dev libzmq3-dev libsqlite3-dev libboost-dev libboost-filesystem-dev
  catch2 libxxhash-dev
)

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
