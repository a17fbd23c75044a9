#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ run on this machine (installing the Debian packages when absent), plus
# any extra Debian packages named as arguments. Idempotent; safe to run before every start and test run.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
for pkg in "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

wait_for() { # description, timeout seconds, command...
  local what=$1 timeout=$2; shift 2
  for _ in $(seq 1 "$timeout"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$what did not become ready within ${timeout}s" >&2
  return 1
}

# PostgreSQL on 127.0.0.1:5432 (the newest cluster installed)
version=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL $version"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for PostgreSQL 60 pg_isready -h 127.0.0.1 -p 5432 -q
fi
# Local development uses trust authentication on the loopback interface (as this machine's image does).
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  hba=/etc/postgresql/$version/main/pg_hba.conf
  echo "enabling trust authentication for 127.0.0.1 and ::1 in $hba (development machine)"
  $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  wait_for "PostgreSQL login" 30 psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1'
fi

# Connections for the test suite: its two workers may each run a whole federation at once (every service's pools
# and listeners, 36-45 connections each, measured), beside the tests' own pools; PostgreSQL's default of 100 was
# then exhausted at times ("remaining connection slots are reserved"). Raised once, with a restart.
connessioni=300
if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -tAc 'show max_connections')" -lt "$connessioni" ]; then
  echo "raising PostgreSQL's max_connections to $connessioni (restart)"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER SYSTEM SET max_connections = $connessioni"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  wait_for PostgreSQL 60 pg_isready -h 127.0.0.1 -p 5432 -q
fi

# RabbitMQ on 127.0.0.1:5672
if ! $SUDO rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
  echo "starting RabbitMQ"
  $SUDO rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for RabbitMQ 120 $SUDO rabbitmq-diagnostics -q ping
  wait_for "RabbitMQ listener" 60 $SUDO rabbitmq-diagnostics -q check_port_listener 5672
fi
