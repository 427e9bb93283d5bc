#!/usr/bin/env bash
# Starts an N-node Slurm cluster on this one machine, every node a set of
# Linux namespaces: its own network namespace with its own address on a
# bridge (veth pair), its own hostname (UTS namespace) and its own /tmp (a
# mount namespace: node-local scratch). One munged and one slurmctld run on
# this machine (the controller listens on the bridge), one `slurmd -N nodeK`
# in each node. Waits until every node is idle. Safe to run twice: a cluster
# already running from the same folder is left as it is.
#
#   scripts/cluster-setup.sh N STATE_DIR
#   . STATE_DIR/env.sh          # SLURM_CONF and the cluster's names and addresses
#   srun -N2 hostname           # node1, node2
#   scripts/cluster-stop.sh STATE_DIR
#
# Every file is under STATE_DIR (not /tmp: each node has its own), except
# munge's (see lib/slurm-common.sh). Names made on this machine come from
# STATE_DIR's hash, so clusters of two state folders live side by side: the
# bridge fcbr<tag>, the veths fcv<tag>k<K>, one /24 of 10.219.0.0/16 (the
# range these clusters own) that no address or route here uses yet. A setup
# that fails stops what it made (scripts/cluster-stop.sh).
#
# Partitions: `all` (every node, the default) and, with two nodes or more,
# `pair` (node1 and node2). ../shared/BACKENDS.md ("A multi-node Slurm on one
# VM") has what this needs and why.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/slurm-common.sh"

usage="usage: cluster-setup.sh N STATE_DIR (N nodes, 1 to 50)"
n=${1:-}
[[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 50)) || die "$usage"
[[ -n "${2:-}" ]] || die "$usage"
state=$(realpath -m "$2")
tag=$(state_tag "$state")
bridge="fcbr$tag"

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, bridges, mounts; munged runs as user munge)"
for tool in munged slurmctld slurmd sinfo scontrol ip nsenter unshare setsid hostname flock; do
  command -v "$tool" >/dev/null || die "\`$tool\` is missing: run scripts/install-deps.sh (group build)"
done

nodes=()
for k in $(seq "$n"); do nodes+=("node$k"); done

all_idle() {
  local states
  # (sinfo -N lists a node once per partition)
  states=$(SLURM_CONF="$state/slurm.conf" sinfo -h -N -o '%N %T' 2>/dev/null | sort -u) || return 1
  [[ $(grep -c -E ' (idle|mixed|allocated)$' <<<"$states") -eq $n ]]
}

running() {
  [[ -s "$state/slurm.conf" && -s "$state/env.sh" ]] || return 1
  grep -q "^export FLOWC_CLUSTER_NODES=\"${nodes[*]}\"$" "$state/env.sh" || return 1
  pid_alive "$state/munged.pid" munged && pid_alive "$state/slurmctld.pid" slurmctld || return 1
  local node
  for node in "${nodes[@]}"; do
    pid_alive "$state/nodes/$node/holder.pid" flowc-cluster-node && pid_alive "$state/nodes/$node/slurmd.pid" slurmd ||
      return 1
  done
  all_idle
}

if running; then
  echo "cluster-setup: already running from $state ($n nodes); . $state/env.sh"
  exit 0
fi
# What is left of an earlier cluster in this folder (or another N): stop it.
"$here/cluster-stop.sh" "$state" >/dev/null 2>&1 || true

# From here on, a failure (or an interruption) stops everything made so far.
up=0
cleanup_unless_up() {
  local rc=$?
  ((up)) && return
  echo "cluster-setup: failed; stopping what was started" >&2
  for f in "$state"/log/slurmctld.log "$state"/log/slurmd-*.log; do
    if [[ -s "$f" ]]; then echo "--- $f" >&2; tail -n 15 "$f" >&2; fi
  done
  "$here/cluster-stop.sh" "$state" >&2 || true
  exit $((rc ? rc : 1))
}
trap cleanup_unless_up EXIT
trap 'exit 130' INT TERM

mkdir -p "$state"/{spool/ctld,log}
chmod 755 "$state"
for node in "${nodes[@]}"; do
  mkdir -p "$state/nodes/$node"/{tmp,spool}
  chmod 1777 "$state/nodes/$node/tmp"
  rm -f "$state/nodes/$node/ready"
done
munge_start "$state"

