#!/usr/bin/env bash
# Setup for the systemimage backend's system tests (run as root by bin/run-tests; idempotent):
#  - tools the tests call: gpgv (checks published signatures), tar/xz, mmdebstrap, python3 (its
#    http.server serves a published tree as user nobody: TouchChannelLifecycleTest);
#  - a minimal Debian rootfs, packed in the system-image layout (entries under system/), that
#    FakeSystemImageServer serves as the remote rootfs: rootfs-system.tar.xz;
#  - a local apt repository laid out like a Launchpad PPA (<owner>/<name>/ubuntu/dists/...), signed
#    with a test key (ppa-key.asc), holding Debian's 'hello' and a package 'imagebuilder-ppa-marker'
#    that depends on it: PPAs are unreachable from CI, so the test serves this one on loopback.
set -euo pipefail

BASE=/var/cache/imagebuilder-test/systemimage
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
ARCH=$(dpkg --print-architecture)

need=()
for tool in mmdebstrap:mmdebstrap apt-ftparchive:apt-utils dpkg-deb:dpkg gpg:gnupg gpgv:gpgv xz:xz-utils \
    /usr/bin/python3:python3; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" ca-certificates
fi
mkdir -p "$BASE"

# 1. The rootfs, and its system/-rooted tarball.
if [ ! -s "$BASE/rootfs-system.tar.xz" ]; then
  rm -rf "$BASE/rootfs" "$BASE/rootfs-system.tar.xz.tmp"
  mmdebstrap --variant=minbase --include=ca-certificates "$SUITE" "$BASE/rootfs" "$MIRROR"
  tar -C "$BASE/rootfs" --numeric-owner --transform 's,^\.,system,' -cf - . \
    | xz -T0 -1 > "$BASE/rootfs-system.tar.xz.tmp"
  mv "$BASE/rootfs-system.tar.xz.tmp" "$BASE/rootfs-system.tar.xz"
fi

# 2. The signed local "PPA".
REPO="$BASE/ppa-root/test-owner/test-ppa/ubuntu"
if [ ! -s "$REPO/dists/$SUITE/InRelease" ] || [ ! -s "$BASE/ppa-key.asc" ]; then
  rm -rf "$BASE/ppa-root" "$BASE/gnupg" "$BASE/ppa-key.asc" "$BASE/build"
  mkdir -p "$REPO/pool/main" "$REPO/dists/$SUITE/main/binary-$ARCH" "$BASE/build" "$BASE/gnupg"
  chmod 700 "$BASE/gnupg"
  # _apt must be able to write the download directory.
  chmod 777 "$BASE/build"
  (cd "$BASE/build" && apt-get download hello >/dev/null 2>&1) \
    || { apt-get update -qq && (cd "$BASE/build" && apt-get download hello >/dev/null); }
  mv "$BASE"/build/hello_*.deb "$REPO/pool/main/"
  PKG="$BASE/build/imagebuilder-ppa-marker"
  mkdir -p "$PKG/DEBIAN" "$PKG/usr/share/imagebuilder-ppa-marker"
  cat > "$PKG/DEBIAN/control" <<CONTROL
Package: imagebuilder-ppa-marker
Version: 1.0
Architecture: all
Maintainer: imagebuilder tests <tests@imagebuilder.invalid>
Depends: hello
Description: marks a rootfs customized from the imagebuilder test PPA
CONTROL
  echo "installed from the imagebuilder test PPA" > "$PKG/usr/share/imagebuilder-ppa-marker/marker"
  dpkg-deb --root-owner-group --build "$PKG" "$REPO/pool/main/imagebuilder-ppa-marker_1.0_all.deb" >/dev/null
  (cd "$REPO" && apt-ftparchive packages pool > "dists/$SUITE/main/binary-$ARCH/Packages" \
    && gzip -kf "dists/$SUITE/main/binary-$ARCH/Packages" \
    && apt-ftparchive -o "APT::FTPArchive::Release::Suite=$SUITE" \
         -o "APT::FTPArchive::Release::Codename=$SUITE" \
         -o APT::FTPArchive::Release::Components=main \
         -o "APT::FTPArchive::Release::Architectures=$ARCH" \
         release "dists/$SUITE" > "$BASE/build/Release" \
    && mv "$BASE/build/Release" "dists/$SUITE/Release")
  G=(gpg --homedir "$BASE/gnupg" --batch --yes --pinentry-mode loopback --passphrase '')
  "${G[@]}" --quick-gen-key 'imagebuilder test PPA <ppa@imagebuilder.invalid>' rsa2048 sign never
  "${G[@]}" --clearsign -o "$REPO/dists/$SUITE/InRelease" "$REPO/dists/$SUITE/Release"
  "${G[@]}" --armor --detach-sign -o "$REPO/dists/$SUITE/Release.gpg" "$REPO/dists/$SUITE/Release"
  "${G[@]}" --armor --export > "$BASE/ppa-key.asc"
  rm -rf "$BASE/build"
fi
echo "systemimage test data ready in $BASE"
