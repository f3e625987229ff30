#!/usr/bin/env bash
# Render the HTML report of the sample reports (or of the FILES given) with headless Chromium
# into docs/report.png.
# Usage: tools/screenshot.sh [OUT.png [FILES...]]   (BIN=path/to/policytag to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/report.png}
shift || true
if [ $# -gt 0 ]; then FILES=("$@"); TITLE="Real reports — policytag"; else FILES=(corpus/samples/*.txt); TITLE="Sample reports — policytag"; fi
. tools/chromium.sh
need_tools screenshot.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BIN" report "${FILES[@]}" --title "$TITLE" --out "$work/report.html"
shoot "file://$work/report.html" "$OUT" "${HEIGHT:-1800}" "$work/profile"
