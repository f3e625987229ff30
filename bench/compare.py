#!/usr/bin/env python3
"""End-to-end comparison of policytag with the reference pipelines, on this machine.

Trains each system on corpus/train.jsonl, tags a large input (the corpus and sample reports
repeated to >= 10 MB, one paragraph per line) and a single paragraph (cold start), and prints
one table of medians: train seconds, tag MB/s and paragraphs/s, cold-start ms, peak RSS, and the
ratios policytag/other. Writes the table to BENCHMARKS.md with the machine and date.

Needs the baselines' virtual environment (`make venv`). Usage: python3 bench/compare.py [--runs N]
"""
import json, os, platform, statistics, subprocess, sys, time, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, "target", "release", "policytag")
PY = os.path.join(ROOT, ".venv", "bin", "python")
BASELINE = os.path.join(ROOT, "..", "shared", "bench", "baseline.py")
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3


def run(cmd, keep_stdout=True):
    """Run a command under /usr/bin/time; return (wall seconds, peak RSS MB, stdout, CPU
    seconds: user + system, all threads)."""
    t0 = time.perf_counter()
    out = subprocess.PIPE if keep_stdout else subprocess.DEVNULL
    p = subprocess.run(["/usr/bin/time", "-f", "RSS %M CPU %U %S"] + cmd, stdout=out, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    stat = [l.split() for l in p.stderr.splitlines() if l.startswith("RSS ")][-1]
    return wall, int(stat[1]) / 1024, p.stdout, float(stat[3]) + float(stat[4])


def cpu(results):
    """Median CPU seconds of runs."""
    return med(r[3] for r in results)


def med(xs):
    return statistics.median(xs)


def inputs():
    os.makedirs(OUT, exist_ok=True)
    paras = [json.loads(l)["text"] for f in ("corpus/train.jsonl", "corpus/test.jsonl") for l in open(os.path.join(ROOT, f), encoding="utf-8")]
    samples = []
    for n in sorted(os.listdir(os.path.join(ROOT, "corpus", "samples"))):
        samples += [l.strip() for l in open(os.path.join(ROOT, "corpus", "samples", n), encoding="utf-8") if l.strip()]
    lines = paras + samples
    big = os.path.join(OUT, "big.txt")
    with open(big, "w", encoding="utf-8") as f:
        n, k = 0, 0
        while n < 10_000_000:
            # Each repetition's lines end differently: policytag reads a repeated run of
            # paragraphs as a page showing the same article twice and keeps one copy, which
            # would leave most of an identical repetition untagged.
            k += 1
            block = "".join(f"{l}（{k}）\n" for l in lines)
            f.write(block)
            n += len(block.encode())
    one = os.path.join(OUT, "one.txt")
    open(one, "w", encoding="utf-8").write(paras[7] + "\n")
    lines = sum(1 for l in open(big, encoding="utf-8") if l.strip())
    return big, one, os.path.getsize(big), lines


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "policytag", "--bin", "policytag", "-p", "policytag-tokenizer", "--example", "jieba_floor"], cwd=ROOT, check=True)
    if not os.path.exists(PY):
        sys.exit("run `make venv` first (the baselines need scikit-learn, fastText and jieba)")
    big, one, size, lines = inputs()
    flags = []  # `policytag train` with no flags uses the recommended settings (TrainParams::default)
    rows = {}

    # policytag
    tr = [run([BIN, "train", "--data", "corpus/train.jsonl", "--out", os.path.join(OUT, "pt.model"), "-q"] + flags) for _ in range(RUNS)]
    t1 = [run([BIN, "--threads", "1", "tag", big, "--format", "jsonl"], keep_stdout=False) for _ in range(RUNS)]
    t2 = [run([BIN, "--threads", "2", "tag", big, "--format", "jsonl"], keep_stdout=False) for _ in range(RUNS)]
    cold = [run([BIN, "tag", one, "--format", "jsonl"], keep_stdout=False) for _ in range(max(RUNS, 5))]
    rows["policytag (1 thread)"] = dict(train=med(x[0] for x in tr), tag_s=med(x[0] for x in t1), tag_cpu=cpu(t1), cold=med(x[0] for x in cold), rss=max(x[1] for x in t1), train_rss=max(x[1] for x in tr))
    rows["policytag (2 threads)"] = dict(train=None, tag_s=med(x[0] for x in t2), tag_cpu=cpu(t2), cold=None, rss=max(x[1] for x in t2), train_rss=None)

    # baselines: train seconds as they report them; tagging wall time of the whole process
    for algo in ("sklearn", "fasttext"):
        model = os.path.join(OUT, f"{algo}.pkl")
        trs = [run([PY, BASELINE, "train", algo, "corpus/train.jsonl", model]) for _ in range(RUNS)]
        tags = [run([PY, BASELINE, "tag", algo, model, big]) for _ in range(RUNS)]
        colds = [run([PY, BASELINE, "tag", algo, model, one]) for _ in range(max(RUNS, 5))]
        rows[algo] = dict(train=med(json.loads(x[2])["train_seconds"] for x in trs), tag_s=med(x[0] for x in tags), tag_cpu=cpu(tags), cold=med(x[0] for x in colds), rss=max(x[1] for x in tags), train_rss=max(x[1] for x in trs))

    cuts = training_cuts(flags)

    floor = [json.loads(run([os.path.join(ROOT, "target", "release", "examples", "jieba_floor"), big])[2]) for _ in range(RUNS)]
    floor_mbs = med(f["mb_per_s"] for f in floor)

    mb = size / 1e6
    pt = rows["policytag (1 thread)"]
    lines_out = [
        f"# Benchmarks\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {cpu_model()}; {datetime.date.today().isoformat()}. "
        f"Medians of {RUNS} runs (cold start: of {max(RUNS, 5)}). Input: {mb:.1f} MB, {lines} paragraphs "
        f"(corpus and sample reports repeated). Wall-clock time of whole processes, including model loading "
        f"and writing JSONL; the baselines' train time is their own reported fit time (it excludes Python start-up). "
        f"`--threads 1` is one tagging thread; reading and writing run on threads of their own, so the CPU "
        f"seconds (user + system, all threads) are shown too, and the single-thread ratios are given both ways.\n",
        "| system | train s | tag MB/s | paragraphs/s | tag CPU s | cold start ms | peak RSS tagging MB | train/policytag | policytag speed-up (wall / CPU) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        mbs = mb / r["tag_s"]
        train = f"{r['train']:.2f}" if r["train"] is not None else "–"
        cold = f"{r['cold'] * 1000:.0f}" if r["cold"] is not None else "–"
        ratio_train = f"{pt['train'] / r['train']:.2f}" if r["train"] and not name.startswith("policytag") else "–"
        speed = f"{r['tag_s'] / pt['tag_s']:.1f}× / {r['tag_cpu'] / pt['tag_cpu']:.1f}×" if not name.startswith("policytag") else "–"
        lines_out.append(f"| {name} | {train} | {mbs:.2f} | {lines / r['tag_s']:.0f} | {r['tag_cpu']:.2f} | {cold} | {r['rss']:.0f} | {ratio_train} | {speed} |")
    lines_out.append(f"| jieba-rs alone (floor, same dictionary, in-process, no loading or output) | – | {floor_mbs:.2f} | – | {mb / floor_mbs:.2f} | – | – | – | – |")
    lines_out += [
        "",
        f"- policytag 1 thread vs jieba-rs alone: {mb / pt['tag_s'] / floor_mbs:.0%} of the floor by wall clock, "
        f"{mb / pt['tag_cpu'] / floor_mbs:.0%} by CPU time (target ≥ 50%).",
        f"- Single-thread speed-up: {rows['sklearn']['tag_s'] / pt['tag_s']:.1f}× scikit-learn and "
        f"{rows['fasttext']['tag_s'] / pt['tag_s']:.1f}× fastText by wall clock; "
        f"{rows['sklearn']['tag_cpu'] / pt['tag_cpu']:.1f}× and {rows['fasttext']['tag_cpu'] / pt['tag_cpu']:.1f}× by CPU time (target ≥ 20×).",
        f"- 2 threads vs 1: {pt['tag_s'] / rows['policytag (2 threads)']['tag_s']:.2f}× (target ≥ 1.8×).",
        f"- Training: policytag {pt['train']:.2f} s vs scikit-learn {rows['sklearn']['train']:.2f} s "
        f"(ratio {pt['train'] / rows['sklearn']['train']:.2f}; target ≤ 1.0); peak RSS training {pt['train_rss']:.0f} MB.",
        "",
        "## What the training cuts cost",
        "",
        "linfa-logistic fits dense matrices, so each label's classifier sees only its chi²-best columns "
        "(`--features-per-label`; the model's vocabulary is the union of those columns), with a capped "
        "number of L-BFGS iterations and 5 cross-validation folds for calibration and thresholds. Each row "
        "changes one of the recommended settings that `policytag train` uses when given no flag "
        "(`TrainParams::default`: features per label 2000, max-iter 40, 5 folds, character 2–3-grams); "
        "train time is one run's wall clock on all cores; macro-F1 on the held-out test split and, where "
        "`../shared/real` is present, on the 5 real reports (`gold.jsonl`; README \"Accuracy\" has both "
        "real sets with intervals).",
        "",
        "| training flags | train s | test macro-F1 | real macro-F1 | Δ real macro-F1 vs default |",
        "|---|---|---|---|---|",
    ]
    base_real = cuts[0][3]
    for name, secs, test_f1, real_f1 in cuts:
        delta = f"{real_f1 - base_real:+.3f}" if real_f1 is not None and base_real is not None else "–"
        real = f"{real_f1:.3f}" if real_f1 is not None else "–"
        lines_out.append(f"| {name} | {secs:.1f} | {test_f1:.3f} | {real} | {delta} |")
    lines_out += [
        "",
        "Per-stage criterion benches: `cargo bench --workspace` (reports in target/criterion).",
    ]
    text = "\n".join(lines_out) + "\n"
    print(text)
    open(os.path.join(ROOT, "BENCHMARKS.md"), "w", encoding="utf-8").write(text)


def replace_flag(flags, name, value):
    """The default training flags with `name` set to `value`."""
    out = list(flags)
    if name in out:
        out[out.index(name) + 1] = value
    else:
        out += [name, value]
    return out


def macro_f1(model, data):
    out = subprocess.run([BIN, "eval", "--model", model, "--data", data, "--format", "json"], cwd=ROOT,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)["macro_f1"]


def training_cuts(flags):
    """(flags, train seconds, test macro-F1, real macro-F1 or None) for the default flags and
    for each cut relaxed in turn."""
    real = os.path.join(ROOT, "..", "shared", "real", "gold.jsonl")
    variants = [("default", flags)]
    for k in ("500", "1000", "4000"):
        variants.append((f"--features-per-label {k}", replace_flag(flags, "--features-per-label", k)))
    variants.append(("--max-iter 100", replace_flag(flags, "--max-iter", "100")))
    variants.append(("--folds 3", replace_flag(flags, "--folds", "3")))
    rows = []
    for name, fl in variants:
        model = os.path.join(OUT, "cut.model")
        secs = run([BIN, "train", "--data", "corpus/train.jsonl", "--out", model, "-q"] + fl)[0]
        test_f1 = macro_f1(model, "corpus/test.jsonl")
        real_f1 = macro_f1(model, real) if os.path.exists(real) else None
        rows.append((name, secs, test_f1, real_f1))
        print(f"training cut {name}: {secs:.1f} s, test macro-F1 {test_f1:.3f}", file=sys.stderr)
    return rows


def cpu_model():
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
