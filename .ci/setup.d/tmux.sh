#!/usr/bin/env bash
# tmux, for the CLI's tests of the live view on a real terminal (LiveViewInTerminalTest): it
# gives the command a pseudo-terminal of a chosen size, resizes it, and keeps the scrollback
# that the tests inspect. Idempotent: installs only when missing.
set -euo pipefail

if command -v tmux >/dev/null 2>&1; then
  echo "tmux: $(tmux -V) is installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -q
apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends tmux
