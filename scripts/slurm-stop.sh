#!/usr/bin/env bash
# Stops the single-node Slurm that scripts/slurm-setup.sh started from
# STATE_DIR: exactly the processes its pid files name (checked against their
# command lines, so a reused pid is never killed). Safe to run twice.
#
#   scripts/slurm-stop.sh [STATE_DIR]      (default: /tmp/flowc-slurm)
set -euo pipefail

state=$(realpath -m "${1:-${FLOWC_SLURM_DIR:-/tmp/flowc-slurm}}")

stop() {  # stop NAME: SIGTERM, then SIGKILL after 5 s
  local pidfile="$state/$1.pid" pid
  [[ -s "$pidfile" ]] || return 0
  pid=$(<"$pidfile")
  if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "$1"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      [[ -e /proc/$pid ]] || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    echo "slurm-stop: stopped $1 ($pid)"
  fi
  rm -f "$pidfile"
}

# Jobs first (their processes belong to this cluster), then slurmd (it ends
# the job steps it runs), then the controller, then munge.
if [[ -s "$state/slurm.conf" && -s "$state/slurmctld.pid" ]]; then
  export SLURM_CONF="$state/slurm.conf"
  jobs=$(timeout 10 squeue -h -o '%i' 2>/dev/null || true)
  if [[ -n "$jobs" ]]; then
    timeout 10 scancel $jobs 2>/dev/null || true
    for _ in $(seq 50); do
      [[ -z "$(timeout 10 squeue -h -o '%i' 2>/dev/null || true)" ]] && break
      sleep 0.2
    done
  fi
fi
stop slurmd
stop slurmctld
stop munged
rm -f "$state/munge/munged.pid"
