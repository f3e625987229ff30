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

.PHONY: fuzz all build install browser office demo test model eval venv baselines bench fmt lint corpus corpus-stats clean screenshots

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

## Unit, integration, browser, corpus-quality and model-staleness tests (no Python, no network
## at test time; `browser` and `office` install Chromium and LibreOffice first when missing).
test: browser office
	$(CARGO) test --workspace --locked

## Retrain the default model from the corpus with the recommended settings (the library's
## defaults; the binary embeds models/default.model).
model: build
	$(BIN) train --data corpus/train.jsonl --themes corpus/themes.toml --out models/default.model

## Rebuild corpus/train.jsonl and corpus/test.jsonl from the hand-written parts in corpus/src/.
corpus:
	python3 corpus/tools/build_corpus.py

## Render the HTML report of corpus/samples/*.txt to docs/report.png and, when ../shared/real
## exists, of its 97 excerpts and 5 reports to docs/report-real.png (needs chromium, fonts-noto-cjk).
screenshots:
	tools/screenshot.sh docs/report.png
	@if [ -d $(REAL)/excerpts ]; then HEIGHT=2600 tools/screenshot.sh docs/report-real.png $(REAL)/excerpts/*.txt $(REAL)/report-*.txt; fi

corpus-stats: build
	$(BIN) corpus-stats corpus/train.jsonl corpus/test.jsonl

## Metrics on the test split and, when ../shared/real exists, on real reports beside the
## baselines (run `make venv` once for the baselines).
eval: build
	@echo "== policytag, corpus/test.jsonl"
	$(BIN) eval --data corpus/test.jsonl
	@if [ -f $(REAL)/gold.jsonl ]; then \
	  echo "== policytag, real reports ($(REAL)/gold.jsonl)"; \
	  $(BIN) eval --data $(REAL)/gold.jsonl; \
	  if [ -x $(PY) ]; then $(MAKE) --no-print-directory baselines; \
	  else echo "(baselines skipped: run 'make venv' first)"; fi; \
	fi

venv:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q jieba scikit-learn "numpy<2" opencc-python-reimplemented fasttext-wheel

baselines: build
	@mkdir -p bench-out
	@printf '%-10s %-10s %9s %9s %9s\n' system data micro_f1 macro_f1 train_s
	@for a in sklearn fasttext keywords; do \
	  t=$$($(PY) $(BASELINE) train $$a corpus/train.jsonl bench-out/$$a.pkl | $(PY) -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"])'); \
	  for d in corpus/test.jsonl $(REAL)/gold.jsonl; do \
	    [ -f $$d ] || continue; \
	    $(PY) $(BASELINE) eval $$a bench-out/$$a.pkl $$d 2>/dev/null | $(PY) -c 'import json,sys; m=json.load(sys.stdin); print("%-10s %-10s %9.4f %9.4f %9s" % (sys.argv[1], sys.argv[2], m["micro_f1"], m["macro_f1"], sys.argv[3]))' $$a $$(basename $$d) $$t; \
	  done; \
	done
	@for d in corpus/test.jsonl $(REAL)/gold.jsonl; do \
	  [ -f $$d ] || continue; \
	  $(BIN) eval --data $$d --format json | $(PY) -c 'import json,sys; m=json.load(sys.stdin); print("%-10s %-10s %9.4f %9.4f %9s" % ("policytag", sys.argv[1], m["micro_f1"], m["macro_f1"], "-"))' $$(basename $$d); \
	done

## Criterion benches per stage, then the end-to-end comparison with the baselines
## (needs `make venv`); writes BENCHMARKS.md.
bench: build
	$(CARGO) bench --workspace
	python3 bench/compare.py

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

clean:
	$(CARGO) clean
	rm -rf bench-out

## Fuzz decode → clean → segment → tokenize (needs `cargo install cargo-fuzz`; libFuzzer runs
## on the stable toolchain through RUSTC_BOOTSTRAP, without sanitizers).
fuzz:
	mkdir -p fuzz/corpus/pipeline && cp corpus/samples/*.txt fuzz/corpus/pipeline/
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -s none pipeline corpus/pipeline -- \
	  -max_total_time=$(FUZZ_SECONDS) -max_len=8192
