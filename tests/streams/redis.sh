#!/usr/bin/env bash
# A redis-server for the stream registry tests (a CTest fixture).
#   redis.sh start DIR   starts one on a free port on 127.0.0.1; writes DIR/port and DIR/pid
#   redis.sh stop DIR    stops the one DIR/pid names (only if it is that redis-server)
# Idempotent: start when ours is already up does nothing; stop when none runs does nothing.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the pid and port files}
mkdir -p "$dir"

ours_running() {
  [[ -f "$dir/pid" ]] || return 1
  local pid
  pid=$(cat "$dir/pid")
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q '^redis-server'
}

case "$cmd" in
  start)
    if ours_running; then exit 0; fi
    command -v redis-server >/dev/null || { echo "redis.sh: redis-server is not installed (scripts/install-deps.sh)" >&2; exit 1; }
    for _attempt in 1 2 3 4 5; do
      # A port nobody listens on (per /proc/net/tcp); if it is taken
      # meanwhile, redis fails to bind and we try another.
      port=$((20000 + RANDOM % 30000))
      if grep -qi ":$(printf '%04X' "$port") " /proc/net/tcp; then continue; fi
      # Its stdio redirected: a caller reading our output must not wait for it.
      redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        </dev/null >"$dir/redis.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do
        if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
          echo "$pid" > "$dir/pid"
          echo "$port" > "$dir/port"
          exit 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.05
      done
      kill "$pid" 2>/dev/null || true
    done
    echo "redis.sh: redis-server did not start; its log:" >&2
    cat "$dir/redis.log" >&2
    exit 1
    ;;
  stop)
    if ours_running; then
      pid=$(cat "$dir/pid")
      kill "$pid"
      for _ in $(seq 100); do
        # gone, or a zombie nobody reaps (this VM's pid 1 does not)
        [[ -r /proc/$pid/stat ]] || break
        [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
        sleep 0.05
      done
    fi
    rm -f "$dir/pid" "$dir/port"
    ;;
  *) echo "redis.sh: start or stop" >&2; exit 2 ;;
esac
