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

die() { echo "slurm-setup: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (slurmd launches jobs as their users; munged runs as user munge)"
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || die "\`$tool\` is missing: run scripts/install-deps.sh (group build)"
done
id munge >/dev/null 2>&1 || die "user munge is missing: reinstall the munge package"

# A daemon from this folder is running if its pid file names a live process
# with the expected command.
alive() {  # alive NAME
  local pidfile="$state/$1.pid" pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "$1"
}

node_idle() {
  SLURM_CONF="$state/slurm.conf" sinfo -h -N -o '%T' 2>/dev/null | grep -q -E '^(idle|mixed|allocated)'
}

if alive munged && alive slurmctld && alive slurmd && node_idle; then
  echo "slurm-setup: already running from $state"
  exit 0
fi
# Half of a cluster (a daemon died): stop what is left and start afresh.
"$here/slurm-stop.sh" "$state" >/dev/null 2>&1 || true

mkdir -p "$state"/{munge,spool/ctld,spool/d,log}
chmod 755 "$state"

# ---- munge: its own key and socket, owned by user munge ----------------------
if [[ ! -s "$state/munge/munge.key" ]]; then
  dd if=/dev/urandom of="$state/munge/munge.key" bs=1 count=1024 status=none
fi
chown -R munge:munge "$state/munge"
chmod 700 "$state/munge"
chmod 400 "$state/munge/munge.key"
socket="$state/munge/munge.socket"
runuser -u munge -- munged --key-file="$state/munge/munge.key" --socket="$socket" \
  --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log" \
  --seed-file="$state/munge/munged.seed" --force
for _ in $(seq 50); do [[ -s "$state/munge/munged.pid" ]] && break; sleep 0.1; done
cp "$state/munge/munged.pid" "$state/munged.pid"

# ---- slurm.conf: this machine's cores and memory, free ports -----------------
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {  # the first free port from $1 on, skipping $2
  local p=$1
  while [[ $p == "${2:-}" ]] || ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}
ctld_port=$(pick_port 6817)
d_port=$(pick_port $((ctld_port + 1)) "$ctld_port")
cluster="flowc$(echo -n "$state" | cksum | cut -c1-6)"

cat >"$state/gres.conf" <<EOF
# Two stand-in GPUs (no such devices here: /dev/null and /dev/zero stand for
# them), so that --gres=gpu:N can be requested and checked.
NodeName=localhost Name=gpu File=/dev/null
NodeName=localhost Name=gpu File=/dev/zero
EOF
cat >"$state/slurm.conf" <<EOF
# Written by scripts/slurm-setup.sh for a single-node test cluster.
ClusterName=$cluster
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=256
GresTypes=gpu
MpiDefault=none
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MinJobAge=300
KillWait=5
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
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
