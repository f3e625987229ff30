#!/usr/bin/env python3
"""Training time against the number of labels (issue 19: it must grow linearly).

Splits each theme of corpus/train.jsonl into fine-grained sub-labels (`<theme>-<k>`, k from a
hash of the text), so that the same 5,871 paragraphs carry 14 to ~1,000 labels, drops
sub-labels with fewer than 3 examples, and times `policytag train` (release build, all
cores) on each. Prints labels, seconds, CPU seconds and CPU seconds per label; a linear step
keeps the last column flat. Usage: python3 bench/labels.py [--labels 14,50,200,500] [--threads N]
"""
import hashlib, json, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "policytag")
OUT = os.path.join(ROOT, "bench-out", "labels")


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def corpus(rows, target):
    """Rows whose labels are split into about `target` labels in all."""
    themes = sorted({l for r in rows for l in r["labels"]})
    per = max(1, round(target / len(themes)))
    out = []
    for r in rows:
        h = int(hashlib.sha256(r["text"].encode()).hexdigest(), 16)
        labels = [f"{l}-{h % per}" if per > 1 else l for l in r["labels"]]
        out.append({"text": r["text"], "labels": labels})
    counts = {}
    for r in out:
        for l in r["labels"]:
            counts[l] = counts.get(l, 0) + 1
    for r in out:
        r["labels"] = [l for l in r["labels"] if counts[l] >= 3]
    return out, len([l for l, c in counts.items() if c >= 3])


def main():
    rows = [json.loads(l) for l in open(os.path.join(ROOT, "corpus", "train.jsonl"), encoding="utf-8")]
    os.makedirs(OUT, exist_ok=True)
    threads = arg("--threads", None)
    print(f"{'labels':>7} {'wall s':>8} {'CPU s':>8} {'CPU s/label':>12}")
    for target in [int(x) for x in arg("--labels", "14,50,200,500").split(",")]:
        data, n = corpus(rows, target)
        path = os.path.join(OUT, f"train-{target}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for r in data:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        cmd = [BIN] + (["--threads", threads] if threads else []) + ["train", "--data", path, "--out", os.path.join(OUT, f"m-{target}.model"), "-q"]
        t0 = time.perf_counter()
        before = os.times()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        after = os.times()
        wall = time.perf_counter() - t0
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        print(f"{n:>7} {wall:>8.1f} {cpu:>8.1f} {cpu / n:>12.3f}", flush=True)


if __name__ == "__main__":
    main()
