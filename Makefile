# GCRM — two commands for a new user: `make run` and `make test`.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
GCRM_DB ?= data/gcrm.duckdb
PORT ?= 8501
export GCRM_DB

.PHONY: run test install install-dev system-deps demo dashboard lint bench clean geodata

$(BIN)/uv:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==0.13.9

# Runtime install from the lock file (requirements/main.txt), then the project itself.
# --compile-bytecode: .pyc files written once at install, so no process (a test's Streamlit
# server, a CLI call) compiles pandas/scipy/streamlit again, even with PYTHONDONTWRITEBYTECODE.
$(VENV)/.installed: $(BIN)/uv requirements/main.txt pyproject.toml
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements/main.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# dev includes the spark extra (requirements/spark.txt): `make test` runs the engine-equivalence suite
$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt requirements/spark.txt
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements/main.txt -r requirements/dev.txt -r requirements/spark.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the tests need: Chromium for browser tests, a CJK font, pdftoppm, and the
# Java 17 runtime of the Spark engine (engine-equivalence suite).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v java >/dev/null || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  echo "Installing Debian packages: chromium fonts-noto-cjk poppler-utils openjdk-17-jre-headless"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk poppler-utils openjdk-17-jre-headless >/dev/null; \
	fi

$(GCRM_DB): | $(VENV)/.installed
	$(BIN)/gcrm demo --db $(GCRM_DB)

demo: $(GCRM_DB)

# `gcrm upgrade`: a warehouse left by an older GCRM is brought up to date (no-op when current)
run: $(VENV)/.installed $(GCRM_DB)
	$(BIN)/gcrm upgrade --db $(GCRM_DB)
	$(BIN)/gcrm dashboard --db $(GCRM_DB) --port $(PORT)

# pytest-xdist: the browser tests on one worker (one xdist group), everything else on the other
test: $(VENV)/.installed-dev system-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@set +e; $(BIN)/python -m pytest -n 2 --dist loadgroup --durations=25; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

geodata: $(VENV)/.installed-dev
	$(BIN)/python geodata/build.py

clean:
	rm -rf $(VENV) data artifacts
