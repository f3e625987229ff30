#!/usr/bin/env python3
"""Build corpus/train.jsonl and corpus/test.jsonl from the hand-written parts in corpus/src/.

Each part line is {"text","labels"}; ids are "<part-number>-<line>" (stable while a part only
grows at its end). The split is a fixed, stratified 80/20: paragraphs are grouped by their
rarest label (or "none"), ordered inside a group by a hash of their id, and every fifth one
goes to the test split. Exact duplicate texts are an error. Run: python3 corpus/tools/build_corpus.py
"""
import collections, glob, hashlib, json, os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rows, seen = [], {}
for path in sorted(glob.glob(os.path.join(root, "src", "*.jsonl"))):
    part = os.path.basename(path).split("-")[0]
    for no, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        o = json.loads(line)
        text = o["text"].strip()
        if text in seen:
            sys.exit(f"{path}:{no}: duplicate of {seen[text]}")
        seen[text] = f"{path}:{no}"
        rows.append({"id": f"{part}-{no:04d}", "labels": sorted(set(o["labels"])), "text": text})

freq = collections.Counter(l for r in rows for l in r["labels"])
groups = collections.defaultdict(list)
for r in rows:
    key = min(r["labels"], key=lambda l: (freq[l], l)) if r["labels"] else "(none)"
    groups[key].append(r)
train, test = [], []
for key in sorted(groups):
    g = sorted(groups[key], key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
    for i, r in enumerate(g):
        (test if i % 5 == 2 else train).append(r)
for name, part in (("train", train), ("test", test)):
    part.sort(key=lambda r: r["id"])
    with open(os.path.join(root, f"{name}.jsonl"), "w", encoding="utf-8") as f:
        for r in part:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"train {len(train)}, test {len(test)}")
