# policytag — the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
BIN := target/release/policytag
# `make demo` builds in the dev profile (dependencies optimised), the profile `make test`
# builds in too, so the tests after a demo reuse its build instead of compiling everything again.
DEV_BIN := target/debug/policytag
REAL ?= ../shared/real
BASELINE ?= ../shared/bench/baseline.py
VENV ?= .venv
PY := $(VENV)/bin/python

FUZZ_SECONDS ?= 600
PYTHON3 ?= python3
PYVENV ?= .venv-python
# `make python` builds the wheel in release; `make test` builds it in the dev profile it
# already compiled the workspace in, and tests it against the dev binary.
PY_PROFILE ?= release
SPARK_VENV ?= .venv-spark
HAS_PY39 := $(shell $(PYTHON3) -c 'import sys; print(int(sys.version_info >= (3, 9)))' 2>/dev/null)

.PHONY: python python-test spark-test bench-python fuzz all build install browser office demo test model eval venv baselines bench fmt lint corpus corpus-stats clean screenshots

all: build

build:
	$(CARGO) build --release --locked -p policytag

## Install the binary into Cargo's bin directory (~/.cargo/bin/policytag, or $CARGO_HOME/bin).
install:
	$(CARGO) install --locked --path crates/cli

## Build, then tag a sample report with the embedded default model.
demo:
	$(CARGO) build --locked --workspace
	$(DEV_BIN) tag corpus/samples/county-annual-summary.txt

## Headless Chromium and CJK fonts for the annotation page's browser test (Debian packages).
browser:
	@command -v chromium >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; }

## LibreOffice Calc without its GUI, to read back the XLSX workbooks in a test (Debian package,
## no recommended extras).
office:
	@command -v soffice >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	  --no-install-recommends libreoffice-calc-nogui; }

## Unit, integration, browser, corpus-quality and model-staleness tests, then the Python
## package's pytest suite when Python >= 3.9 is present (no network at test time; `browser`
## and `office` install Chromium and LibreOffice, `python` the wheel's build tools, first
## when they are missing).
test: browser office
	$(CARGO) test --workspace --locked
ifeq ($(HAS_PY39),1)
	$(MAKE) --no-print-directory python-test
else
	@echo "(Python package tests skipped: no $(PYTHON3) >= 3.9)"
endif

## Build the Python wheel into target/wheels/ and install it (with pandas, pytest) into $(PYVENV).
python:
	@$(PYTHON3) -c 'import sys; sys.exit(sys.version_info < (3, 9))' || { echo "make python: needs $(PYTHON3) >= 3.9" >&2; exit 2; }
	[ -x $(PYVENV)/bin/python ] || $(PYTHON3) -m venv $(PYVENV)
	$(PYVENV)/bin/pip install -q "maturin>=1.9,<2" pandas pyarrow pytest
	$(PYVENV)/bin/maturin build --profile $(PY_PROFILE) --locked -m crates/python/Cargo.toml --out target/wheels
	$(PYVENV)/bin/pip install -q --force-reinstall --no-deps --no-index --find-links target/wheels policytag

## The Python package's tests against the binary (seconds; dev-profile wheel and binary).
python-test:
	$(MAKE) --no-print-directory python PY_PROFILE=dev
	$(CARGO) build --locked -p policytag
	POLICYTAG_BIN=$(DEV_BIN) $(PYVENV)/bin/python -m pytest -q crates/python/tests

## PySpark in local mode, both ways (Python package on the workers; binary through RDD.pipe),
## on sample reports, $(REAL) when present and the corpus; rows checked against the CLI's.
## Installs a headless JRE (Debian) when java >= 17 is missing and pyspark (PyPI) into $(SPARK_VENV).
spark-test: build
	$(MAKE) --no-print-directory python PY_PROFILE=release
	@java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless; }
	[ -x $(SPARK_VENV)/bin/python ] || $(PYTHON3) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install -q pyspark pandas pyarrow
	time $(SPARK_VENV)/bin/python examples/spark/check.py --bin $(BIN) --real $(REAL)

## Retrain the default model from the corpus with the recommended settings (the library's
## defaults; the binary embeds models/default.model).
model: build
	$(BIN) train --data corpus/train.jsonl --themes corpus/themes.toml --out models/default.model

## Rebuild corpus/train.jsonl and corpus/test.jsonl from the hand-written parts in corpus/src/.
corpus:
	python3 corpus/tools/build_corpus.py

