#!/usr/bin/env bash
# Tools and a tiny real disk image for the guestfs backend's system test.
# Idempotent: packages are installed only when missing, the image is built only once.
set -euo pipefail

CACHE_DIR=${IMAGEBUILDER_GUESTFS_TEST_CACHE:-/var/cache/imagebuilder-test/guestfs}
BASE_IMAGE="$CACHE_DIR/base.qcow2"
SUITE=bookworm
MIRROR=http://deb.debian.org/debian

# libguestfs-tools: virt-customize, virt-cat, virt-ls, virt-make-fs; linux-image-amd64: the
# kernel the appliance boots; mmdebstrap: the base image's root file system; the rest build
# the test's signed local apt repository (our stand-in for a PPA).
packages=(libguestfs-tools linux-image-amd64 mmdebstrap qemu-utils dpkg-dev apt-utils gnupg)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# KVM aborts on these machines ("failed to set MSR 0x10a"); TCG works.
export LIBGUESTFS_BACKEND=direct
export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}

if [[ ! -s "$BASE_IMAGE" ]]; then
  mkdir -p "$CACHE_DIR"
  work=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mmdebstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/root" "$MIRROR"
  virt-make-fs --format=qcow2 --type=ext4 --size=+300M "$work/root" "$work/base.qcow2"
  # Atomic: a half-built image never sits at the cached path.
  mv "$work/base.qcow2" "$BASE_IMAGE"
fi
echo "guestfs: base image $BASE_IMAGE ($(du -h "$BASE_IMAGE" | cut -f1))"
