# What scripts/slurm-setup.sh (one node) and scripts/cluster-setup.sh (N
# nodes), and their stop scripts, share: daemons known by pid files, munge,
# free ports, the common part of slurm.conf. Sourced, not run.

die() { local self=${0##*/}; echo "${self%.sh}: $*" >&2; exit 1; }

# A short tag for a state folder (its path's hash): names made from it
# (munge's folder, a bridge, network namespaces) are unique per state folder,
# so two checkouts' clusters never meet.
state_tag() { echo -n "$1" | sha256sum | cut -c1-8; }

# Whether PIDFILE names a live process whose command line holds WORD (a pid
# reused by another program is not ours).
pid_alive() {  # pid_alive PIDFILE WORD
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  [[ -r /proc/$pid/cmdline ]] && ! pid_gone "$pid" && tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "$2"
}

# Whether process PID has ended: gone, or a zombie nobody reaps (the pid 1
# of these VMs reaps no orphan).
pid_gone() {  # pid_gone PID
  [[ ! -e /proc/$1 ]] || [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

# Waits up to 5 s until process PID has ended.
wait_gone() {  # wait_gone PID
  for _ in $(seq 50); do
    pid_gone "$1" && return 0
    sleep 0.1
  done
  return 1
}

# Stops the process PIDFILE names, if it is still the one we started
# (SIGTERM, then SIGKILL after 5 s), and removes the pid file.
stop_pid() {  # stop_pid PIDFILE WORD
  local pid
  if pid_alive "$1" "$2"; then
    pid=$(<"$1")
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" || true
    kill -KILL "$pid" 2>/dev/null || true
    local self=${0##*/}
    echo "${self%.sh}: stopped $2 ($pid)"
  fi
  rm -f "$1"
}

# ---- munge ---------------------------------------------------------------------
# munged runs as user munge, which must reach its key, socket, log and pid
# files: a state folder under a 0700 parent (a home folder, `mktemp -d`) is
# out of its reach. So munge's files live in a folder of their own under
# /run (every user may pass through /run), named by the state folder's tag;
# STATE/munge is a link to it, for people.
munge_dir() { echo "/run/flowc-munge/$(state_tag "$1")"; }
munge_socket() { echo "$(munge_dir "$1")/munge.socket"; }

munge_start() {  # munge_start STATE
  local state=$1 dir
  dir=$(munge_dir "$state")
  id munge >/dev/null 2>&1 || die "user munge is missing: reinstall the munge package"
  mkdir -p /run/flowc-munge "$dir"
  chmod 755 /run/flowc-munge
  if [[ ! -s "$dir/munge.key" ]]; then
    dd if=/dev/urandom of="$dir/munge.key" bs=1 count=1024 status=none
  fi
  chown -R munge:munge "$dir"
  chmod 700 "$dir"
  chmod 400 "$dir/munge.key"
  rm -rf "$state/munge"
  ln -sfn "$dir" "$state/munge"
  runuser -u munge -- munged --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" --force \
    </dev/null >/dev/null 2>"$state/log/munged.err" || {
    cat "$state/log/munged.err" >&2
    die "munged did not start (its log: $dir/munged.log)"
  }
  for _ in $(seq 50); do [[ -s "$dir/munged.pid" ]] && break; sleep 0.1; done
  [[ -s "$dir/munged.pid" ]] || die "munged wrote no pid file (its log: $dir/munged.log)"
  cp "$dir/munged.pid" "$state/munged.pid"
}

munge_stop() {  # munge_stop STATE
  local dir
  dir=$(munge_dir "$1")
  stop_pid "$1/munged.pid" munged
  rm -rf "$dir"
  rm -f "$1/munge"
}

# ---- ports ---------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }
pick_port() {  # pick_port FIRST [SKIP]: the first free port from FIRST on, skipping SKIP
  local p=$1
  while [[ $p == "${2:-}" ]] || ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}

# ---- slurm.conf ------------------------------------------------------------------
# The lines every test cluster shares (../shared/BACKENDS.md): no cgroups
# (proctrack/linuxproc, task/none), no slurmdbd (jobcomp/filetxt for
# finished jobs), no scheduling delay (batch_sched_delay=0), root as
# SlurmUser, munge at its own socket.
slurm_conf_common() {  # slurm_conf_common STATE CLUSTER CTLD_PORT D_PORT
  local state=$1
  cat <<EOF
ClusterName=$2
SlurmctldPort=$3
SlurmdPort=$4
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$(munge_socket "$state")
CredType=cred/munge
StateSaveLocation=$state/spool/ctld
SlurmctldPidFile=$state/slurmctld.pid
SlurmctldLogFile=$state/log/slurmctld.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/log/jobcomp.txt
SelectType=select/cons_tres
DefMemPerCPU=256
MpiDefault=none
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MinJobAge=300
KillWait=5
ReturnToService=2
EOF
}

# Cancels every job of the cluster SLURM_CONF names and waits (10 s at most)
# until they are gone: their processes belong to it.
cancel_all_jobs() {
  local jobs
  jobs=$(timeout 10 squeue -h -o '%i' 2>/dev/null || true)
  [[ -n "$jobs" ]] || return 0
  timeout 10 scancel $jobs 2>/dev/null || true
  for _ in $(seq 50); do
    [[ -z "$(timeout 10 squeue -h -o '%i' 2>/dev/null || true)" ]] && break
    sleep 0.2
  done
}

# The pids of every process in the network namespace of process PID (PID
# itself included); nothing for this machine's own namespace. One stat for
# all processes (a loop over /proc takes seconds on a busy machine).
pids_in_netns_of() {  # pids_in_netns_of PID
  local ns
  ns=$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null) || return 0
  [[ "$ns" == "$(stat -L -c %i /proc/self/ns/net)" ]] && return 0
  stat -L -c '%i %n' /proc/[0-9]*/ns/net 2>/dev/null | awk -v ns="$ns" '$1 == ns { split($2, p, "/"); print p[3] }'
  return 0
}
