#!/usr/bin/env bash
# imagebuilder-registry system tests: Debian's docker-registry (distribution 2.8), skopeo (the
# independent digest check), htpasswd (bcrypt entries for Basic auth) and openssl (a
# self-signed certificate for TLS). The tests start their own registries as child processes
# on free loopback ports with their own configuration; nothing is started here, and the
# package's system service (which listens on :5000) is stopped if the package started it.
# Idempotent.
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}"
  if command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
fi
docker-registry --version
