#!/usr/bin/env bash
# Makes podman work on this kind of machine and builds the small image the
# tests and examples run in. Safe to run any number of times, and by several
# processes at once; fast when everything is in place.
#
#   scripts/podman-setup.sh            configure podman, build localhost/flow-busybox
#
# What podman needs here (measured, ../shared/BACKENDS.md): the OCI runtime
# runc (crun refuses the hybrid cgroup v1 layout), the cgroupfs cgroup
# manager and the file events logger (no systemd), and default ulimits no
# higher than the hard limits (root cannot raise them in these VMs). They go
# in a drop-in file of their own, containers.conf.d/50-flowc.conf, so no
# other setting in /etc/containers/containers.conf is touched.
#
# The image: Debian's busybox-static as a root file system (/bin/busybox,
# a link per applet, /etc/passwd), imported with `podman import`. No registry.
set -euo pipefail

IMAGE=localhost/flow-busybox

if ! command -v podman >/dev/null; then
  echo "podman-setup: podman is not installed; run scripts/install-deps.sh first" >&2
  exit 1
fi
if [[ ! -x /bin/busybox ]]; then
  echo "podman-setup: /bin/busybox is missing (Debian package busybox-static); run scripts/install-deps.sh first" >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  conf_dir=/etc/containers/containers.conf.d
  lock=/run/lock/flowc-podman-setup.lock
else
  conf_dir="${XDG_CONFIG_HOME:-$HOME/.config}/containers/containers.conf.d"
  lock="${XDG_RUNTIME_DIR:-/tmp}/flowc-podman-setup-$(id -u).lock"
fi
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
flock 9  # one setup at a time; the second finds everything done

# Limits as high as allowed, never above the hard ones (podman itself
# lowers nproc to 32768).
cap() {  # cap LIMIT MAX
  if [[ "$1" == unlimited || "$1" -gt "$2" ]]; then echo "$2"; else echo "$1"; fi
}
nofile=$(cap "$(ulimit -Hn)" 1048576)
nproc=$(cap "$(ulimit -Hu)" 32768)

conf="$conf_dir/50-flowc.conf"
want=$(cat <<CONF
# Written by flowc's scripts/podman-setup.sh: what podman needs on a VM
# without systemd, with cgroups v1 and fixed hard limits.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
)
if [[ ! -f "$conf" || "$(cat "$conf")" != "$want" ]]; then
  mkdir -p "$conf_dir"
  printf '%s\n' "$want" > "$conf.tmp.$$"
  mv "$conf.tmp.$$" "$conf"
  echo "podman-setup: wrote $conf"
fi

if ! podman image exists "$IMAGE"; then
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ -e "$root/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar -C "$root" -c . | podman import --quiet --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  echo "podman-setup: built $IMAGE from busybox-static"
fi

# The proof: a container runs.
if ! out=$(podman run --rm --pull never --network none "$IMAGE" /bin/sh -c 'echo ok' 2>&1) || [[ "$out" != ok ]]; then
  echo "podman-setup: podman still cannot run a container:" >&2
  echo "$out" >&2
  exit 1
fi
