#!/usr/bin/env bash
# A redis-server for the stream registry tests (a CTest fixture).
#   redis.sh start DIR [ADDR]  starts one on a free port on ADDR (default
#                              127.0.0.1; the cluster tests give the address of
#                              their cluster's bridge); writes DIR/port and DIR/pid.
#                              Off loopback it asks for a password (written
#                              to DIR/password, mode 0600).
#   redis.sh stop DIR    stops the one DIR/pid names (only if it is that redis-server)
# Idempotent: start when ours is already up does nothing; stop when none runs does nothing.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the pid and port files}
addr=${3:-127.0.0.1}
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
      # Off loopback, a password (Redis then also leaves protected mode).
      auth=()
      if [[ "$addr" != 127.0.0.1 ]]; then
        (umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$dir/password")
        auth=(--requirepass "$(cat "$dir/password")")
      fi
      # Its stdio redirected: a caller reading our output must not wait for it.
      redis-server --port "$port" --bind "$addr" --save '' --appendonly no --daemonize no "${auth[@]}" \
        </dev/null >"$dir/redis.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do
        if REDISCLI_AUTH=$(cat "$dir/password" 2>/dev/null) redis-cli -h "$addr" -p "$port" ping 2>/dev/null |
           grep -q PONG; then
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
    rm -f "$dir/pid" "$dir/port" "$dir/password"
    ;;
  *) echo "redis.sh: start or stop" >&2; exit 2 ;;
esac
