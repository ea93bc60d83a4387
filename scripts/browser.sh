# Shared by test.sh and run.sh (sourced): what the pages and their browser tests need.
# ensure_web_packages installs web/'s npm packages (the browser SignalR client, Chart.js) when any is missing, also on a
# machine whose node_modules predate one of them;
# ensure_chromium installs Debian's Chromium for the browser tests when it is missing.

ensure_web_packages() {
  if [ ! -f web/node_modules/@microsoft/signalr/dist/browser/signalr.min.js ] || [ ! -f web/node_modules/chart.js/dist/chart.umd.min.js ]; then
    echo "installing the pages' npm packages (web/package-lock.json)..."
    command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install -y nodejs npm)" >&2; exit 1; }
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    echo "installing Chromium from Debian packages (browser tests)..."
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
  fi
}
