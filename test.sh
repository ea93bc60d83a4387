#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need when it is missing (PostgreSQL from
# Debian's packages), starts a throwaway PostgreSQL cluster on a free local port for this run only,
# and stops and deletes it at the end, also when tests fail. Ends with "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
pg_dir=""
pg_bin=""

cleanup() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
    su postgres -s /bin/sh -c "'$pg_bin/pg_ctl' -D '$pg_dir/data' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -f "$log"
}
trap cleanup EXIT

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# PostgreSQL server binaries from Debian, installed once.
ensure_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "installing PostgreSQL from Debian packages..."
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  id postgres >/dev/null 2>&1 || { echo "test.sh: the postgres user is missing after installing PostgreSQL" >&2; exit 1; }
}

# A free local TCP port, asked of the kernel.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A throwaway cluster: initdb in a temporary folder, trust auth on loopback, started on a free port.
start_postgres() {
  pg_dir=$(mktemp -d /tmp/engine-pg.XXXXXX)
  chown postgres "$pg_dir"
  local port
  port=$(free_port)
  su postgres -s /bin/sh -c "'$pg_bin/initdb' -D '$pg_dir/data' -U postgres -A trust -E UTF8 --no-locale" >"$pg_dir/initdb.log" 2>&1 \
    || { echo "test.sh: initdb failed:" >&2; cat "$pg_dir/initdb.log" >&2; exit 1; }
  su postgres -s /bin/sh -c "'$pg_bin/pg_ctl' -D '$pg_dir/data' -l '$pg_dir/server.log' -w -t 60 \
      -o \"-p $port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200\" start" >/dev/null \
    || { echo "test.sh: PostgreSQL did not start:" >&2; cat "$pg_dir/server.log" >&2; exit 1; }
  "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc 'select 1' >/dev/null \
    || { echo "test.sh: PostgreSQL started but does not answer on 127.0.0.1:$port" >&2; exit 1; }
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port for this run"
}

ensure_postgres
start_postgres

dotnet build Engine.sln -c Release --nologo -v quiet
status=0
dotnet test Engine.sln -c Release --no-build --nologo 2>&1 | tee "$log" || status=$?

# One closing line over all test assemblies.
passed=$(awk '/Passed: +[0-9]+/ { for (i = 1; i <= NF; i++) if ($i == "Passed:") { gsub(",", "", $(i+1)); n += $(i+1) } } END { print n + 0 }' "$log")
failed=$(awk '/Failed: +[0-9]+/ { for (i = 1; i <= NF; i++) if ($i == "Failed:") { gsub(",", "", $(i+1)); n += $(i+1) } } END { print n + 0 }' "$log")
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ "${passed:-0}" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
