# Two entry points: `make demo` and `make test`. Both create .venv (Python >= 3.10) on first use.
# The demo needs only the video extra; the tests also install the teacher/trainer stack (torch, transformers)
# and Ray, so every test runs (the tiny Qwen-VL models are built locally, nothing is downloaded).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_EXTRAS ?= video
TEST_EXTRAS ?= video,dev,ray,teacher,train,decord

.PHONY: demo test bench lint clean venv-verl

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

test: $(VENV)/.installed-test venv-verl
	$(BIN)/python -m pytest

# verl pins transformers < 5.11, older than the test extras': its own venv, layered over .venv (a .pth adds
# .venv's site-packages, vdata's editable install included, after its own), so only verl and the packages whose
# versions differ are installed there (not torch).
# tests/export/test_verl.py runs verl's RLHFDataset and reward manager in it (skipped, saying why, without it).
VERL_VENV := $(VENV)/verl
# verl itself without its dependencies (ray[default], wandb, tensorboard...: not what its dataset and reward
# manager import), then those they import at the versions verl 0.9.1 (and its transformers: kernels) pin.
VERL_DEPS := 'transformers>=5.5.3,<5.11,!=5.6.0' 'tensordict>=0.8,<=0.10,!=0.9.0' 'qwen-vl-utils==0.0.14' \
	'kernels>=0.12,<0.13' omegaconf codetiming
venv-verl: $(VERL_VENV)/.installed
$(VERL_VENV)/.installed: $(VENV)/.installed-test
	$(PYTHON) -m venv $(VERL_VENV)
	$(BIN)/python -c 'import sysconfig; print("import site; site.addsitedir(%r)" % sysconfig.get_paths()["purelib"])' \
		> "$$($(VERL_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/vdata-base.pth"
	$(VERL_VENV)/bin/python -m pip install -q --no-deps 'verl==0.9.1'
	$(VERL_VENV)/bin/python -m pip install -q $(VERL_DEPS)
	touch $@

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test
	command -v ffmpeg >/dev/null || (apt-get update -qq && apt-get install -y -qq ffmpeg)
	$(BIN)/python -m pip install -q -e '.[$(TEST_EXTRAS),bench]'
	$(BIN)/python benchmarks/bench_build.py

clean:
	rm -rf demo-out bench-out .pytest_cache
