#!/usr/bin/env bash
# Makes sure the media plane's Debian packages are here: nginx with the rtmp and stream modules, ffmpeg
# (the test encoder and player), openssl (the local RTMPS certificate), pocketsphinx with its English
# model (transcripts of recordings), and Xvfb with PulseAudio (meeting composers). Installs what is
# missing when root; otherwise says what to install and exits 1. Idempotent and quiet when nothing is missing.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

missing=()
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || missing+=(libnginx-mod-rtmp)
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing+=(libnginx-mod-stream)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Transcripts of recordings: pocketsphinx with Debian's US English model.
command -v pocketsphinx_continuous >/dev/null 2>&1 || missing+=(pocketsphinx)
[ -d /usr/share/pocketsphinx/model/en-us ] || missing+=(pocketsphinx-en-us)
# Meeting composers: a virtual screen and a sound server for Chromium (scripts/browser.sh installs it).
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v pulseaudio >/dev/null 2>&1 || missing+=(pulseaudio)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "media: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
  exit 1
fi
bash "$(dirname "$0")/apt-install.sh" media "${missing[@]}"
# Debian starts a system nginx on port 80 after installing it; OnAir runs its own, so that one goes.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi
if [ -f /run/nginx.pid ]; then kill "$(cat /run/nginx.pid)" 2>/dev/null || true; fi
