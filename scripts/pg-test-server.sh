#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the test suite, from Debian's `postgresql` package.
#
#   scripts/pg-test-server.sh start STATE_DIR   # prints the server URL on stdout
#   scripts/pg-test-server.sh stop  STATE_DIR   # stops the server and deletes STATE_DIR
#
# The cluster lives under STATE_DIR (a folder under /tmp), listens on a free port on 127.0.0.1
# only, and trusts local connections: it holds nothing but test databases and is deleted on stop.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
# fsync is off: the cluster is thrown away, and the tests kill clients, never the server.
set -euo pipefail

die() { echo "pg-test-server: $*" >&2; exit 1; }

bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || die "no PostgreSQL server binaries; install them with: apt-get install -y postgresql"
  echo "$d"
}

as_owner() {  # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

start() {
  local state=$1 bin port
  bin=$(bindir)
  mkdir -p "$state"
  [ -e "$state/data" ] && die "$state/data exists already; stop that server first"
  [ "$(id -u)" = 0 ] && chown postgres: "$state"
  chmod 700 "$state"
  as_owner "$bin/initdb" -D "$state/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; die "initdb failed"; }
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $state -c fsync=off -c full_page_writes=off \
          -c synchronous_commit=off -c max_connections=300 -c shared_buffers=64MB" >/dev/null 2>&1; then
      echo "$port" >"$state/port"
      echo "postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
  done
  cat "$state/server.log" >&2 || true
  die "the server did not start"
}

stop() {
  local state=$1 bin
  [ -d "$state" ] || return 0
  if [ -f "$state/data/postmaster.pid" ]; then
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$state/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$state"
}

case "${1:-}" in
  start) [ -n "${2:-}" ] || die "usage: $0 start STATE_DIR"; start "$2" ;;
  stop)  [ -n "${2:-}" ] || die "usage: $0 stop STATE_DIR"; stop "$2" ;;
  *) die "usage: $0 start|stop STATE_DIR" ;;
esac
