#!/bin/sh
# The runtime's folder map: which runtime/ folders include which, from the
# `#include "runtime/<folder>/..."` lines (no build needed).
#   runtime-folder-deps.sh [--check] [SOURCE_DIR]
# prints one line per folder: `run -> command containers ...`. With --check,
# it fails (exit 1) when the folders include each other in a cycle (a -> b
# -> ... -> a), naming the folders and the files that make each step of it:
# every folder's job is one layer, and a cycle means two folders are one.
set -eu
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
root=${1:-$(dirname "$0")/..}
cd "$root"
[ -d runtime ] || { echo "runtime-folder-deps: no runtime/ in $(pwd)" >&2; exit 2; }

# "from to file" for every include of another runtime folder.
edges=$(find runtime -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' -o -name '*.c' \) | LC_ALL=C sort |
  while IFS= read -r file; do
    from=$(printf '%s\n' "$file" | cut -d/ -f2)
    sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"runtime/\([^/"]*\)/.*|\1|p' "$file" |
      while IFS= read -r to; do
        [ "$to" = "$from" ] || printf '%s %s %s\n' "$from" "$to" "$file"
      done
  done)

printf '%s\n' "$edges" | awk -v check="$check" '
  NF == 3 {
    if (!(($1, $2) in edge)) { edge[$1, $2] = 1; out[$1] = out[$1] " " $2 }
    if (index(" " files[$1, $2] " ", " " $3 " ") == 0) files[$1, $2] = files[$1, $2] " " $3
    node[$1] = 1; node[$2] = 1
  }
  END {
    n = 0
    for (a in node) names[++n] = a
    # sort the folder names (small n: insertion sort)
    for (i = 2; i <= n; i++) { v = names[i]; for (j = i - 1; j >= 1 && names[j] > v; j--) names[j + 1] = names[j]; names[j + 1] = v }
    for (i = 1; i <= n; i++) {
      a = names[i]; line = ""
      for (j = 1; j <= n; j++) if ((a, names[j]) in edge) line = line " " names[j]
      if (line != "") print a " ->" line
    }
    if (!check) exit 0
    # reach[a, b]: a includes, through any chain of folders, b.
    for (k in edge) reach[k] = 1
    for (k = 1; k <= n; k++) for (i = 1; i <= n; i++) if ((names[i], names[k]) in reach)
      for (j = 1; j <= n; j++) if ((names[k], names[j]) in reach) reach[names[i], names[j]] = 1
    bad = 0
    for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) {
      a = names[i]; b = names[j]
      if (((a, b) in edge) && ((b, a) in reach)) {
        if (!bad) print "runtime-folder-deps: runtime/ folders include each other in a cycle:" > "/dev/stderr"
        bad = 1
        print "  " a " -> " b " (back: " b " reaches " a "), by" files[a, b] > "/dev/stderr"
      }
    }
    if (bad) {
      print "Move what both need to the folder that owns it, or pass it in through a small interface (docs/runtime.md, the folder map)." > "/dev/stderr"
      exit 1
    }
  }'
