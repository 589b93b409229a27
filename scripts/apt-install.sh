#!/usr/bin/env bash
# Installs Debian packages quietly: one line per package installed, apt's own output only when it fails
# (its last 30 lines). Usage: scripts/apt-install.sh <who> <package>...  (needs root)
set -euo pipefail
who="$1"
shift
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >"$log" 2>&1 && apt-get install -y -qq --no-install-recommends "$@" >>"$log" 2>&1; then
  for package in "$@"; do echo "$who: installed $package" >&2; done
else
  echo "$who: apt-get could not install $*:" >&2
  tail -30 "$log" >&2
  exit 1
fi
