#!/usr/bin/env bash
# Builds and starts the Engine server. Listens where ASPNETCORE_URLS says (default http://127.0.0.1:5080).
# Stores its state in data/engine.db (SQLite) unless Engine__Store / ConnectionStrings__Engine say otherwise.
#
#   ./run.sh                one server with its silo inside (the embedded default)
#   ./run.sh --cluster N    N servers on 127.0.0.1:5080.. , each a silo of one cluster on PostgreSQL: the one of
#                           ConnectionStrings__Engine, or a throwaway one started here (stopped and deleted on exit)
set -euo pipefail
cd "$(dirname "$0")"

silos=0
if [ "${1:-}" = "--cluster" ]; then
  silos="${2:-}"
  case "$silos" in ''|*[!0-9]*|0) echo "usage: ./run.sh [--cluster N]  (N silos, N >= 1)" >&2; exit 2 ;; esac
fi

. scripts/postgres.sh
. scripts/browser.sh
ensure_web_packages
dotnet build web/Engine.Web.csproj -c Release --nologo -v quiet
server="web/bin/Release/net10.0/Engine.Web.dll"

if [ "$silos" -eq 0 ]; then
  export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
  echo "Engine starting on ${ASPNETCORE_URLS} (store: ${Engine__Store:-sqlite, ${Engine__DataDir:-data}/engine.db})"
  echo "  workbench: ${ASPNETCORE_URLS%%;*}/workbench  (web chat: the /chat/... address printed below on first start)"
  echo "  health:  ${ASPNETCORE_URLS%%;*}/healthz"
  echo "  API:     ${ASPNETCORE_URLS%%;*}/swagger (sign in with an email and password printed below on first start)"
  exec dotnet "$server"
fi

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_postgres
}
trap stop_all EXIT INT TERM

if [ -z "${ConnectionStrings__Engine:-}" ]; then
  ensure_postgres
  start_postgres
  export ConnectionStrings__Engine="$pg_connection"
fi
export Engine__Store=postgres Engine__Cluster=postgres
mkdir -p data/cluster
# The silos share their Data Protection key ring in PostgreSQL, encrypted with this key (made once, kept out of the database).
if [ -z "${Engine__DataProtection__KeyEncryptionKey:-}" ]; then
  [ -s data/cluster/key-encryption.key ] || (umask 077 && head -c 32 /dev/urandom | base64 > data/cluster/key-encryption.key)
  export Engine__DataProtection__KeyEncryptionKey="$(cat data/cluster/key-encryption.key)"
fi
for i in $(seq 0 $((silos - 1))); do
  url="http://127.0.0.1:$((5080 + i))"
  # The first silo migrates the store and seeds the demo tenant; the others start once it answers.
  ASPNETCORE_URLS="$url" Engine__DataDir="data/cluster/silo$i" Engine__Orleans__SiloPort=$((11111 + i)) \
    dotnet "$server" > "data/cluster/silo$i.log" 2>&1 &
  pids+=($!)
  if [ "$i" -eq 0 ]; then
    for _ in $(seq 1 120); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
    grep -h "Sign in as" "data/cluster/silo0.log" || true
  fi
  echo "silo $i: $url (log data/cluster/silo$i.log)"
done
echo "Cluster of $silos silo(s) on PostgreSQL. Dashboard for the operator: http://127.0.0.1:5080/orleans. Ctrl-C stops them all."
wait
