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
	$(BIN)/pip install -q -e '.[dev,distributed]'
	touch $(STAMP)

$(DUCKDB1_STAMP):
	test -x $(DUCKDB1)/bin/python || $(PYTHON) -m venv $(DUCKDB1)
	$(DUCKDB1)/bin/pip install -q 'duckdb==1.5.*'
	touch $(DUCKDB1_STAMP)

# The report tests open the generated site in Debian's Chromium (driven by Playwright, which never
# downloads a browser) with a CJK font; the distributed tests start Debian's PostgreSQL server:
# installed here when missing (as root), else named. (`browser` is its former name.)
system-packages:
	@if ! { command -v chromium >/dev/null && fc-list 2>/dev/null | grep -q "Noto Sans CJK" \
	        && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }; then \
	  if [ "$$(id -u)" -eq 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk postgresql >/dev/null; \
	  else \
	    echo "the tests need Debian's chromium, fonts-noto-cjk and postgresql: sudo apt-get install chromium fonts-noto-cjk postgresql" >&2; \
	    exit 1; \
	  fi; \
	fi

browser: system-packages

.PHONY: demo test install browser system-packages
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rdw refresh

test: $(STAMP) $(DUCKDB1_STAMP) system-packages
	$(BIN)/python -m pytest
