#!/usr/bin/env bash
# Render the annotation page in the middle of a live-learning session into docs/annotate.png:
# the test split's first 80 paragraphs (our own corpus, never real reports), --base
# corpus/train.jsonl --every 10, 20 decisions taken from those paragraphs' labels, so the
# header shows model v2 and the panel its held-out estimate.
# Usage: tools/annotate-screenshot.sh [OUT.png]   (BIN=path/to/policytag to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/annotate.png}
. tools/chromium.sh
need_tools annotate-screenshot.sh
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
root=$PWD
head -n 80 corpus/test.jsonl > "$work/test-split.jsonl"
# From inside the work directory, so the page names the file and not a temporary path.
(cd "$work" && exec "$BIN" annotate test-split.jsonl --jsonl --base "$root/corpus/train.jsonl" \
  --every 10 --out shot.jsonl --port 0 > stdout 2> stderr) &
pid=$!
for _ in $(seq 600); do grep -q http "$work/stdout" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/stdout" | head -n 1)
[ -n "$port" ] || { cat "$work/stderr" >&2; exit 1; }
python3 - "$port" "$work/test-split.jsonl" <<'PY'
import json, sys, time, urllib.request
port, paras = sys.argv[1], sys.argv[2]
gold = {}
for line in open(paras, encoding="utf-8"):
    e = json.loads(line)
    gold[e["id"]] = e["labels"]
def api(path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if body is not None:
        req.data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)
for n in range(20):
    time.sleep(1)  # about an annotator's pace, for the labels-per-hour figure
    t = api(f"/api/task/{n}")
    api("/api/decide", {"id": t["id"], "labels": gold[t["id"]]})
# Wait for v2 and its held-out estimate.
for _ in range(600):
    st = api("/api/state")["learn"]
    v = st["versions"]
    if st["version"] >= 2 and v[-1]["estimate"] is not None and st["training"] is None:
        break
    time.sleep(0.5)
else:
    sys.exit("annotate-screenshot.sh: no v2 with an estimate after 5 minutes")
PY
shoot "http://127.0.0.1:$port/" "$OUT" "${HEIGHT:-1300}" "$work/profile" --virtual-time-budget=5000