## Render the HTML report of corpus/samples/*.txt to docs/report.png and, when ../shared/real
## exists, of its 97 excerpts and 5 reports to bench-out/report-real.png (needs chromium, fonts-noto-cjk; kept out of the repository because it shows real report text).
screenshots:
	tools/screenshot.sh docs/report.png
	tools/annotate-screenshot.sh docs/annotate.png
	@if [ -d $(REAL)/excerpts ]; then HEIGHT=2600 mkdir -p bench-out && tools/screenshot.sh bench-out/report-real.png $(REAL)/excerpts/*.txt $(REAL)/report-*.txt; fi

corpus-stats: build
	$(BIN) corpus-stats corpus/train.jsonl corpus/test.jsonl

## Metrics on the test split and, when ../shared/real exists, on both real dev sets (the 97
## report excerpts and the 5 full reports), with document-level bootstrap 95% intervals and
## per-label calibration error, then beside the baselines (run `make venv` once for those).
REAL_SETS := $(REAL)/excerpts/gold.jsonl $(REAL)/gold.jsonl

eval: build
	@echo "== policytag, corpus/test.jsonl"
	$(BIN) eval --data corpus/test.jsonl
	@for d in $(REAL_SETS); do \
	  [ -f $$d ] || { echo "($$d absent: real-set evaluation skipped)"; continue; }; \
	  echo "== policytag, $$d"; \
	  $(BIN) eval --data $$d; \
	done
	@if [ -f $(REAL)/gold.jsonl ]; then \
	  if [ -x $(PY) ]; then $(MAKE) --no-print-directory baselines; \
	  else echo "(baselines skipped: run 'make venv' first)"; fi; \
	fi

venv:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q jieba scikit-learn "numpy<2" opencc-python-reimplemented fasttext-wheel

## Every baseline of $(BASELINE) trained on corpus/train.jsonl, and policytag, on the test
## split and both real sets (policytag's document-level 95% interval of micro-F1 beside it).
baselines: build
	@mkdir -p bench-out
	@printf '%-10s %-22s %9s %9s %15s %9s\n' system data micro_f1 macro_f1 micro_95 train_s
	@for a in sklearn tuned fasttext keywords; do \
	  t=$$($(PY) $(BASELINE) train $$a corpus/train.jsonl bench-out/$$a.pkl | $(PY) -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"])'); \
	  for d in corpus/test.jsonl $(REAL_SETS); do \
	    [ -f $$d ] || continue; \
	    $(PY) $(BASELINE) eval $$a bench-out/$$a.pkl $$d 2>/dev/null | $(PY) -c 'import json,sys; m=json.load(sys.stdin); print("%-10s %-22s %9.4f %9.4f %15s %9s" % (sys.argv[1], sys.argv[2], m["micro_f1"], m["macro_f1"], "-", sys.argv[3]))' $$a $$(echo $$d | sed 's|^$(REAL)/||') $$t; \
	  done; \
	done
	@for d in corpus/test.jsonl $(REAL_SETS); do \
	  [ -f $$d ] || continue; \
	  $(BIN) eval --data $$d --format json | $(PY) -c 'import json,sys; m=json.load(sys.stdin); b=m["intervals"]["micro_f1"]; print("%-10s %-22s %9.4f %9.4f %15s %9s" % ("policytag", sys.argv[1], m["micro_f1"], m["macro_f1"], "%.3f-%.3f" % (b["lo"], b["hi"]), "-"))' $$(echo $$d | sed 's|^$(REAL)/||'); \
	done

## Criterion benches per stage, then the end-to-end comparison with the baselines
## (needs `make venv`); writes BENCHMARKS.md.
bench: build
	$(CARGO) bench --workspace
	python3 bench/compare.py

## tag_frame on 100k paragraphs beside the CLI, and Spark local mode with 1 and 2 cores
## (needs `make python` and `make spark-test`'s $(SPARK_VENV)); prints a table.
bench-python: build
	$(MAKE) --no-print-directory python PY_PROFILE=release
	$(PYVENV)/bin/python bench/python_bench.py --bin $(BIN)
	$(SPARK_VENV)/bin/python bench/spark_bench.py --bin $(BIN)

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

clean:
	$(CARGO) clean
	rm -rf bench-out

## Fuzz each target for FUZZ_SECONDS (needs `cargo install cargo-fuzz`; libFuzzer runs on
## the stable toolchain through RUSTC_BOOTSTRAP, without sanitizers): the text pipeline,
## the HTML, Word and PDF extractors, and the JSONL/interchange readers, each seeded with
## the fixtures.
## Each runs under `nice -n 19` with a 2 GB RSS limit and a 30 s per-input timeout; the
## PDF target takes inputs up to 256 KiB (its seed is 200 KB), the others 64 KiB. One target:
## `make fuzz FUZZ_TARGETS=pdf`. The Word target is also seeded with the fixture's bare
## word/document.xml (needs `unzip`), the PDF target also with two small hand-made PDFs
## (fuzz/seeds/pdf/: a Type1 font, a ToUnicode CMap). Findings land in
## fuzz/artifacts/<target>/ (not committed).
FUZZ_TARGETS ?= pipeline html docx pdf jsonl
fuzz:
	mkdir -p $(addprefix fuzz/corpus/,pipeline html docx pdf jsonl)
	cp corpus/samples/*.txt fuzz/corpus/pipeline/
	cp tests/fixtures/*.html fuzz/corpus/html/
	cp tests/fixtures/*.docx fuzz/corpus/docx/
	unzip -p tests/fixtures/county-annual-summary.docx word/document.xml > fuzz/corpus/docx/document.xml
	cp tests/fixtures/*.pdf fuzz/seeds/pdf/*.pdf fuzz/corpus/pdf/
	head -c 4000 corpus/test.jsonl > fuzz/corpus/jsonl/test-head.jsonl
	printf '__label__aid 学生资助 \\__label__x\n' > fuzz/corpus/jsonl/fasttext.txt
	printf '[{"id": 1, "text": "学校", "theme": {"choices": ["aid"]}}]\n' > fuzz/corpus/jsonl/ls-min.json
	printf 'text,id,theme\n"学校,安全",1,aid\n' > fuzz/corpus/jsonl/ls.csv
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  len=65536; if [ $$t = pdf ]; then len=262144; fi; \
	  RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run -s none $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=$$len -rss_limit_mb=2048 -timeout=30 \
	    -print_final_stats=1 || exit 1; \
	done
