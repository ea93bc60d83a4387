#!/usr/bin/env bash
# Builds and starts the Engine server. Listens where ASPNETCORE_URLS says (default http://127.0.0.1:5080).
# Stores its state in data/engine.db (SQLite) unless Engine__Store / ConnectionStrings__Engine say otherwise.
set -euo pipefail
cd "$(dirname "$0")"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
dotnet build web/Engine.Web.csproj -c Release --nologo -v quiet
echo "Engine starting on ${ASPNETCORE_URLS} (store: ${Engine__Store:-sqlite, ${Engine__DataDir:-data}/engine.db})"
echo "  health:  ${ASPNETCORE_URLS%%;*}/healthz"
echo "  API:     ${ASPNETCORE_URLS%%;*}/swagger (sign in with an email and password printed below on first start)"
exec dotnet web/bin/Release/net10.0/Engine.Web.dll
