#!/usr/bin/env bash
# Makes a throwaway PostgreSQL server for the test suite and prints its URL on stdout
# (`scripts/postgres.sh stop` stops it again: the outage tests use a server of their own, and `./onair test`
# stops the one it started; `scripts/postgres.sh status` exits 0 while it runs).
# Installs Debian's postgresql when its binaries are missing (needs root), creates a cluster under
# $TMPDIR/onair-test-postgres-PORT and starts it on 127.0.0.1 (port ONAIR_TEST_PG_PORT, default 54329).
# Idempotent: a cluster that is already running is reused. Logs go to stderr.
set -euo pipefail
# runuser and useradd live in sbin, which a minimal PATH leaves out.
export PATH="$PATH:/usr/sbin:/sbin"

PORT="${ONAIR_TEST_PG_PORT:-54329}"
# Outside the checkout: the postgres user must be able to reach it, whoever owns the checkout.
BASE="${TMPDIR:-/tmp}/onair-test-postgres-$PORT"
DATA="$BASE/data"
SOCK="$BASE/socket"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

BIN="$(find_bin)"
# Without the binaries nothing can be running (and `status` installs nothing).
if [ "${1:-}" = "status" ] && { [ -z "$BIN" ] || [ ! -x "$BIN/pg_ctl" ]; }; then exit 1; fi
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "postgres: PostgreSQL server binaries are missing; install Debian's postgresql (needs root) or set ONAIR_TEST_DATABASE_URL" >&2
    exit 1
  fi
  bash "$(dirname "$0")/apt-install.sh" postgres postgresql
  BIN="$(find_bin)"
fi

# Postgres refuses to run as root: run it as the postgres user then, as ourselves otherwise.
as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$BASE"
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  chown postgres "$BASE"
fi

if [ "${1:-}" = "status" ]; then
  as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
  exit $?
fi

if [ "${1:-}" = "stop" ]; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
  exit 0
fi

if as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  echo "$URL"
  exit 0
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
  as_owner mkdir -p "$DATA" "$SOCK"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --no-locale --encoding=UTF8 >/dev/null
fi
as_owner mkdir -p "$SOCK"
as_owner "$BIN/pg_ctl" -D "$DATA" -l "$BASE/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCK -c max_connections=200" start >&2
echo "$URL"
