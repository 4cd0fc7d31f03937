# Two commands for a fresh machine with Python 3.11 and pip:
#   make run    set up, bring the index up to date with corpus/ (incrementally), serve the app on 127.0.0.1
#   make test   set up with test tools, then run the whole test suite
#   make lint   ruff and mypy, as CI runs them before the tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install ingest clean bench browser-deps judge bi-encoder

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch is pinned and installed first so pip takes the local CPU build, not a CUDA one.
# The app, LangChain, PostgreSQL and OCR are extras (cited-qa[app], [langchain], [postgres], [ocr]); run needs the
# first two and OCR (scanned PDFs),
# test all of them and dev's test tools and the bench extra (the PostgreSQL tests start the server pgserver bundles;
# the bench extra is the LangChain pipeline `make bench` compares against, and its plots).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[app,langchain,postgres,ocr,dev]'
	touch $(STAMP)

install: $(STAMP)

index/CURRENT: | $(STAMP)
	$(BIN)/qa ingest corpus

ingest: $(STAMP)
	$(BIN)/qa ingest corpus

# Every start runs the incremental ingest first (seconds when nothing changed), so files added to corpus/
# between runs are searchable; the port is checked before that, and the model is loaded only once.
run: $(STAMP)
	$(BIN)/qa serve --ingest

# The default pytest run skips slow tests (real model, browser); make test runs them all.
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -m "slow or not slow"

# Lint only (ruff check, mypy strict on qa/index/ and qa/answer/); formatting is checked once the tree has been through
# `ruff format` in a commit of its own.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy qa/index qa/answer

# The browser test drives Debian's Chromium; Playwright never downloads a browser of its own.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "The browser test needs Chromium at /usr/bin/chromium: sudo apt-get install -y chromium"; \
	fi

# The answer judge, reproduced from ../shared/train: pairs with hard negatives mined by our own search, fine-tuning,
# the held-out features, the combiner and threshold, then the shipped copy in qa/judge/weights with its hashes, and
# WikiQA test against the bi-encoder. Not part of `make test`. On 2 CPU cores training takes hours (about 23 pairs
# a second); JUDGE_ARGS="--device cuda" on a GPU machine. Prints how long each step took.
judge: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/python -m qa.judge data $(JUDGE_ARGS) && \
	$(BIN)/python -m qa.judge train $(JUDGE_ARGS) && \
	$(BIN)/python -m qa.judge score $(JUDGE_ARGS) && \
	$(BIN)/python -m qa.judge ship && \
	$(BIN)/python -m qa.judge fit && \
	$(BIN)/python -m qa.judge measure && \
	echo "make judge took $$(( $$(date +%s) - start )) s"

# The fallback issue 19 names: the bi-encoder itself fine-tuned contrastively on ../shared/train (question, answer,
# non-answering sentence of the same passage; in-batch negatives), then the packaged and the fine-tuned model on
# WikiQA test in one run. One epoch is about 42 minutes on 2 CPU cores. Not part of `make test`. BI_ARGS go to the
# training step, e.g. BI_ARGS="--epochs 2 --device cuda".
bi-encoder: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/python -m qa.judge contrastive $(BI_ARGS) && \
	$(BIN)/python -m qa.judge measure-bi && \
	echo "make bi-encoder took $$(( $$(date +%s) - start )) s"

# Quality against peers, speed, memory and scaling; writes bench/results/report.md (about an hour on 2 cores).
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--smoke" or "--sizes 10000,100000".
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) index/CURRENT index/builds tests/artifacts  # conversations/ is kept: it holds people's work
