#!/usr/bin/env bash
# Real Keystone and glance-api (Debian packages) on loopback, for the imagebuilder-glance system
# test. Idempotent and quick when already set up: packages are installed only when missing, the
# databases and keys are made once, and the two servers are started only when they do not
# answer. Everything lives in $STATE (sqlite databases, fernet keys, image store, logs), and the
# test reads $STATE/clouds.yaml, which names the free loopback ports chosen on the first run.
#
# Keystone's catalog is the templated driver (a file): on sqlite, Keystone's SQL catalog fails
# writes after the first one of a process ("database is locked", reference/glance.md), and a
# file needs no writes at all. Users, projects and tokens stay in sqlite, where they work.
set -euo pipefail

FIXTURE_VERSION=1
STATE=${IMAGEBUILDER_GLANCE_TEST_DIR:-/var/lib/imagebuilder-test/glance}
PY=/usr/bin/python3
ADMIN_PASSWORD=imagebuilder-ci-admin
export DEBIAN_FRONTEND=noninteractive

packages=(keystone glance-api)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  # The packages' init scripts would start both services on all interfaces (:5000, :9292):
  # deny them for the install when no policy is in place already.
  policy=/usr/sbin/policy-rc.d
  made_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    made_policy=true
    trap 'rm -f "$policy"' EXIT  # also when the install fails
  fi
  apt-get -o DPkg::Lock::Timeout=900 update -q
  apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
  if $made_policy; then rm -f "$policy"; trap - EXIT; fi
  # A machine without a policy file may have had them started by systemd all the same.
  systemctl disable --now keystone glance-api >/dev/null 2>&1 || true
fi

answers() { # URL
  $PY - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass  # any HTTP answer (Glance's / is 300 Multiple Choices) means it is up
PY
}

wait_for() { # NAME URL LOG
  for _ in $(seq 1 120); do
    if answers "$2"; then return 0; fi
    sleep 0.5
  done
  echo "glance: $1 did not answer at $2 within 60 s; its log:" >&2
  tail -n 40 "$3" >&2 || true
  exit 1
}

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_keystone() {
  OS_KEYSTONE_CONFIG_FILES="$STATE/ks/keystone.conf" setsid nohup keystone-wsgi-public \
    --host 127.0.0.1 --port "$KS_PORT" >>"$STATE/keystone.log" 2>&1 < /dev/null &
  echo $! > "$STATE/keystone.pid"
  wait_for Keystone "http://127.0.0.1:$KS_PORT/v3" "$STATE/keystone.log"
}

start_glance() {
  setsid nohup glance-api --config-file "$STATE/gl/glance-api.conf" \
    >>"$STATE/glance-api.log" 2>&1 < /dev/null &
  echo $! > "$STATE/glance-api.pid"
  wait_for glance-api "http://127.0.0.1:$GL_PORT/" "$STATE/glance-api.log"
}

port_taken() { # PORT; SO_REUSEADDR as the servers bind, so TIME_WAIT leftovers do not count
  $PY -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null && return 1 || return 0
}

if [[ -s "$STATE/ready" && "$(cat "$STATE/ready")" == "$FIXTURE_VERSION" ]]; then
  read -r KS_PORT GL_PORT < "$STATE/ports"
  ks_up=false; gl_up=false
  answers "http://127.0.0.1:$KS_PORT/v3" && ks_up=true
  answers "http://127.0.0.1:$GL_PORT/" && gl_up=true
  if $ks_up && $gl_up; then
    echo "glance: Keystone on 127.0.0.1:$KS_PORT and glance-api on 127.0.0.1:$GL_PORT are up ($STATE/clouds.yaml)"
    exit 0
  fi
  # Set up before, stopped since (a CI run ends what a session left running): start again,
  # unless another process took a port meanwhile; then set up afresh on new ports.
  if { $ks_up || ! port_taken "$KS_PORT"; } && { $gl_up || ! port_taken "$GL_PORT"; }; then
    $ks_up || start_keystone
    $gl_up || start_glance
    echo "glance: restarted Keystone on 127.0.0.1:$KS_PORT and glance-api on 127.0.0.1:$GL_PORT"
    exit 0
  fi
fi

# First run (or a stale one): stop what an earlier run of this script started, start afresh.
for pidfile in "$STATE/keystone.pid" "$STATE/glance-api.pid"; do
  if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
