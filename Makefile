# policytag — the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
BIN := target/release/policytag
REAL ?= ../shared/real
BASELINE ?= ../shared/bench/baseline.py
VENV ?= .venv
PY := $(VENV)/bin/python
FLAGS := $(shell cat models/default.flags)

FUZZ_SECONDS ?= 600

.PHONY: fuzz all build browser demo test model eval venv baselines bench fmt lint corpus corpus-stats clean screenshots

all: build

build:
	$(CARGO) build --release --locked -p policytag

## Build, then tag a sample report with the embedded default model.
demo: build
	$(BIN) tag corpus/samples/county-annual-summary.txt

## Headless Chromium and CJK fonts for the annotation page's browser test (Debian packages).
browser:
	@command -v chromium >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; }

## Unit, integration, browser, corpus-quality and model-staleness tests (no Python, no network
## at test time; `browser` installs Chromium first when it is missing).
test: browser
	$(CARGO) test --workspace --locked

## Retrain the default model from the corpus (the binary embeds models/default.model).
model: build
	$(BIN) train --data corpus/train.jsonl --themes corpus/themes.toml --out models/default.model $(FLAGS)

## Rebuild corpus/train.jsonl and corpus/test.jsonl from the hand-written parts in corpus/src/.
corpus:
	python3 corpus/tools/build_corpus.py

## Render the HTML report of corpus/samples/*.txt to docs/report.png (needs chromium, fonts-noto-cjk).
screenshots:
	tools/screenshot.sh docs/report.png

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

## Fuzz each target for FUZZ_SECONDS (needs `cargo install cargo-fuzz`; libFuzzer runs on
## the stable toolchain through RUSTC_BOOTSTRAP, without sanitizers): the text pipeline,
## the HTML, Word and PDF extractors, and the JSONL/interchange readers, each seeded with
## the fixtures.
FUZZ_TARGETS := pipeline html docx pdf jsonl
fuzz:
	mkdir -p $(addprefix fuzz/corpus/,$(FUZZ_TARGETS))
	cp corpus/samples/*.txt fuzz/corpus/pipeline/
	cp tests/fixtures/*.html fuzz/corpus/html/
	cp tests/fixtures/*.docx fuzz/corpus/docx/
	cp tests/fixtures/*.pdf fuzz/corpus/pdf/
	head -c 4000 corpus/test.jsonl > fuzz/corpus/jsonl/test-head.jsonl
	printf '__label__aid 学生资助 \\__label__x\n' > fuzz/corpus/jsonl/fasttext.txt
	printf '[{"id": 1, "text": "学校", "theme": {"choices": ["aid"]}}]\n' > fuzz/corpus/jsonl/ls-min.json
	printf 'text,id,theme\n"学校,安全",1,aid\n' > fuzz/corpus/jsonl/ls.csv
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run -s none $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 || exit 1; \
	done
