#!/usr/bin/env bash
# RabbitMQ broker for the imagebuilder-amqp system tests: AMQP 0-9-1 on 127.0.0.1:5672 with
# guest/guest (which RabbitMQ allows on loopback only). Idempotent: configures loopback-only
# listeners if no configuration exists yet, installs the broker if it is missing, starts it
# detached if it is not running, and waits until `rabbitmqctl status` answers.
set -euo pipefail

# Written before the package is installed, so that the broker the package may start at once
# already listens on loopback only (AMQP, Erlang distribution and epmd). The package copies its
# own rabbitmq-env.conf only when none exists; existing files are left alone.
mkdir -p /etc/rabbitmq
if [ ! -e /etc/rabbitmq/rabbitmq.conf ]; then
  cat > /etc/rabbitmq/rabbitmq.conf <<'CONF'
listeners.tcp.default = 127.0.0.1:5672
distribution.listener.interface = 127.0.0.1
CONF
fi
if [ ! -e /etc/rabbitmq/rabbitmq-env.conf ]; then
  cat > /etc/rabbitmq/rabbitmq-env.conf <<'CONF'
NODE_IP_ADDRESS=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
CONF
fi

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q rabbitmq-server
fi

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  # The package's post-install may be starting it already; -detached then fails harmlessly.
  rabbitmq-server -detached >/dev/null 2>&1 || true
fi

for _ in $(seq 1 60); do
  if rabbitmqctl -q status >/dev/null 2>&1; then
    rabbitmqctl -q await_startup >/dev/null 2>&1 || true
    echo "amqp: RabbitMQ is up on 127.0.0.1:5672"
    exit 0
  fi
  sleep 1
done
echo "amqp: RabbitMQ did not start within 60 s" >&2
rabbitmqctl status >&2 || true
exit 1
