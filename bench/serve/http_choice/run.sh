#!/usr/bin/env bash
# Which HTTP library flowc serve uses: cpp-httplib, civetweb and Boost.Beast
# (all from Debian) serving the same 2 KiB JSON to 50 keep-alive clients
# (wrk), with the compile time and size of each server. Prints one row each.
#   bench/serve/http_choice/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$here/../../../scripts/install-deps.sh" bench
build() {  # name, extra flags...
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  g++ -std=c++20 -O2 -o "$out/$name" "$here/${name}_server.cpp" "$@"
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc)"
}
printf '%-10s %12s %10s %10s %10s %10s\n' library compile_s size_KiB req_per_s p50_ms p99_ms
port=18180
for lib in httplib civetweb beast; do
  case $lib in
    httplib) secs=$(build httplib -lcpp-httplib -lpthread) ;;
    civetweb) secs=$(build civetweb -lcivetweb -lpthread) ;;
    beast) secs=$(build beast -lpthread) ;;
  esac
  port=$((port + 1))
  "$out/$lib" $port & pid=$!
  sleep 0.5
  wrk -t2 -c50 -d5s --latency "http://127.0.0.1:$port/api/run" > "$out/$lib.wrk"
  kill $pid; wait $pid 2>/dev/null || true
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/$lib.wrk")
  p50=$(awk '$1=="50%" {print $2}' "$out/$lib.wrk")
  p99=$(awk '$1=="99%" {print $2}' "$out/$lib.wrk")
  size=$(( $(stat -c %s "$out/$lib") / 1024 ))
  printf '%-10s %12.1f %10s %10s %10s %10s\n' "$lib" "$secs" "$size" "$rps" "$p50" "$p99"
done
