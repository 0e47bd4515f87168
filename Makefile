# Two commands matter: `make run` (set up and start on the embedded default) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test setup setup-dev lint eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev
	bash scripts/setup-test-env.sh

## Set up, build the index if missing, start the server on http://127.0.0.1:8000
run: setup
	$(BIN)/chubei serve

## Set up (dev extras, Chromium), type-check (a type error fails here, before any test) and run the whole test suite
test: setup-dev
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: setup-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && $(BIN)/mypy

eval: setup
	$(BIN)/chubei eval --suite all --out reports/latest

clean:
	rm -rf $(VENV) data reports .pytest_cache
