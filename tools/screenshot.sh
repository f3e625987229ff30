#!/usr/bin/env bash
# Render the HTML report of the sample reports (or of the FILES given) with headless Chromium
# into docs/report.png.
# Usage: tools/screenshot.sh [OUT.png [FILES...]]   (BIN=path/to/policytag to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/report.png}
shift || true
if [ $# -gt 0 ]; then FILES=("$@"); TITLE="Real reports — policytag"; else FILES=(corpus/samples/*.txt); TITLE="Sample reports — policytag"; fi
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -z "${BIN:-}" ]; then
  cargo build -q -p policytag
  BIN=target/debug/policytag
fi
[ -x "$CHROMIUM" ] || { echo "screenshot.sh: $CHROMIUM not found (apt-get install chromium fonts-noto-cjk)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BIN" report "${FILES[@]}" --title "$TITLE" --out "$work/report.html"
mkdir -p "$(dirname "$OUT")"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size=1280,${HEIGHT:-1800} \
  --screenshot="$PWD/$OUT" "file://$work/report.html" 2>/dev/null
echo "wrote $OUT"
