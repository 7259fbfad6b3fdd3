SHELL := /bin/bash
# Derek: `make run` serves the demo portal, `make test` runs every check.
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= ./data
PYTHON ?= python3
# pytest processes: one per CPU (tests marked "serial" run afterwards in one process)
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -p no:cacheprovider
BENCH_ROWS ?= 1000000

.PHONY: run test lint typecheck pytest pytest-postgres system-deps bench bench-datastore bench-personal-data bench-reuse clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip 2> >(grep -v '^WARNING: Location' >&2)
	$(BIN)/pip install -q -c constraints.txt -e '.[test,bench]' 2> >(grep -v '^WARNING: Location' >&2)
	touch $@

run: $(BIN)/.installed
	DEREK_DATA_DIR=$(DATA_DIR) $(BIN)/derek db upgrade
	DEREK_DATA_DIR=$(DATA_DIR) $(BIN)/derek demo
	DEREK_DATA_DIR=$(DATA_DIR) $(BIN)/derek serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/system-deps.sh

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy

pytest: $(BIN)/.installed system-deps
	$(PYTEST) -n $(TEST_WORKERS) --dist loadfile -m "not serial" --durations=15
	$(PYTEST) -m serial

pytest-postgres: $(BIN)/.installed system-deps
	bash scripts/with-postgres.sh $(PYTEST) -n $(TEST_WORKERS) --dist loadfile -m "not browser and not serial and not html"
	bash scripts/with-postgres.sh $(PYTEST) -m "serial and not browser"

test: lint typecheck pytest pytest-postgres

bench: $(BIN)/.installed
	$(BIN)/python bench/search.py
	$(BIN)/python bench/datastore.py --rows $(BENCH_ROWS)
	$(BIN)/python bench/personal_data.py --cells $(BENCH_ROWS)
	$(BIN)/python bench/reuse.py

bench-datastore: $(BIN)/.installed
	$(BIN)/python bench/datastore.py --rows $(BENCH_ROWS)

bench-personal-data: $(BIN)/.installed
	$(BIN)/python bench/personal_data.py --cells $(BENCH_ROWS)

bench-reuse: $(BIN)/.installed
	$(BIN)/python bench/reuse.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
