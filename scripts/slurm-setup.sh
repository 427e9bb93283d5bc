#!/usr/bin/env bash
# Starts a single-node Slurm on this machine: munged (as user munge, with its
# own key and socket), slurmctld, then slurmd for node `localhost`, every file
# under one state folder. Waits until the node is idle. Safe to run twice: a
# cluster already running from the same folder is left as it is.
#
#   scripts/slurm-setup.sh [STATE_DIR]     (default: /tmp/flowc-slurm)
#
# Afterwards `source STATE_DIR/env` points the Slurm commands at it
# (SLURM_CONF). scripts/slurm-stop.sh STATE_DIR stops exactly these daemons.
# The configuration follows ../shared/BACKENDS.md: no cgroups
# (proctrack/linuxproc, task/none), no slurmdbd (jobcomp/filetxt for
# finished jobs), no scheduling delay (batch_sched_delay=0).
set -euo pipefail

state=$(realpath -m "${1:-${FLOWC_SLURM_DIR:-/tmp/flowc-slurm}}")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/slurm-common.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root (slurmd launches jobs as their users; munged runs as user munge)"
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || die "\`$tool\` is missing: run scripts/install-deps.sh (group build)"
done

node_idle() {
  SLURM_CONF="$state/slurm.conf" sinfo -h -N -o '%T' 2>/dev/null | grep -q -E '^(idle|mixed|allocated)'
}

if pid_alive "$state/munged.pid" munged && pid_alive "$state/slurmctld.pid" slurmctld &&
   pid_alive "$state/slurmd.pid" slurmd && node_idle; then
  echo "slurm-setup: already running from $state"
  exit 0
fi
# Half of a cluster (a daemon died): stop what is left and start afresh.
"$here/slurm-stop.sh" "$state" >/dev/null 2>&1 || true

# Nothing of an earlier test cluster is kept: its saved state may name
# another cluster (the name is derived from the folder, and the way it is
# derived may change), and slurmctld refuses to start on it.
rm -rf "$state/spool"
mkdir -p "$state"/{spool/ctld,spool/d,log}
chmod 755 "$state"
munge_start "$state"

# ---- slurm.conf: this machine's cores and memory, free ports -----------------
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
ctld_port=$(pick_port 6817)
d_port=$(pick_port $((ctld_port + 1)) "$ctld_port")
cluster="flowc$(state_tag "$state" | cut -c1-6)"

cat >"$state/gres.conf" <<EOF
# Two stand-in GPUs (no such devices here: /dev/null and /dev/zero stand for
# them), so that --gres=gpu:N can be requested and checked.
NodeName=localhost Name=gpu File=/dev/null
NodeName=localhost Name=gpu File=/dev/zero
EOF
{
  echo "# Written by scripts/slurm-setup.sh for a single-node test cluster."
  slurm_conf_common "$state" "$cluster" "$ctld_port" "$d_port"
  cat <<EOF
SlurmctldHost=localhost(127.0.0.1)
SlurmdSpoolDir=$state/spool/d
SlurmdPidFile=$state/slurmd.pid
SlurmdLogFile=$state/log/slurmd.log
SelectTypeParameters=CR_CPU_Memory
GresTypes=gpu
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
} >"$state/slurm.conf"
echo "export SLURM_CONF=$state/slurm.conf" >"$state/env"

# ---- the daemons ---------------------------------------------------------------
export SLURM_CONF="$state/slurm.conf"
slurmctld -i </dev/null >"$state/log/slurmctld.out" 2>&1
slurmd -N localhost </dev/null >"$state/log/slurmd.out" 2>&1

for _ in $(seq 100); do
  if node_idle; then
    echo "slurm-setup: running from $state (ports $ctld_port/$d_port); source $state/env"
    exit 0
  fi
  # A node left down by an earlier cluster in the same folder: resume it.
  scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
  sleep 0.2
done
echo "slurm-setup: the node did not become idle; sinfo says:" >&2
sinfo -N -l >&2 || true
tail -n 20 "$state/log/slurmctld.log" "$state/log/slurmd.log" >&2 || true
exit 1
