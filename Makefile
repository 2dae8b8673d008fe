# The bootcamp's commands. Start with `make lab` (learn) or `make test` (check).
# Every target can be run twice: the second run does only what changed.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8888
LAB_ROOT ?= $(CURDIR)
CORES  := $(shell nproc 2>/dev/null || echo 2)
JOBS   ?= 2
TEST_THREADS ?= $(shell n=$$(( $(CORES) / $(JOBS) )); [ $$n -ge 1 ] && echo $$n || echo 1)
PY      = $(VENV)/bin/python
UV      = $(VENV)/bin/uv
STAMP   = $(VENV)/.installed
DEV_STAMP = $(VENV)/.installed-dev
REPORT  = reports/quick-mode.md
# No news pop-up and no update check in a workshop room (the same flags in containers/start-lab.sh).
LAB_QUIET = --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

.PHONY: help venv dev lab data mirror test unit notebooks check report full-report lock clean
.DELETE_ON_ERROR:

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The environment is rebuilt only when the pins or the package metadata change.
# requirements.txt is what the notebooks need (hash-checked); requirements-dev.txt
# adds the test and build tools, for make test and the other checks. pip installs
# only the installer, uv (requirements-uv.txt, hash-checked too); uv installs the
# rest with the same pins and hashes, downloading and unpacking in parallel, and
# compiles the bytecode at once (where PYTHONDONTWRITEBYTECODE is set, as on CI,
# TensorFlow would otherwise be compiled again by every kernel: 18 s an import, not 6).
$(STAMP): requirements.txt requirements-uv.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (the pinned numpy and TensorFlow have no 3.10 builds); install it and run e.g. make PYTHON=python3.11 ...")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-uv.txt
	$(UV) pip install --quiet --compile-bytecode --python $(PY) --require-hashes -r requirements.txt
	$(UV) pip install --quiet --compile-bytecode --python $(PY) --no-deps --no-build-isolation -e .
	$(PY) -m bootcamp.dev.labsettings
	touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(UV) pip install --quiet --compile-bytecode --python $(PY) --require-hashes -r requirements-dev.txt
	touch $@

venv: $(STAMP)  ## create or update .venv with what the notebooks need (requirements.txt)

dev: $(DEV_STAMP)  ## add the tools that check the course (requirements-dev.txt)

data: $(STAMP)  ## fetch and verify the lessons' datasets into the cache
	$(PY) -m data_scripts fetch mnist fashion_mnist hurdat2 || \
	  echo "Some datasets could not be fetched: the lessons will say so and use their offline fallbacks (see README, 'Data')."

# DIR is required; QUICK_ONLY=1 leaves out full mode's flow sets (hours to solve), WORKERS=N sets the
# solver processes (default: one per core), MIRROR_ARGS passes more options (python -m data_scripts mirror --help).
mirror: $(STAMP)  ## build or complete an offline data mirror for a workshop room in DIR (QUICK_ONLY=1, WORKERS=N)
	@test -n "$(DIR)" || { echo "usage: make mirror DIR=/path/to/mirror [QUICK_ONLY=1] [WORKERS=N] [MIRROR_ARGS=...]" >&2; exit 2; }
	$(PY) -m data_scripts mirror --out "$(DIR)" $(if $(filter-out 0,$(QUICK_ONLY)),--quick-only) \
	  $(if $(WORKERS),-j $(WORKERS)) $(MIRROR_ARGS)

lab: $(STAMP) data  ## start JupyterLab on 127.0.0.1 with a token (PORT=8888, LAB_ROOT=.)
	@TOKEN=$$($(PY) -c 'import secrets; print(secrets.token_hex(24))'); \
	extra=""; if [ "$$(id -u)" = 0 ]; then \
	  echo "WARNING: running as root; prefer a normal user account (the container does)."; extra="--allow-root"; fi; \
	echo "JupyterLab: http://127.0.0.1:$(PORT)/lab?token=$$TOKEN"; \
	JUPYTER_TOKEN=$$TOKEN TENSORBOARD_PROXY_URL=/proxy/%PORT%/ exec $(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
	  --ServerApp.port_retries=0 --ServerApp.root_dir="$(LAB_ROOT)" $(LAB_QUIET) $$extra

notebooks: $(DEV_STAMP)  ## regenerate notebooks/ and solutions/ from masters/
	$(PY) -m bootcamp.dev.nbgen build

check: $(DEV_STAMP)  ## fail on drift from the masters, stored outputs or non-canonical JSON
	$(PY) -m bootcamp.dev.nbgen check

unit: $(DEV_STAMP)  ## unit tests only (no notebooks)
	$(PY) -m pytest -q tests

# JOBS pytest workers share the machine's cores, so each kernel's TensorFlow gets
# TEST_THREADS = cores / JOBS threads (at least one), not one per core each (two-core CI: about
# 10% faster). Two workers on two cores: a fresh clone with 3 took 1,495 s of pytest against
# 1,218 s with 2 (the tests' own times grew from 2,387 to 4,364 worker-seconds).
# Whole files go to the workers, the costliest first, the notebooks whose models later
# lessons load before all others (conftest.py, bootcamp/dev/durations.py).
test: check  ## every unit test, then every notebook under nbval in quick mode
	BOOTCAMP_QUICK=1 BOOTCAMP_NO_SERVERS=1 TF_NUM_INTRAOP_THREADS=$(TEST_THREADS) TF_NUM_INTEROP_THREADS=$(TEST_THREADS) \
	  OMP_NUM_THREADS=$(TEST_THREADS) $(PY) -m pytest -q -n $(JOBS) --dist loadfile --no-loadscope-reorder \
	  --nbval-lax --nbval-current-env --nbval-cell-timeout=600 tests notebooks solutions

report: $(REPORT)  ## run every notebook in quick mode; time + metrics table into README

$(REPORT): $(DEV_STAMP) $(wildcard notebooks/*.ipynb solutions/*.ipynb bootcamp/*.py bootcamp/*/*.py)
	BOOTCAMP_QUICK=1 BOOTCAMP_NO_SERVERS=1 $(PY) -m bootcamp.dev.report --out $@ --readme README.md

full-report: $(DEV_STAMP)  ## time solution notebooks in full mode (NOTEBOOKS=...); agenda minutes + README from it
	BOOTCAMP_QUICK=0 BOOTCAMP_NO_SERVERS=1 $(PY) -m bootcamp.dev.report --update \
	  $(or $(NOTEBOOKS),$(wildcard solutions/*.ipynb)) --out reports/full-mode.md --readme README.md

lock: $(DEV_STAMP)  ## re-resolve requirements*.in into hashed pins (uv; see bootcamp/dev/lock.py)
	$(PY) -m bootcamp.dev.lock

clean:  ## remove the environment, logs and caches inside the project
	rm -rf $(VENV) notebooks/logs solutions/logs .pytest_cache
