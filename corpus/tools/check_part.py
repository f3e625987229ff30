#!/usr/bin/env python3
"""Check corpus part files (JSONL {"text","labels"}) for validity and near-duplicates.

Usage: check_part.py PART.jsonl [OTHER.jsonl ...]
Checks the first file: valid JSON per line, "text" a non-empty string, "labels" a list of known
theme ids; no two paragraphs (within it, or against the other files given) share more than
half of the character 5-grams of the shorter one. Prints statistics. This is a checker only:
corpus paragraphs are written by hand, never generated.
"""
import json, sys, collections

IDS = {"double-reduction", "safety", "teachers", "preschool", "party", "facilities", "aid", "moral",
       "sports-health", "informatization", "teaching", "governance", "equity", "vocational-special"}
TRAD = set("學區們國發進與會實體設經開關這來對時為過當頭將無機長門問從動員後現義場種還華組課資點議園務選職體區縣幹廳辦標準確導師衛療傳農員習顯續專業讓總結報達計劃環節圖書館態勢應該優質鄉鎮設備線網絡隊伍質量層級範護")

def grams(t, n=5):
    t = "".join(c for c in t if not c.isspace())
    return {t[i:i+n] for i in range(max(1, len(t) - n + 1))}

def load(path):
    rows = []
    for no, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            o = json.loads(line)
        except Exception as e:
            print(f"{path}:{no}: bad JSON: {e}"); continue
        t, ls = o.get("text"), o.get("labels")
        if not isinstance(t, str) or not t.strip():
            print(f"{path}:{no}: missing text"); continue
        if not isinstance(ls, list) or any(l not in IDS for l in ls):
            print(f"{path}:{no}: bad labels {ls}"); continue
        rows.append((path, no, t, ls))
    return rows

def main():
    mine = load(sys.argv[1])
    others = [r for p in sys.argv[2:] for r in load(p)]
    index = collections.defaultdict(list)
    allrows = others + mine
    gs = [grams(r[2]) for r in allrows]
    bad = 0
    for k, g in enumerate(gs):
        cands = collections.Counter()
        for x in g:
            for j in index[x]:
                cands[j] += 1
        for j, c in cands.items():
            if c * 2 > min(len(g), len(gs[j])):
                if k >= len(others):
                    a, b = allrows[j], allrows[k]
                    print(f"NEAR-DUPLICATE {b[0]}:{b[1]} ~ {a[0]}:{a[1]}: {b[2][:40]} / {a[2][:40]}")
                    bad += 1
        for x in g:
            index[x].append(k)
    n = len(mine)
    c = collections.Counter(l for r in mine for l in r[3])
    multi = sum(1 for r in mine if len(r[3]) >= 2)
    none = sum(1 for r in mine if not r[3])
    trad = sum(1 for r in mine if sum(ch in TRAD for ch in r[2]) >= 3)
    print(f"{n} paragraphs; multi-label {multi} ({multi/max(n,1):.0%}); none {none} ({none/max(n,1):.0%}); "
          f"traditional ~{trad} ({trad/max(n,1):.0%}); near-duplicates {bad}")
    print("per label:", dict(sorted(c.items(), key=lambda kv: -kv[1])))

if __name__ == "__main__":
    main()
