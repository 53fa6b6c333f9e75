# Two entry points: `make demo` and `make test`. Both create .venv (Python >= 3.10) on first use.
# The demo needs only the video extra; the tests also install the teacher/trainer stack (torch, transformers)
# and Ray, so every test runs (the tiny Qwen-VL models are built locally, nothing is downloaded).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_EXTRAS ?= video
TEST_EXTRAS ?= video,dev,ray,teacher,train,decord

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[$(DEMO_EXTRAS)]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[$(TEST_EXTRAS)]'
	touch $@

demo: $(VENV)/.installed-demo
	$(BIN)/vdata demo --out demo-out

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test
	command -v ffmpeg >/dev/null || (apt-get update -qq && apt-get install -y -qq ffmpeg)
	$(BIN)/python -m pip install -q -e '.[$(TEST_EXTRAS),bench]'
	$(BIN)/python benchmarks/bench_build.py

clean:
	rm -rf demo-out bench-out .pytest_cache
