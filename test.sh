#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need when it is missing (PostgreSQL and Chromium from
# Debian's packages, the pages' npm packages), starts a throwaway PostgreSQL cluster on a free local port for this run only,
# and stops and deletes it at the end, also when tests fail. Ends with "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

. scripts/postgres.sh
. scripts/browser.sh
log=$(mktemp)

cleanup() {
  stop_postgres
  rm -f "$log"
}
trap cleanup EXIT

ensure_postgres
ensure_chromium
ensure_web_packages
start_postgres
export ConnectionStrings__Postgres="$pg_connection"

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
