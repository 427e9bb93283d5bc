#!/usr/bin/env bash
# Installs the npm packages of a folder from its committed package-lock.json
# (`npm ci`), unless node_modules already holds exactly that lock. Called by
# the build (editors/CMakeLists.txt); the editor tests need the packages.
#
#   scripts/npm-ci.sh FOLDER STAMP_FILE
set -euo pipefail
folder=$1
stamp=$2
cd "$folder"
# npm writes node_modules/.package-lock.json after a complete install; the
# same lock twice means there is nothing to do (npm ci would delete and
# download everything again).
if [[ -f node_modules/.package-lock.json ]] && [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
  touch "$stamp"
  exit 0
fi
# --ignore-scripts: nothing here needs a build step (vsce's optional keytar
# would try to download a prebuilt binary).
if ! npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; then
  echo "npm-ci.sh: npm ci failed in $folder; check that the npm registry is reachable (npm ping)" >&2
  exit 1
fi
touch "$stamp"
