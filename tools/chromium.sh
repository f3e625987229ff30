# Shared by tools/screenshot.sh and tools/annotate-screenshot.sh (sourced, from the
# repository root): the policytag binary to run and a headless-Chromium screenshot.
# shellcheck shell=bash

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# Build the dev binary unless BIN names one, make BIN absolute, and check Chromium is there.
# $1: the calling script's name, for the message.
need_tools() {
  if [ -z "${BIN:-}" ]; then
    cargo build -q -p policytag
    BIN=target/debug/policytag
  fi
  case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
  [ -x "$CHROMIUM" ] || { echo "$1: $CHROMIUM not found (apt-get install chromium fonts-noto-cjk)" >&2; exit 1; }
}

# shoot URL OUT.png HEIGHT PROFILE_DIR [more Chromium flags…]: a 1280-pixel-wide screenshot.
shoot() {
  local url=$1 out=$2 height=$3 profile=$4 abs
  shift 4
  case "$out" in /*) abs=$out ;; *) abs=$PWD/$out ;; esac
  mkdir -p "$(dirname "$out")"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1280,"$height" \
    "$@" --screenshot="$abs" "$url" 2>/dev/null
  echo "wrote $out"
}
