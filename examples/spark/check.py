"""`make spark-test`: run examples/spark/tag_reports.py both ways (mapInPandas over the Python
package shipped as an archive; RDD.pipe through the binary) with spark-submit in local mode,
on sample reports (txt, html, docx, pdf; and ../shared/real's reports when present) and on
the corpus JSONL, and check every Parquet row equals the CLI's output row."""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def cli_rows(binary, args):
    out = subprocess.run([binary, "tag", "--format", "jsonl", *args], check=True, capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines()]


def key(row, with_doc):
    scores = row["scores"]
    if not isinstance(scores, dict):  # a Parquet map read back by pandas: [(k, v), …]
        scores = dict(scores)
    labels = list(row["labels"])
    base = (row["id"], row["text"], tuple(labels), tuple(sorted(scores.items())))
    return base + ((row["doc"], int(row["paragraph"]), row["heading"]) if with_doc else ())


def compare(name, parquet, want, with_doc):
    got = pd.read_parquet(parquet).to_dict("records")
    got_keys = sorted(key(r, with_doc) for r in got)
    want_keys = sorted(key(r, with_doc) for r in want)
    if got_keys != want_keys:
        missing = set(want_keys) - set(got_keys)
        extra = set(got_keys) - set(want_keys)
        sys.exit(f"spark-test: {name}: {len(got)} rows vs the CLI's {len(want)}; "
                 f"{len(missing)} missing, {len(extra)} differing, e.g. {sorted(extra)[:1] or sorted(missing)[:1]}")
    labelled = sum(1 for r in want if r["labels"])
    print(f"spark-test: {name}: {len(got)} rows equal the CLI's ({labelled} with labels)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the policytag binary")
    ap.add_argument("--wheel-dir", default=os.path.join(ROOT, "target", "wheels"))
    ap.add_argument("--real", default=os.path.join(ROOT, "..", "shared", "real"))
    ap.add_argument("--master", default="local[2]")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    wheels = sorted(glob.glob(os.path.join(a.wheel_dir, "policytag-*.whl")), key=os.path.getmtime)
    if not wheels:
        sys.exit(f"spark-test: no wheel in {a.wheel_dir}: run make python first")
    import pyspark

    submit = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit")
    tmp = tempfile.mkdtemp(prefix="policytag-spark-")
    try:
        # The package goes to the executors as an archive (a wheel is a zip).
        archive = os.path.join(tmp, "policytag-wheel.zip")
        shutil.copy(wheels[-1], archive)
        reports = os.path.join(tmp, "reports")
        os.makedirs(reports)
        for f in glob.glob(os.path.join(ROOT, "corpus", "samples", "*.txt")):
            shutil.copy(f, reports)
        for ext in ["html", "docx", "pdf"]:
            shutil.copy(os.path.join(ROOT, "tests", "fixtures", f"county-annual-summary.{ext}"), reports)
        real = sorted(glob.glob(os.path.join(a.real, "report-*.txt")))
        if real:
            os.makedirs(os.path.join(reports, "real"))
            for f in real:
                shutil.copy(f, os.path.join(reports, "real"))
        else:
            print(f"spark-test: {a.real} not found: sample reports only")
        corpus = os.path.join(tmp, "corpus")
        os.makedirs(corpus)
        for f in ["train.jsonl", "test.jsonl"]:
            shutil.copy(os.path.join(ROOT, "corpus", f), corpus)

        want_reports = cli_rows(binary, [reports])
        want_corpus = cli_rows(binary, ["--jsonl", *sorted(glob.glob(os.path.join(corpus, "*.jsonl")))])
        env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
        total = time.perf_counter()
        for mode in ["python", "pipe"]:
            for name, inp, want, jsonl in [
                ("reports", reports, want_reports, False),
                ("corpus", corpus, want_corpus, True),
            ]:
                out = os.path.join(tmp, f"{mode}-{name}.parquet")
                cmd = [submit, "--master", a.master, "--conf", "spark.ui.enabled=false"]
                if mode == "python":
                    cmd += ["--archives", archive + "#policytag_pkg"]
                cmd += [os.path.join(HERE, "tag_reports.py"), "--mode", mode, "--input", inp, "--out", out,
                        "--policytag-bin", binary] + (["--jsonl"] if jsonl else [])
                t0 = time.perf_counter()
                r = subprocess.run(cmd, env=env, capture_output=True, text=True)
                if r.returncode != 0:
                    sys.exit(f"spark-test: {mode} {name}: spark-submit failed:\n{r.stderr[-4000:]}")
                print(f"spark-test: {mode} {name}: {time.perf_counter() - t0:.1f} s wall "
                      f"({[l for l in r.stdout.splitlines() if l.startswith('policytag-spark')][-1]})")
                compare(f"{mode} {name}", out, want, with_doc=not jsonl)
        print(f"spark-test: passed in {time.perf_counter() - total:.1f} s (4 spark-submit runs, {a.master})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
