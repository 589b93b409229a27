#!/usr/bin/env bash
# Makes sure Debian's Chromium is here for the browser tests (playwright-core drives /usr/bin/chromium; no
# browser is downloaded). Installs it when missing and root; otherwise says what to install and exits 1.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "browser: chromium is missing; install it (Debian: apt-get install chromium)" >&2
  exit 1
fi
bash "$(dirname "$0")/apt-install.sh" browser chromium
