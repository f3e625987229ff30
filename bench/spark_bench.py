"""`make bench-python` (second half): examples/spark/tag_reports.py in Spark local mode with
1 and 2 executor cores, both ways, on 100k corpus paragraphs (JSONL input). The rate printed
is the job's (Spark session start-up excluded, Python worker start-up included)."""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pyspark

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from python_bench import paragraphs  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("-n", type=int, default=100_000)
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    submit = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit")
    wheel = sorted(glob.glob(os.path.join(ROOT, "target", "wheels", "policytag-*.whl")), key=os.path.getmtime)[-1]
    tmp = tempfile.mkdtemp(prefix="policytag-spark-bench-")
    try:
        archive = os.path.join(tmp, "policytag-wheel.zip")
        shutil.copy(wheel, archive)
        data = os.path.join(tmp, "in")
        os.makedirs(data)
        texts = paragraphs(a.n)
        parts = 8  # input files, so both cores get work
        for p in range(parts):
            with open(os.path.join(data, f"part-{p}.jsonl"), "w", encoding="utf-8") as fh:
                for k in range(p, a.n, parts):
                    fh.write(json.dumps({"id": str(k), "text": texts[k]}, ensure_ascii=False) + "\n")
        env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
        print(f"Spark local mode, {a.n} paragraphs (JSONL, {parts} files)")
        print(f"{'path':8} {'cores':>5} {'seconds':>8} {'paragraphs/s':>13}")
        for mode in ["python", "pipe"]:
            for cores in [1, 2]:
                cmd = [submit, "--master", f"local[{cores}]", "--conf", "spark.ui.enabled=false",
                       "--archives", archive + "#policytag_pkg",
                       os.path.join(ROOT, "examples", "spark", "tag_reports.py"), "--mode", mode, "--jsonl",
                       "--input", data, "--out", os.path.join(tmp, "out.parquet"), "--policytag-bin", binary]
                out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
                m = re.search(r"(\d+) paragraphs in ([\d.]+) s \((\d+) paragraphs/s\)", out)
                assert m and int(m.group(1)) == a.n, out
                print(f"{mode:8} {cores:5} {float(m.group(2)):8.1f} {int(m.group(3)):13}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
