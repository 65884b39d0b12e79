#!/usr/bin/env bash
# Tools and a tiny real disk image for the guestfs backend's system test.
# Idempotent: packages are installed only when missing, the image is built only once (again
# only when FIXTURE_VERSION changes).
#
# The image is Debian bookworm (minbase) with a signed apt repository laid out like a
# Launchpad PPA inside it, at /srv/imagebuilder-test-ppa/<owner>/<name>/<distribution>:
# PPAs are unreachable from CI, so the test points the backend's ppa-url-template at that
# file: URL and its ppa-key-file at the repository's public key (kept beside the image).
set -euo pipefail

FIXTURE_VERSION=2
CACHE_DIR=${IMAGEBUILDER_GUESTFS_TEST_CACHE:-/var/cache/imagebuilder-test/guestfs}
BASE_IMAGE="$CACHE_DIR/base.qcow2"
PPA_KEY="$CACHE_DIR/test-ppa-key.asc"
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
PPA_OWNER=imagebuilder-test
PPA_NAME=probe
PROBE=imagebuilder-test-probe

# libguestfs-tools: virt-customize, virt-cat, virt-ls, virt-make-fs; linux-image-amd64: the
# kernel the appliance boots; mmdebstrap: the base image's root file system; dpkg-dev,
# apt-utils and gnupg build the signed test repository.
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
export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}

if [[ -s "$BASE_IMAGE" && -s "$PPA_KEY" && "$(cat "$CACHE_DIR/fixture-version" 2>/dev/null)" == "$FIXTURE_VERSION" ]]; then
  echo "guestfs: base image $BASE_IMAGE is ready (fixture version $FIXTURE_VERSION)"
  exit 0
fi

mkdir -p "$CACHE_DIR"
work=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

mmdebstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/root" "$MIRROR"

# The probe package the test installs from the "PPA".
pkg="$work/pkg"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/$PROBE"
echo "installed from the imagebuilder test PPA" > "$pkg/usr/share/$PROBE/marker"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: $PROBE
Version: 1.0
Architecture: all
Maintainer: imagebuilder tests <tests@imagebuilder.invalid>
Description: marker package for the imagebuilder guestfs system test
CONTROL
repo="$work/root/srv/imagebuilder-test-ppa/$PPA_OWNER/$PPA_NAME/ubuntu"
mkdir -p "$repo/pool/main/i/$PROBE" "$repo/dists/$SUITE/main/binary-amd64"
dpkg-deb --build --root-owner-group "$pkg" "$repo/pool/main/i/$PROBE/${PROBE}_1.0_all.deb" >/dev/null
(cd "$repo" && apt-ftparchive packages pool > "dists/$SUITE/main/binary-amd64/Packages")
gzip -9kn "$repo/dists/$SUITE/main/binary-amd64/Packages"
apt-ftparchive -o APT::FTPArchive::Release::Suite="$SUITE" -o APT::FTPArchive::Release::Codename="$SUITE" \
  -o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main \
  release "$repo/dists/$SUITE" > "$work/Release"
mv "$work/Release" "$repo/dists/$SUITE/Release"

# A throwaway signing key, like a PPA's: the public half goes beside the image.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'imagebuilder test PPA <ppa@imagebuilder.invalid>' rsa2048 sign never
gpg --batch --quiet --yes --clearsign -o "$repo/dists/$SUITE/InRelease" "$repo/dists/$SUITE/Release"
gpg --batch --armor --export > "$work/key.asc"
gpgconf --kill all || true

virt-make-fs --format=qcow2 --type=ext4 --size=+300M "$work/root" "$work/base.qcow2"
# Moved into place last, so a failed run never leaves a half-built fixture behind.
mv "$work/key.asc" "$PPA_KEY"
mv "$work/base.qcow2" "$BASE_IMAGE"
echo "$FIXTURE_VERSION" > "$CACHE_DIR/fixture-version"
echo "guestfs: built base image $BASE_IMAGE ($(du -h "$BASE_IMAGE" | cut -f1)) with a test PPA for $PPA_OWNER/$PPA_NAME"