# ---- the network: a bridge, a /24 nobody here uses ------------------------------
# One setup at a time chooses its /24 and its controller's port (so two
# never take the same), until its controller listens.
exec 8>/run/lock/flowc-cluster.lock
flock 8
in_use() {  # in_use PREFIX: an address or a route of this machine is in PREFIX.0/24
  ip -4 -o addr show | grep -q " ${1//./\\.}\." || ip -4 route show | grep -q "^${1//./\\.}\."
}
third=$(( 16#${tag:0:2} % 250 + 1 ))
for _ in $(seq 250); do
  in_use "10.219.$third" || break
  third=$(( third % 250 + 1 ))
done
in_use "10.219.$third" && die "no free /24 left in 10.219.0.0/16 for the cluster's bridge"
prefix="10.219.$third"
host_addr="$prefix.1"
ip link add "$bridge" type bridge
ip addr add "$host_addr/24" dev "$bridge"
ip link set "$bridge" up
cat >"$state/net.env" <<EOF
bridge=$bridge
prefix=$prefix
host_addr=$host_addr
EOF

controller=$(hostname)
{
  echo "127.0.0.1 localhost"
  echo "$host_addr $controller"
  for k in $(seq "$n"); do echo "$prefix.$((10 + k)) node$k"; done
} >"$state/hosts"

# ---- the nodes: namespaces, a veth each ------------------------------------------
for k in $(seq "$n"); do
  node="node$k"
  setsid unshare --net --uts --mount --propagation private -- "$here/lib/cluster-node-init.sh" "$state" "$node" \
    </dev/null >"$state/log/$node.init.log" 2>&1 8>&- &
  echo $! >"$state/nodes/$node/holder.pid"
  disown
done
for k in $(seq "$n"); do
  node="node$k"
  for _ in $(seq 100); do [[ -e "$state/nodes/$node/ready" ]] && break; sleep 0.05; done
  [[ -e "$state/nodes/$node/ready" ]] || { cat "$state/log/$node.init.log" >&2; die "$node did not come up"; }
  pid=$(<"$state/nodes/$node/holder.pid")
  veth="fcv${tag}k$k"
  ip link add "$veth" type veth peer name eth0 netns "$pid"
  ip link set "$veth" master "$bridge" up
  nsenter -t "$pid" --net -- ip addr add "$prefix.$((10 + k))/24" dev eth0
  nsenter -t "$pid" --net -- ip link set eth0 up
done

# ---- slurm.conf ----------------------------------------------------------------------
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 / n ))
port_free_here() { port_free "$1" && port_free "$1" "$host_addr"; }
ctld_port=7817
while ! port_free_here "$ctld_port"; do ctld_port=$((ctld_port + 1)); done
d_port=$((ctld_port + 1))  # slurmd listens inside each node's own namespace
{
  echo "# Written by scripts/cluster-setup.sh for a $n-node test cluster on one machine."
  slurm_conf_common "$state" "flowc$tag" "$ctld_port" "$d_port"
  cat <<EOF
SlurmctldHost=$controller($host_addr)
SlurmdSpoolDir=$state/nodes/%n/spool
SlurmdPidFile=$state/nodes/%n/slurmd.pid
SlurmdLogFile=$state/log/slurmd-%n.log
# CR_LLN: each job on the least loaded node, so that a gang of one-core
# jobs (a stream's tasks) spreads over the nodes as on a busy cluster.
SelectTypeParameters=CR_CPU_Memory,CR_LLN
SlurmctldTimeout=30
SlurmdTimeout=30
EOF
  for k in $(seq "$n"); do
    echo "NodeName=node$k NodeAddr=$prefix.$((10 + k)) NodeHostname=node$k CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN"
  done
  echo "PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
  if ((n >= 2)); then echo "PartitionName=pair Nodes=node1,node2 MaxTime=INFINITE State=UP"; fi
} >"$state/slurm.conf"

# ---- the daemons -------------------------------------------------------------------
export SLURM_CONF="$state/slurm.conf"
slurmctld -i </dev/null >"$state/log/slurmctld.out" 2>&1 8>&-
for _ in $(seq 50); do port_free "$ctld_port" "$host_addr" || break; sleep 0.1; done
flock -u 8
exec 8>&-
for node in "${nodes[@]}"; do
  nsenter -t "$(<"$state/nodes/$node/holder.pid")" --net --uts --mount -- slurmd -N "$node" \
    </dev/null >"$state/log/slurmd-$node.out" 2>&1
done

cat >"$state/env.sh" <<EOF
# Written by scripts/cluster-setup.sh: what a client of the $n-node test
# cluster in $state needs. Source it: . $state/env.sh
export SLURM_CONF=$state/slurm.conf
export FLOWC_CLUSTER_DIR=$state
export FLOWC_CLUSTER_NODES="${nodes[*]}"
# This machine's address on the cluster's network (where the controller
# listens; a server every node must reach, such as Redis, binds here).
export FLOWC_CLUSTER_HOST_ADDR=$host_addr
# Runs a command on a node, as if logged in there: on_node node2 hostname
on_node() { local n=\$1; shift; nsenter -t "\$(cat "$state/nodes/\$n/holder.pid")" --net --uts --mount -- "\$@"; }
EOF

for _ in $(seq 150); do
  if all_idle; then
    up=1
    echo "cluster-setup: $n nodes running from $state (controller $host_addr:$ctld_port); . $state/env.sh"
    exit 0
  fi
  # Nodes left down by an earlier cluster in the same folder: resume them.
  scontrol update nodename="node[1-$n]" state=resume >/dev/null 2>&1 || true
  sleep 0.2
done
echo "cluster-setup: the nodes did not become idle; sinfo says:" >&2
sinfo -N -l >&2 || true
false
