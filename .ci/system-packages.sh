#!/usr/bin/env bash
# The Debian packages the portal needs, installed when missing (as root, or through sudo):
# ffmpeg makes recordings playable and measures them; Pango and a font draw PDF reports.
#   bash .ci/system-packages.sh          what running the portal needs
#   bash .ci/system-packages.sh --tests  that, and Chromium for the browser tests
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
ldconfig -p | grep -q libpangoft2-1.0.so.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]} (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
