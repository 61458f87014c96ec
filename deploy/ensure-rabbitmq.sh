#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on 127.0.0.1:5672 with the management plugin enabled
# (the test fixtures create one throw-away vhost per test through the management API).
# Starts an installed broker, installs one with apt where that is possible, otherwise says
# exactly what to do. Skipped when AMQP_URI points at another host or lists several nodes.
set -u

say() { printf 'rabbitmq: %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

uri=${AMQP_URI:-}
case "$uri" in
  *";"*) say "AMQP_URI lists several nodes (a cluster); leaving them alone"; exit 0 ;;
  ""|*@localhost*|*@127.0.0.1*|*//localhost*|*//127.0.0.1*) ;;
  *) say "AMQP_URI points at another broker; leaving it alone"; exit 0 ;;
esac

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

if ! command -v rabbitmq-server >/dev/null 2>&1 && ! port_open 5672; then
  if command -v apt-get >/dev/null 2>&1; then
    say "not installed; installing rabbitmq-server with apt"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null \
      || { say "could not install it. Run: sudo apt-get install -y rabbitmq-server"; exit 1; }
  else
    say "not installed and apt-get is not available."
    say "Install RabbitMQ 3.x (https://www.rabbitmq.com/download.html), start it, then run: rabbitmq-plugins enable rabbitmq_management"
    say "or point AMQP_URI at a broker you already run."
    exit 1
  fi
fi

if ! port_open 5672; then
  say "not running; starting it"
  # Enabling the plugin offline before the first start means one start instead of two.
  if [ -d /etc/rabbitmq ] && ! grep -qs rabbitmq_management /etc/rabbitmq/enabled_plugins; then
    echo '[rabbitmq_management].' | as_root tee /etc/rabbitmq/enabled_plugins >/dev/null || true
  fi
  as_root rabbitmq-server -detached || { say "could not start it. Run: sudo rabbitmq-server -detached"; exit 1; }
  for _ in $(seq 1 60); do port_open 5672 && break; sleep 1; done
  port_open 5672 || { say "did not come up within 60 s; see /var/log/rabbitmq"; exit 1; }
  # The node accepts connections a moment before it has registered; wait until it has.
  for _ in $(seq 1 30); do as_root rabbitmqctl -q await_startup >/dev/null 2>&1 && break; sleep 1; done
fi

if ! port_open 15672; then
  say "enabling the management plugin"
  as_root rabbitmq-plugins enable -q rabbitmq_management >/dev/null \
    || { say "could not enable it. Run: sudo rabbitmq-plugins enable rabbitmq_management"; exit 1; }
  for _ in $(seq 1 30); do port_open 15672 && break; sleep 1; done
  port_open 15672 || { say "management API did not open on 15672"; exit 1; }
fi
say "running on 127.0.0.1:5672 (management on 15672)"