done
rm -rf "$STATE"
mkdir -p "$STATE/ks" "$STATE/gl/images" "$STATE/gl/staging"
chmod 700 "$STATE"
KS_PORT=$(free_port)
GL_PORT=$(free_port)
while [ "$GL_PORT" = "$KS_PORT" ]; do GL_PORT=$(free_port); done
echo "$KS_PORT $GL_PORT" > "$STATE/ports"

cat > "$STATE/ks/catalog.templates" <<EOF
catalog.RegionOne.identity.publicURL = http://127.0.0.1:$KS_PORT/v3
catalog.RegionOne.identity.internalURL = http://127.0.0.1:$KS_PORT/v3
catalog.RegionOne.identity.name = Identity Service
catalog.RegionOne.image.publicURL = http://127.0.0.1:$GL_PORT
catalog.RegionOne.image.internalURL = http://127.0.0.1:$GL_PORT
catalog.RegionOne.image.name = Image Service
EOF
cat > "$STATE/ks/keystone.conf" <<EOF
[DEFAULT]
use_stderr = true
[database]
connection = sqlite:///$STATE/ks/keystone.db
[catalog]
driver = templated
template_file = $STATE/ks/catalog.templates
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $STATE/ks/fernet-keys
[fernet_receipts]
key_repository = $STATE/ks/fernet-keys
[credential]
key_repository = $STATE/ks/credential-keys
[cache]
enabled = false
EOF
KC="$STATE/ks/keystone.conf"
keystone-manage --config-file "$KC" db_sync >>"$STATE/setup.log" 2>&1
keystone-manage --config-file "$KC" fernet_setup --keystone-user root --keystone-group root >>"$STATE/setup.log" 2>&1
keystone-manage --config-file "$KC" credential_setup --keystone-user root --keystone-group root >>"$STATE/setup.log" 2>&1
# No catalog options: the catalog is the template above.
keystone-manage --config-file "$KC" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
  --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
  >>"$STATE/setup.log" 2>&1
start_keystone

cat > "$STATE/gl/glance-api.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $GL_PORT
workers = 0
use_stderr = true
node_staging_uri = file://$STATE/gl/staging
enabled_import_methods = [glance-direct]
[database]
connection = sqlite:///$STATE/gl/glance.db
[glance_store]
stores = file
default_store = file
filesystem_store_datadir = $STATE/gl/images/
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:$KS_PORT
auth_url = http://127.0.0.1:$KS_PORT
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = admin
username = admin
password = $ADMIN_PASSWORD
[oslo_policy]
enforce_new_defaults = false
enforce_scope = false
[taskflow_executor]
engine_mode = serial
EOF
glance-manage --config-file "$STATE/gl/glance-api.conf" db_sync >>"$STATE/setup.log" 2>&1
start_glance

# An application credential for the second clouds.yaml entry (its secret is shown only once).
APPCRED=$($PY - "$KS_PORT" "$ADMIN_PASSWORD" <<'PY'
import json, sys, urllib.request
port, password = sys.argv[1], sys.argv[2]
base = "http://127.0.0.1:%s/v3" % port
def call(method, path, body, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers.get("X-Subject-Token"), json.load(r)
token, body = call("POST", "/auth/tokens", {"auth": {
    "identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"name": "Default"}, "password": password}}},
    "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}})
user = body["token"]["user"]["id"]
_, cred = call("POST", "/users/%s/application_credentials" % user,
               {"application_credential": {"name": "imagebuilder-ci"}}, token)
print(cred["application_credential"]["id"], cred["application_credential"]["secret"])
PY
)
read -r APPCRED_ID APPCRED_SECRET <<<"$APPCRED"

umask 077
cat > "$STATE/clouds.yaml" <<EOF
clouds:
  imagebuilder-ci:
    auth:
      auth_url: http://127.0.0.1:$KS_PORT/v3
      username: admin
      password: $ADMIN_PASSWORD
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
  imagebuilder-ci-appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://127.0.0.1:$KS_PORT
      application_credential_id: $APPCRED_ID
      application_credential_secret: $APPCRED_SECRET
    region_name: RegionOne
EOF
echo "$FIXTURE_VERSION" > "$STATE/ready"
echo "glance: Keystone on 127.0.0.1:$KS_PORT and glance-api on 127.0.0.1:$GL_PORT ($STATE/clouds.yaml)"
