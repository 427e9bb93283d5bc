#!/usr/bin/env bash
# Breaks and mends one node of a cluster scripts/cluster-setup.sh started, as
# real nodes break: for tests of what flowc does when a node is lost.
#
#   scripts/cluster-node.sh STATE_DIR NODE crash     every process of the node
#       killed at once (SIGKILL: no cleanup runs, as when a machine loses
#       power), then the node set DOWN, as the controller does once it misses
#       the node's answers (SlurmdTimeout; done at once here, to be quick)
#   scripts/cluster-node.sh STATE_DIR NODE down      the node set DOWN, its
#       processes left running (as when the controller lost touch with it):
#       Slurm ends its jobs as NODE_FAIL and signals them
#   scripts/cluster-node.sh STATE_DIR NODE restart   slurmd started again in
#       the node (if it is not running), the node resumed
#   scripts/cluster-node.sh STATE_DIR NODE cut       its network link down
#       (its processes go on, unreachable)
#   scripts/cluster-node.sh STATE_DIR NODE mend      its link up again
#
# Only processes inside the node's own network namespace are touched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/slurm-common.sh"

[[ $# -eq 3 ]] || die "usage: cluster-node.sh STATE_DIR NODE crash|down|restart|cut|mend"
state=$(realpath -m "$1")
node=$2
action=$3
dir="$state/nodes/$node"
[[ "$node" =~ ^node([0-9]+)$ ]] || die "$node is not a node of the cluster (node1, node2, ...)"
k=${BASH_REMATCH[1]}
pid_alive "$dir/holder.pid" flowc-cluster-node || die "$node of the cluster in $state is not running"
holder=$(<"$dir/holder.pid")
export SLURM_CONF="$state/slurm.conf"
veth="fcv$(state_tag "$state")k$k"

case "$action" in
  crash)
    victims=()
    for pid in $(pids_in_netns_of "$holder"); do
      [[ "$pid" != "$holder" ]] && victims+=("$pid")
    done
    ((${#victims[@]})) && kill -KILL "${victims[@]}" 2>/dev/null || true
    rm -f "$dir/slurmd.pid"
    scontrol update nodename="$node" state=down reason="crashed (scripts/cluster-node.sh)"
    echo "cluster-node: $node crashed (${#victims[@]} processes killed), set down"
    ;;
  down)
    scontrol update nodename="$node" state=down reason="set down (scripts/cluster-node.sh)"
    echo "cluster-node: $node set down"
    ;;
  restart)
    if ! pid_alive "$dir/slurmd.pid" slurmd; then
      nsenter -t "$holder" --net --uts --mount -- slurmd -N "$node" </dev/null >>"$state/log/slurmd-$node.out" 2>&1
    fi
    for _ in $(seq 100); do
      scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
      sinfo -h -n "$node" -o '%T' 2>/dev/null | grep -q -E '^(idle|mixed|allocated)$' && break
      sleep 0.2
    done
    sinfo -h -n "$node" -o '%T' | grep -q -E '^(idle|mixed|allocated)$' || die "$node did not come back"
    echo "cluster-node: $node is back"
    ;;
  cut)
    ip link set "$veth" down
    echo "cluster-node: $node's link is cut"
    ;;
  mend)
    ip link set "$veth" up
    echo "cluster-node: $node's link is up"
    ;;
  *) die "unknown action $action: crash, down, restart, cut or mend" ;;
esac
