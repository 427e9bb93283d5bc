#!/usr/bin/env bash
# The first process of a simulated node of scripts/cluster-setup.sh, run by
# `unshare --net --uts --mount --propagation private` in the node's new
# namespaces: gives the node its hostname, the cluster's /etc/hosts (nodes
# find each other by name) and its own /tmp (node-local scratch, and where
# PMIx puts its per-step folders, which two nodes must not share), brings up
# loopback, says it is ready, then holds the namespaces until it is stopped.
#
# A state folder under /tmp (a checkout in `mktemp -d`) must stay visible to
# the node, as everything on a shared file system is: its top folder under
# /tmp is bind-mounted at the same path inside the node's own /tmp.
#
#   cluster-node-init.sh STATE NODE
set -euo pipefail
state=$1
node=$2

hostname "$node"
mount --bind "$state/hosts" /etc/hosts
node_tmp="$state/nodes/$node/tmp"
case "$state" in
  /tmp/*/*)
    top=${state#/tmp/}
    top=${top%%/*}
    mkdir -p "$node_tmp/$top"
    mount --bind "/tmp/$top" "$node_tmp/$top"
    ;;
esac
mount --rbind "$node_tmp" /tmp
ip link set lo up
touch "$state/nodes/$node/ready"
# A name of its own in `ps`, so the stop script knows it is ours.
exec -a "flowc-cluster-node $node" sleep infinity
