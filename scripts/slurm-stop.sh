#!/usr/bin/env bash
# Stops the single-node Slurm that scripts/slurm-setup.sh started from
# STATE_DIR: exactly the processes its pid files name (checked against their
# command lines, so a reused pid is never killed). Safe to run twice.
#
#   scripts/slurm-stop.sh [STATE_DIR]      (default: /tmp/flowc-slurm)
set -euo pipefail

state=$(realpath -m "${1:-${FLOWC_SLURM_DIR:-/tmp/flowc-slurm}}")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/slurm-common.sh"

# Jobs first (their processes belong to this cluster), then slurmd (it ends
# the job steps it runs), then the controller, then munge.
if [[ -s "$state/slurm.conf" ]] && pid_alive "$state/slurmctld.pid" slurmctld; then
  SLURM_CONF="$state/slurm.conf" cancel_all_jobs
fi
stop_pid "$state/slurmd.pid" slurmd
stop_pid "$state/slurmctld.pid" slurmctld
munge_stop "$state"
