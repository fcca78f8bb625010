#!/usr/bin/env bash
# Starts a private PostgreSQL server for the store tests and prints its URL on stdout.
# Installs Debian's postgresql package when it is missing (needs root, as CI has).
#   url=$(scripts/postgres.sh)          # start (idempotent)
#   scripts/postgres.sh stop
set -euo pipefail
dir=${APICEMU_PG_DIR:-/tmp/apicemu-pg}
port=${APICEMU_PG_PORT:-55432}
url="postgres://apicemu@127.0.0.1:${port}/apicemu?sslmode=disable"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  echo "postgres.sh: installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

if [ "${1:-start}" = stop ]; then
  as_pg "'$bin/pg_ctl' -D '$dir' -m fast stop" >&2 || true
  exit 0
fi

if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "'$bin/initdb' -D '$dir' -U apicemu --auth=trust" >/dev/null
fi
# A server that was just stopped may still hold the port for a moment: try a few times.
for try in 1 2 3 4 5; do
  as_pg "'$bin/pg_ctl' -D '$dir' status" >/dev/null 2>&1 && break
  as_pg "'$bin/pg_ctl' -D '$dir' -l '$dir/server.log' -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on' start" >&2 && break
  [ "$try" = 5 ] && { echo "postgres.sh: cannot start PostgreSQL on port $port (see $dir/server.log)" >&2; exit 1; }
  sleep 2
done
as_pg "'$bin/psql' -h 127.0.0.1 -p $port -U apicemu -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='apicemu'\"" | grep -q 1 ||
  as_pg "'$bin/createdb' -h 127.0.0.1 -p $port -U apicemu apicemu" >&2
echo "$url"
