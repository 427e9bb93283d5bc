#!/bin/sh
# Formats flowc's C++ with the repository's .clang-format.
#   scripts/format.sh [--check] [FILE...]
# Without FILEs: every tracked .h/.hpp/.cpp/.c (generated and vendored code
# is not tracked).
# --check changes nothing: it lists the files that are not formatted, the
# number of lines formatting would change in each and in all, and fails
# (exit 1) if there are any.
set -eu
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

clang_format=${CLANG_FORMAT:-}
if [ -z "$clang_format" ]; then
  for c in clang-format clang-format-14 clang-format-15 clang-format-16; do
    if command -v "$c" > /dev/null 2>&1; then clang_format=$c; break; fi
  done
fi
[ -n "$clang_format" ] || { echo "format.sh: no clang-format found: apt-get install clang-format (or set CLANG_FORMAT)" >&2; exit 2; }

list=$(mktemp)
trap 'rm -f "$list" "$list.out"' EXIT
if [ $# -gt 0 ]; then
  for f in "$@"; do printf '%s\n' "$f"; done > "$list"
else
  git ls-files -- '*.h' '*.hpp' '*.cpp' '*.c' > "$list"  # generated and vendored code is not tracked
fi

if [ "$check" = 0 ]; then
  while IFS= read -r f; do "$clang_format" -i --style=file "$f"; done < "$list"
  exit 0
fi

total=0
files=0
while IFS= read -r f; do
  "$clang_format" --style=file "$f" > "$list.out"
  n=$(diff "$f" "$list.out" | grep -c '^>' || true)
  if [ "$n" -gt 0 ]; then
    echo "$f: $n lines"
    total=$((total + n))
    files=$((files + 1))
  fi
done < "$list"
if [ "$total" -gt 0 ]; then
  echo "format.sh: $files files not formatted, $total lines would change (scripts/format.sh to apply)"
  exit 1
fi
echo "format.sh: formatted"
