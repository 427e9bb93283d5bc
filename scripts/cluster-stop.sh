#!/usr/bin/env bash
# Stops the cluster scripts/cluster-setup.sh started from STATE_DIR, and only
# it: its jobs, then every process inside its nodes' namespaces (slurmd, job
# steps, the node's first process; found by the node's network namespace,
# never by name), the controller and munge by their pid files (checked against
# their command lines), then its bridge (named from STATE_DIR's hash). A node's
# namespaces and veth pair go with its last process. Safe to run twice, and
# on a setup that failed half-way.
#
#   scripts/cluster-stop.sh STATE_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/slurm-common.sh"

[[ -n "${1:-}" ]] || die "usage: cluster-stop.sh STATE_DIR"
state=$(realpath -m "$1")
tag=$(state_tag "$state")

if [[ -s "$state/slurm.conf" ]] && pid_alive "$state/slurmctld.pid" slurmctld; then
  SLURM_CONF="$state/slurm.conf" cancel_all_jobs
fi

for dir in "$state"/nodes/*/; do
  [[ -d "$dir" ]] || continue
  stop_pid "$dir/slurmd.pid" slurmd
  if pid_alive "$dir/holder.pid" flowc-cluster-node; then
    holder=$(<"$dir/holder.pid")
    # Job steps slurmd left, then the node's first process: the namespaces
    # (and the veth pair) go with the last of them.
    pids=$(pids_in_netns_of "$holder")
    # shellcheck disable=SC2086
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
    wait_gone "$holder" || true
    echo "cluster-stop: stopped $(basename "$dir") ($holder and $(($(wc -w <<<"$pids") - 1)) more)"
  fi
  rm -f "$dir/holder.pid" "$dir/ready"
done

stop_pid "$state/slurmctld.pid" slurmctld
munge_stop "$state"

bridge="fcbr$tag"
if ip link show "$bridge" >/dev/null 2>&1; then
  ip link del "$bridge"
  echo "cluster-stop: removed bridge $bridge"
fi
# veths whose node is gone are gone with it; one whose peer was never moved
# into a node (a setup stopped between the two steps) is removed here.
for veth in $(ip -o link show 2>/dev/null | grep -o "fcv${tag}k[0-9]*" | sort -u); do
  ip link del "$veth" 2>/dev/null || true
done
rm -f "$state/net.env"
