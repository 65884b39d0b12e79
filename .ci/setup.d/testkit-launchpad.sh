#!/usr/bin/env bash
# Test kit (FakeLaunchpad): LaunchpadlibTest drives the fake with Debian's unmodified
# launchpadlib through /usr/bin/python3. Idempotent.
set -euo pipefail
if /usr/bin/python3 -c 'import launchpadlib.launchpad' 2>/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-launchpadlib
/usr/bin/python3 -c 'import launchpadlib.launchpad'
