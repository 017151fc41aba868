#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, from Debian's postgresql-15 packages.
#
#   scripts/postgres.sh start    initialise (first time) and start it; prints its URL
#   scripts/postgres.sh stop     stop it (the server named by its own pid file, nothing else)
#   scripts/postgres.sh status   exit 0 and print the URL when it runs
#
# Data directory: .build/postgres/data (gitignored). Listens on 127.0.0.1 only, on a free
# port, with trust authentication for loopback connections and no Unix socket. The URL is
# also written to .build/postgres.url. As root, the server runs as the `postgres` OS user
# (PostgreSQL refuses to run as root), and its directory is under /var/tmp, named after this
# checkout: the checkout itself may sit in a directory that user cannot enter (a fresh
# `mktemp -d` clone is 0700). Durability is switched off (fsync=off): this cluster holds test
# databases only.
#
# KONTOLINK_PG_DURABLE=1 selects a second cluster, beside the first, that keeps PostgreSQL's
# durable defaults (fsync, synchronous_commit, full_page_writes on): the benchmarks measure
# on it, as a production server would run (its URL file: .build/postgres-durable.url).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

durable="${KONTOLINK_PG_DURABLE:-0}"
suffix=""
[ "$durable" = 1 ] && suffix="-durable"
if [ "$(id -u)" = 0 ]; then
  dir="/var/tmp/kontolink-postgres$suffix-$(printf '%s' "$root" | sha256sum | cut -c1-12)"
else
  dir="$root/.build/postgres$suffix"
fi
data="$dir/data"
url_file="$root/.build/postgres$suffix.url"
bin="${KONTOLINK_PG_BIN:-/usr/lib/postgresql/15/bin}"

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

running() {
  [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1
}

# A loopback port nobody listens on (the start below retries if it is taken meanwhile).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  return 1
}

init() {
  [ -x "$bin/initdb" ] || {
    echo "PostgreSQL 15 is not installed ($bin/initdb missing): apt-get install postgresql-15" >&2
    exit 1
  }
  mkdir -p "$dir" "$root/.build"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
  fi
  [ -f "$data/PG_VERSION" ] && return
  log "initialising a PostgreSQL cluster in $data"
  as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # Loopback TCP only, trust authentication; no other entry.
  as_owner tee "$data/pg_hba.conf" >/dev/null <<'EOF'
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
EOF
  as_owner tee -a "$data/postgresql.conf" >/dev/null <<'EOF'
# scripts/postgres.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
EOF
  if [ "$durable" != 1 ]; then
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<'EOF'
# a test cluster: durability off
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi
}

start() {
  init
  if running; then
    cat "$url_file"
    return
  fi
  local port attempt
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    if as_owner "$bin/pg_ctl" start -D "$data" -w -t 30 -l "$dir/server.log" \
      -o "-p $port" >/dev/null; then
      echo "postgres://postgres@127.0.0.1:$port/postgres" >"$url_file"
      log "PostgreSQL listens on 127.0.0.1:$port (log: $dir/server.log)"
      cat "$url_file"
      return
    fi
    log "PostgreSQL did not start on port $port (attempt $attempt), see $dir/server.log"
  done
  exit 1
}

stop() {
  if running; then
    as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w >/dev/null
    log "PostgreSQL stopped"
  fi
  rm -f "$url_file"
  # The cluster outside the checkout is throw-away: leave nothing behind in /var/tmp.
  if [ "$(id -u)" = 0 ] && [[ "$dir" == /var/tmp/kontolink-postgres* ]]; then
    rm -rf "$dir"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running && cat "$url_file" ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
