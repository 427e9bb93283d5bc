#!/bin/sh
# The runtime's folders include each other in one direction only
# (scripts/runtime-folder-deps.sh --check on the source tree), and the check
# itself catches a cycle: one made in a scratch tree must fail it.
#   runtime_folder_deps_test.sh SOURCE_DIR
set -eu
source_dir=$1
deps="$source_dir/scripts/runtime-folder-deps.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "runtime_folder_deps_test: $*" >&2; exit 1; }

# A scratch runtime: a -> b -> c, no cycle.
mkdir -p "$tmp/runtime/a" "$tmp/runtime/b" "$tmp/runtime/c"
printf '#include "runtime/b/b.h"\n#include "runtime/a/own.h"\n' > "$tmp/runtime/a/a.cpp"
printf '#pragma once\n  #  include "runtime/c/c.h"\n' > "$tmp/runtime/b/b.h"
printf '#pragma once\n#include <vector>\n' > "$tmp/runtime/c/c.h"
"$deps" --check "$tmp" > "$tmp/map.txt" || fail "a tree without a cycle failed the check"
grep -qx 'a -> b' "$tmp/map.txt" || fail "the map lacks a -> b: $(cat "$tmp/map.txt")"
grep -qx 'b -> c' "$tmp/map.txt" || fail "the map lacks b -> c: $(cat "$tmp/map.txt")"

# c -> a closes a cycle through b: the check fails and names the file.
printf '#include "runtime/a/a.h"\n' > "$tmp/runtime/c/c.cpp"
if "$deps" --check "$tmp" > /dev/null 2> "$tmp/err.txt"; then fail "a cycle a -> b -> c -> a passed the check"; fi
grep -q 'runtime/c/c.cpp' "$tmp/err.txt" || fail "the failure does not name the file: $(cat "$tmp/err.txt")"

# The real tree.
"$deps" --check "$source_dir" > /dev/null
