# Two entry points: `make demo` (refresh the bundled samples) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A DuckDB 1.x beside the project: the tests open the served warehouse with it.
DUCKDB1 := .venv-duckdb1
DUCKDB1_STAMP := $(DUCKDB1)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

$(DUCKDB1_STAMP):
	test -x $(DUCKDB1)/bin/python || $(PYTHON) -m venv $(DUCKDB1)
	$(DUCKDB1)/bin/pip install -q 'duckdb==1.5.*'
	touch $(DUCKDB1_STAMP)

.PHONY: demo test install
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rdw refresh

test: $(STAMP) $(DUCKDB1_STAMP)
	$(BIN)/python -m pytest
