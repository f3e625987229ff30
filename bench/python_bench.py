"""`make bench-python`: Model.tag_frame on 100k paragraphs beside `policytag tag --jsonl` on
the same paragraphs (both on all cores; best of 3 interleaved runs each). Paragraphs: the corpus, repeated."""

import argparse
import json
import os
import subprocess
import tempfile
import time

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def paragraphs(n):
    rows = []
    for f in ["train.jsonl", "test.jsonl"]:
        with open(os.path.join(ROOT, "corpus", f), encoding="utf-8") as fh:
            rows += [json.loads(l)["text"] for l in fh if l.strip()]
    return [rows[k % len(rows)] for k in range(n)]


def best(f, runs=3):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("-n", type=int, default=100_000)
    a = ap.parse_args()
    import policytag

    texts = paragraphs(a.n)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for k, t in enumerate(texts):
            fh.write(json.dumps({"id": str(k), "text": t}, ensure_ascii=False) + "\n")
        path = fh.name
    try:
        model = policytag.Model()
        df = pd.DataFrame({"text": texts})
        cli, py = float("inf"), float("inf")
        for _ in range(3):  # interleaved, so both see the same machine load
            cli = min(cli, best(lambda: subprocess.run([a.bin, "tag", "--jsonl", "--format", "jsonl", path],
                                                       stdout=subprocess.DEVNULL, check=True), runs=1))
            py = min(py, best(lambda: model.tag_frame(df), runs=1))
        tag = best(lambda: model.tag(texts[:20_000]), runs=1) * a.n / 20_000
    finally:
        os.unlink(path)
    print(f"{a.n} paragraphs ({mb:.1f} MB), {os.cpu_count()} cores")
    print(f"{'':28} {'seconds':>8} {'paragraphs/s':>13} {'vs CLI':>7}")
    for name, t in [("policytag tag --jsonl (CLI)", cli), ("Model.tag_frame", py), ("Model.tag (list of dicts)", tag)]:
        print(f"{name:28} {t:8.2f} {a.n / t:13.0f} {100 * (t / cli - 1):+6.1f}%")


if __name__ == "__main__":
    main()
