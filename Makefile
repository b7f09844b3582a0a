# Two commands, each self-sufficient on a fresh machine with Python 3.11:
#   make certify   set up .venv, certify every shipped connector, print where the report is
#   make test      set up .venv with the dev extras, run the whole test suite
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
REPORT_DIR ?= reports

.PHONY: certify test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

certify: $(VENV)/.installed
	$(BIN)/certify run --report-dir $(REPORT_DIR)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check harness connectors tests
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(REPORT_DIR) .pytest_cache .hypothesis .mypy_cache .ruff_cache

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks
