"""The Python package against the `policytag` binary: same tags, scores, model bytes,
metrics and error messages. Run by `make test` (or `make python-test`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import policytag

ROOT = Path(__file__).resolve().parents[3]
BIN = os.environ.get("POLICYTAG_BIN", str(ROOT / "target" / "release" / "policytag"))
TEST = ROOT / "corpus" / "test.jsonl"
TRAIN = ROOT / "corpus" / "train.jsonl"
THEMES = ROOT / "corpus" / "themes.toml"
SAMPLES = ROOT / "corpus" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"


def cli(*args, ok=True):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def cli_error(*args):
    r = cli(*args, ok=False)
    assert r.returncode == 2, (r.returncode, r.stderr)
    line = r.stderr.strip()
    assert line.startswith("policytag: error: "), line
    return line[len("policytag: error: "):]


def jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def model():
    return policytag.Model()


def test_done_means_one_liner():
    code = "import policytag; print(policytag.Model().tag(['全面落实双减政策，课后服务实现全覆盖。']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    tags = eval(out)  # a list of dicts, as printed
    assert tags[0]["labels"] == ["double-reduction"], out


def test_tag_frame_equals_cli_on_the_test_split(model):
    rows = jsonl(TEST)
    df = pd.DataFrame(rows)
    df.index = [f"r{k}" for k in range(len(df))][::-1]  # any index is kept
    frame = model.tag_frame(df)
    want = [json.loads(l) for l in cli("tag", "--jsonl", "--format", "jsonl", TEST).stdout.splitlines()]
    assert len(want) == len(frame) == len(rows)
    assert list(frame.index) == list(df.index)
    ids = sorted(want[0]["scores"])
    assert list(frame.columns) == ["labels", *ids]
    for (_, got), w in zip(frame.iterrows(), want):
        assert list(got["labels"]) == w["labels"]
        assert {i: got[i] for i in ids} == w["scores"]
    assert any(w["labels"] for w in want) and any(not w["labels"] for w in want)


def test_tag_frame_reads_segmented_reports_in_context_like_the_cli(model):
    paras = policytag.segment(SAMPLES)
    frame = model.tag_frame(paras)
    want = [json.loads(l) for l in cli("tag", "--format", "jsonl", *sorted(SAMPLES.glob("*.txt"))).stdout.splitlines()]
    want = [w for w in want if "text" in w]
    assert len(want) == len(frame)
    ids = sorted(want[0]["scores"])
    for (_, got), w in zip(frame.iterrows(), want):
        assert list(got["labels"]) == w["labels"], w["text"]
        assert {i: got[i] for i in ids} == w["scores"]
    # Read alone (no document columns), some paragraph scores differ: the context is used.
    alone = model.tag_frame(paras[["text"]])
    assert not alone[ids].equals(frame[ids])


def test_tag_and_labels(model):
    [row] = model.tag(["新建、改扩建公办幼儿园12所，新增公办学位3600个。"])
    assert set(row["scores"]) == {l["id"] for l in model.labels}
    assert all(row["scores"][l] >= 0.0 for l in row["labels"])
    names = {l["id"]: l["name"] for l in model.labels}
    assert names["double-reduction"] == "双减与课后服务"
    assert all(0.0 < l["threshold"] < 1.0 for l in model.labels)
    e = model.explain("全面落实双减政策，课后服务实现全覆盖。")
    assert e["themes"][0]["id"] == "double-reduction" and e["themes"][0]["evidence"]


def small_corpus(tmp_path, every=8):
    lines = TRAIN.read_text(encoding="utf-8").splitlines()[::every]
    p = tmp_path / "small.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_train_and_save_are_byte_equal_to_the_cli(tmp_path):
    data = small_corpus(tmp_path)
    flags = ["--folds", "2", "--max-iter", "15", "--char-ngrams", "2-2", "--features-per-label", "200"]
    cli("train", "--data", data, "--themes", THEMES, "--out", tmp_path / "cli.model", "--quiet", *flags)
    kw = dict(folds=2, max_iter=15, char_ngrams=(2, 2), features_per_label=200)
    from_file = policytag.train(data, THEMES, **kw)
    from_file.save(tmp_path / "py.model")
    from_frame = policytag.train(pd.DataFrame(jsonl(data)), THEMES, **kw)
    want = (tmp_path / "cli.model").read_bytes()
    assert (tmp_path / "py.model").read_bytes() == want
    assert from_frame.to_bytes() == want
    # A different setting gives a different file: the comparison can fail.
    assert policytag.train(data, THEMES, **{**kw, "max_iter": 3}).to_bytes() != want
    # The saved file loads and tags like the CLI with --model.
    loaded = policytag.Model.load(tmp_path / "py.model")
    text = jsonl(TEST)[0]["text"]
    assert loaded.tag([text])[0]["labels"] == from_file.tag([text])[0]["labels"]


def test_evaluate_equals_cli_eval_json(model, tmp_path):
    data = tmp_path / "few.jsonl"
    data.write_text("\n".join(TEST.read_text(encoding="utf-8").splitlines()[:150]) + "\n", encoding="utf-8")
    want = json.loads(cli("eval", "--data", data, "--format", "json").stdout)
    assert policytag.evaluate(model, pd.DataFrame(jsonl(data))) == want
    assert policytag.evaluate(model, data) == want
    # Lines that name their document are read in its context, by both.
    rows = [{**r, "doc": f"d{k // 4}"} for k, r in enumerate(jsonl(data))]
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    in_context = json.loads(cli("eval", "--data", docs, "--format", "json").stdout)
    assert in_context["ece"] != want["ece"]  # the scores moved
    assert policytag.evaluate(model, pd.DataFrame(rows)) == in_context
    assert policytag.evaluate(model, docs) == in_context


def test_errors_are_exceptions_with_the_cli_messages(model, tmp_path):
    with pytest.raises(policytag.InputError) as e:
        policytag.Model.load(tmp_path / "no-such.model")
    assert str(e.value) == cli_error("tag", "--model", tmp_path / "no-such.model", SAMPLES / "county-annual-summary.txt")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "课后服务", "labels": ["double-reduction"]}\n{"text": 7}\n', encoding="utf-8")
    with pytest.raises(policytag.InputError) as e:
        policytag.train(bad)
    assert str(e.value) == cli_error("train", "--data", bad, "--out", tmp_path / "x.model")
    assert not (tmp_path / "x.model").exists()
    with pytest.raises(policytag.InputError) as e:
        policytag.segment(tmp_path / "missing.docx")
    assert str(e.value) == cli_error("segment", tmp_path / "missing.docx")
    with pytest.raises(policytag.InputError) as e:
        policytag.evaluate(model, pd.DataFrame({"text": ["x"], "labels": [["no-such-theme"]]}))
    assert "no-such-theme" in str(e.value)
    with pytest.raises(policytag.PolicytagError):
        model.tag_frame(pd.DataFrame({"body": ["x"]}))


def test_segment_and_read_report_match_the_cli():
    sample = SAMPLES / "county-annual-summary.txt"
    frame = policytag.segment(sample)
    want = [json.loads(l) for l in cli("segment", "--format", "jsonl", sample).stdout.splitlines()]
    assert list(want[0]) == [c for c in frame.columns if c not in ("format", "title")]
    got = frame[list(want[0])].to_dict("records")
    assert got == want
    from_bytes = policytag.segment(sample.read_bytes(), name=str(sample))
    assert from_bytes.equals(frame)
    whole = policytag.segment(SAMPLES)
    assert sorted(set(whole["doc"])) == sorted(str(p) for p in SAMPLES.glob("*.txt"))
    for ext in ["html", "docx", "pdf"]:
        r = policytag.read_report(FIXTURES / f"county-annual-summary.{ext}")
        assert r["format"] == ext and "教育" in r["text"] and "<" not in r["text"]
