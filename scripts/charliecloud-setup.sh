#!/usr/bin/env bash
# Converts a podman image into a Charliecloud directory image in ch-image's
# storage, where `ch-run NAME` and `flowc run --container-engine charliecloud`
# find it by the same name. Safe to run any number of times, and by several
# processes at once: an image already converted from the same podman image is
# left as it is; a new one replaces the old at once (a rename).
#
#   scripts/charliecloud-setup.sh [IMAGE]     (default: localhost/flow-busybox,
#                                              built by scripts/podman-setup.sh)
#
# Storage: $CH_IMAGE_STORAGE, else /var/tmp/$USER.ch (ch-image's default);
# the image goes to img/<name with / as % and : as +>, the tag defaulting to
# latest. This is what `ch-convert -i podman -o ch-image` does; ch-convert is
# in Debian's charliecloud-builders, which needs docker.io (whose install
# starts dockerd and rewrites the firewall on these shared machines), so the
# conversion is done here with podman's own export: the image's file system
# as one tar, unpacked. ch-run (charliecloud-runtime) then runs it.
set -euo pipefail

image=${1:-localhost/flow-busybox}
die() { echo "charliecloud-setup: $*" >&2; exit 1; }
command -v podman >/dev/null || die "podman is missing: run scripts/install-deps.sh"
command -v ch-run >/dev/null || die "ch-run is missing (Debian package charliecloud-runtime): run scripts/install-deps.sh"

export USER=${USER:-$(id -un)}
storage=${CH_IMAGE_STORAGE:-/var/tmp/$USER.ch}
ref=$image
[[ "${ref##*/}" == *:* ]] || ref="$ref:latest"
name=${ref//\//%}
name=${name//:/+}
dest="$storage/img/$name"

id=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null) ||
  die "podman has no image $image (scripts/podman-setup.sh builds localhost/flow-busybox)"

mkdir -p "$storage/img"
exec 9>"$storage/.flowc-convert.lock"
flock 9  # one conversion at a time
if [[ -f "$dest/ch/flowc-source" && "$(<"$dest/ch/flowc-source")" == "$id" ]]; then
  exit 0
fi

work=$(mktemp -d "$storage/.flowc-convert.XXXXXX")
container=""
cleanup() {
  [[ -n "$container" ]] && podman rm --force --ignore "$container" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
container=$(podman create --pull never "$image" /bin/true)
mkdir "$work/root"
podman export "$container" | tar -x -C "$work/root"
# What ch-run binds in needs a place in the image; ch/ holds the image's
# metadata, as ch-image's do (here: the podman image it came from).
mkdir -p "$work/root"/{dev,proc,sys,tmp,etc,ch}
[[ -e "$work/root/etc/hosts" ]] || : >"$work/root/etc/hosts"
[[ -e "$work/root/etc/resolv.conf" ]] || : >"$work/root/etc/resolv.conf"
echo "$id" >"$work/root/ch/flowc-source"
if [[ -e "$dest" ]]; then
  mv "$dest" "$work/old"
fi
mv "$work/root" "$dest"
ch-run -s "$storage" "$ref" -- /bin/sh -c 'exit 0' || die "ch-run cannot run the converted image $dest"
echo "charliecloud-setup: $image (podman ${id:0:12}) is $dest"
