# Shared by test.sh and run.sh (sourced): a throwaway PostgreSQL cluster from Debian's binaries.
# ensure_postgres installs the server once; start_postgres runs initdb in a temporary folder and starts it on a free
# local port, setting pg_dir, pg_port and pg_connection; stop_postgres stops and deletes it.

pg_dir=""
pg_bin=""
pg_port=""
pg_connection=""

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "installing PostgreSQL from Debian packages..."
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  id postgres >/dev/null 2>&1 || { echo "the postgres user is missing after installing PostgreSQL" >&2; exit 1; }
}

# A free local TCP port, asked of the kernel.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_postgres() {
  pg_dir=$(mktemp -d /tmp/engine-pg.XXXXXX)
  chown postgres "$pg_dir"
  pg_port=$(free_port)
  su postgres -s /bin/sh -c "'$pg_bin/initdb' -D '$pg_dir/data' -U postgres -A trust -E UTF8 --no-locale" >"$pg_dir/initdb.log" 2>&1 \
    || { echo "initdb failed:" >&2; cat "$pg_dir/initdb.log" >&2; exit 1; }
  su postgres -s /bin/sh -c "'$pg_bin/pg_ctl' -D '$pg_dir/data' -l '$pg_dir/server.log' -w -t 60 \
      -o \"-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200\" start" >/dev/null \
    || { echo "PostgreSQL did not start:" >&2; cat "$pg_dir/server.log" >&2; exit 1; }
  "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -tAc 'select 1' >/dev/null \
    || { echo "PostgreSQL started but does not answer on 127.0.0.1:$pg_port" >&2; exit 1; }
  pg_connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port for this run"
}

stop_postgres() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
    su postgres -s /bin/sh -c "'$pg_bin/pg_ctl' -D '$pg_dir/data' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
