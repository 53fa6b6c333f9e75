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

# demo-out is the demo's own scratch folder: made afresh each time (a build refuses a folder that code of another
# version finished, which a `git pull` between two demos would otherwise hit).
demo: $(VENV)/.installed-demo
	rm -rf demo-out
	$(BIN)/vdata demo --out demo-out

# The export targets' loaders (verl, LLaMA-Factory, ms-swift, lmms-eval) and OpenRLHF's reward client each run in
# their own venv (below).
# The suite runs on TEST_WORKERS processes (pytest-xdist): about 4 min on this project's 2-core machine, 5.5 min
# on one process. `pytest` alone runs it on one.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-test venv-verl venvs-export venv-openrlhf
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

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

# LLaMA-Factory 0.9.5, ms-swift 4.6.0 and lmms-eval 0.7.3 pin versions that differ from the test extras' (transformers
# <= 5.6 / < 5.20, datasets, trl, peft, av): one venv each, layered over .venv as venv-verl is (vdata and torch come
# from .venv). tests/export/test_{llamafactory,swift,lmms_eval}.py run each one's loader there (skipped without it).
# `kernels` < 0.13 for transformers 5.6; ms-swift's Qwen-VL template needs qwen-vl-utils.
define overlay_venv
	$(PYTHON) -m venv $(1)
	$(BIN)/python -c 'import sysconfig; print("import site; site.addsitedir(%r)" % sysconfig.get_paths()["purelib"])' \
		> "$$($(1)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/vdata-base.pth"
	$(1)/bin/python -m pip install -q $(2)
	touch $(1)/.installed
endef
LLAMAFACTORY_PKGS := 'llamafactory==0.9.5' 'kernels>=0.12,<0.13'
SWIFT_PKGS := 'ms-swift==4.6.0' 'qwen-vl-utils==0.0.14'
LMMS_EVAL_PKGS := 'lmms-eval==0.7.3'
.PHONY: venv-llamafactory venv-swift venv-lmms-eval venvs-export
venvs-export: venv-llamafactory venv-swift venv-lmms-eval
venv-llamafactory: $(VENV)/llamafactory/.installed
$(VENV)/llamafactory/.installed: $(VENV)/.installed-test
	$(call overlay_venv,$(VENV)/llamafactory,$(LLAMAFACTORY_PKGS))
venv-swift: $(VENV)/swift/.installed
$(VENV)/swift/.installed: $(VENV)/.installed-test
	$(call overlay_venv,$(VENV)/swift,$(SWIFT_PKGS))
venv-lmms-eval: $(VENV)/lmms-eval/.installed
$(VENV)/lmms-eval/.installed: $(VENV)/.installed-test
	$(call overlay_venv,$(VENV)/lmms-eval,$(LMMS_EVAL_PKGS))

# OpenRLHF 0.11.2 pins deepspeed, flash-attn, vllm, ray and transformers 5.15, none of which its reward client
# imports (`openrlhf/utils/agent.py`: aiohttp, in .venv with s3fs; pylatexenc through `openrlhf.utils`): openrlhf
# alone, without its dependencies, layered over .venv (about 10 s). tests/rewards/test_openrlhf.py runs its client
# against vdata's reward server and reward file there (skipped without it).
OPENRLHF_PKGS := --no-deps 'openrlhf==0.11.2' 'pylatexenc==2.11'
.PHONY: venv-openrlhf
venv-openrlhf: $(VENV)/openrlhf/.installed
$(VENV)/openrlhf/.installed: $(VENV)/.installed-test
	$(call overlay_venv,$(VENV)/openrlhf,$(OPENRLHF_PKGS))
