#!/usr/bin/env bash
# Setup for the systemimage backend's foreign-architecture system test (run as root by
# bin/run-tests; idempotent, and quick once done):
#  - qemu-user-static and binfmt-support from Debian, so arm64 binaries run on an amd64 host;
#  - a minimal arm64 Debian rootfs (mmdebstrap --variant=apt: just enough for apt and dpkg;
#    about 40 MB of downloads, most of the setup time is dpkg under qemu),
#    packed in the system-image layout (entries under system/): rootfs-arm64-system.tar.xz;
#  - a tiny signed apt repository, laid out like a Launchpad PPA, holding one 'Architecture: all'
#    package whose postinst records 'uname -m': installing it runs arm64 dpkg and sh under qemu.
set -euo pipefail

BASE=/var/cache/imagebuilder-test/systemimage-arm64
SUITE=bookworm
MIRROR=http://deb.debian.org/debian

need=()
for tool in qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support mmdebstrap:mmdebstrap \
    arch-test:arch-test apt-ftparchive:apt-utils dpkg-deb:dpkg gpg:gnupg xz:xz-utils; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
    "${need[@]}" ca-certificates
fi

# binfmt_misc: mounted and the aarch64 interpreter registered (a fresh container may have neither).
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
fi
if [ -e /proc/sys/fs/binfmt_misc/status ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  update-binfmts --enable qemu-aarch64 2>/dev/null || update-binfmts --import qemu-aarch64 || true
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  echo "binfmt_misc: no qemu-aarch64 handler (a container without binfmt_misc?); the arm64 test will say so" >&2
  exit 0
fi
mkdir -p "$BASE"

# 1. The minimal arm64 rootfs, and its system/-rooted tarball.
if [ ! -s "$BASE/rootfs-arm64-system.tar.xz" ]; then
  rm -rf "$BASE/rootfs" "$BASE/rootfs-arm64-system.tar.xz.tmp"
  mmdebstrap --arch=arm64 --variant=apt --dpkgopt='path-exclude=/usr/share/{doc,man,locale}/*' \
    "$SUITE" "$BASE/rootfs" "$MIRROR"
  # Without Debian's sources.list: the test installs from the local repository only, so apt
  # (slow under emulation) reads one small index instead of all of bookworm's.
  rm -f "$BASE/rootfs/etc/apt/sources.list"
  tar -C "$BASE/rootfs" --numeric-owner --transform 's,^\.,system,' -cf - . \
    | xz -T0 -1 > "$BASE/rootfs-arm64-system.tar.xz.tmp"
  mv "$BASE/rootfs-arm64-system.tar.xz.tmp" "$BASE/rootfs-arm64-system.tar.xz"
  rm -rf "$BASE/rootfs"
fi

# 2. The signed local "PPA" with one arch-all package whose postinst runs under qemu.
REPO="$BASE/ppa-root/test-owner/arm64-ppa/ubuntu"
if [ ! -s "$REPO/dists/$SUITE/InRelease" ] || [ ! -s "$BASE/ppa-key.asc" ]; then
  rm -rf "$BASE/ppa-root" "$BASE/gnupg" "$BASE/ppa-key.asc" "$BASE/build"
  mkdir -p "$REPO/pool/main" "$REPO/dists/$SUITE/main/binary-arm64" "$BASE/build" "$BASE/gnupg"
  chmod 700 "$BASE/gnupg"
  PKG="$BASE/build/imagebuilder-arch-marker"
  mkdir -p "$PKG/DEBIAN"
  cat > "$PKG/DEBIAN/control" <<CONTROL
Package: imagebuilder-arch-marker
Version: 1.0
Architecture: all
Maintainer: imagebuilder tests <tests@imagebuilder.invalid>
Description: records the machine its postinst ran on
CONTROL
  printf '#!/bin/sh\nset -e\nuname -m > /etc/imagebuilder-arch-marker\n' > "$PKG/DEBIAN/postinst"
  chmod 755 "$PKG/DEBIAN/postinst"
  dpkg-deb --root-owner-group --build "$PKG" "$REPO/pool/main/imagebuilder-arch-marker_1.0_all.deb" >/dev/null
  (cd "$REPO" && apt-ftparchive packages pool > "dists/$SUITE/main/binary-arm64/Packages" \
    && gzip -kf "dists/$SUITE/main/binary-arm64/Packages" \
    && apt-ftparchive -o "APT::FTPArchive::Release::Suite=$SUITE" \
         -o "APT::FTPArchive::Release::Codename=$SUITE" \
         -o APT::FTPArchive::Release::Components=main \
         -o APT::FTPArchive::Release::Architectures=arm64 \
         release "dists/$SUITE" > "$BASE/build/Release" \
    && mv "$BASE/build/Release" "dists/$SUITE/Release")
  G=(gpg --homedir "$BASE/gnupg" --batch --yes --pinentry-mode loopback --passphrase '')
  "${G[@]}" --quick-gen-key 'imagebuilder arm64 test PPA <ppa@imagebuilder.invalid>' rsa2048 sign never
  "${G[@]}" --clearsign -o "$REPO/dists/$SUITE/InRelease" "$REPO/dists/$SUITE/Release"
  "${G[@]}" --armor --export > "$BASE/ppa-key.asc"
  rm -rf "$BASE/build"
fi
echo "systemimage arm64 test data ready in $BASE"
