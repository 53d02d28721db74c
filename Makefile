# The README's two commands are `make run` and `make test`; both bootstrap .venv/ when missing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_PORT ?= 3000

.PHONY: run test test-fast bench dev docs lint lock clean

# The first run installs everything (several minutes): say so, and let pip show its progress.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || { echo "creating the virtual environment $(VENV)/ with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "installing the $$(grep -c '==' requirements.lock) locked packages of requirements.lock into $(VENV)/ (first time: several minutes)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements.lock
	@echo "installing budget-warehouse itself (editable)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

## Build the warehouse from data/raw/ (extract -> staging Parquet -> dbt -> publish).
run: $(STAMP)
	$(BIN)/budgetwh run

## The whole test suite (benchmarks stay out of it): tests/unit, tests/integration and tests/e2e,
## each test module on one pytest-xdist worker (its module fixtures, such as a whole load, are
## built once). One worker more than the cores: a worker spends part of its time waiting (for a
## `budgetwh run` subprocess, a lock, an extraction pool), and the extra one keeps the cores busy
## (BENCHMARKS.md: 447 s with 3 workers on 2 cores against 531 s with 2).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

## The pure tests (tests/unit: parsing, readers, catalogs, rules of the project), in under a minute.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

## Dagster's UI and daemon: dagster dev -h 127.0.0.1 (localhost only) -p $(DEV_PORT) (default 3000),
## with a persistent instance in .dagster_home/. dagster_project/dev.py prepares dbt's manifest
## with the venv's dbt (PATH need not have it), starts Dagster in a process group of its own and,
## on Ctrl-C or SIGTERM, stops all of it: UI, daemon, code server and any load they started.
dev: $(STAMP)
	exec $(BIN)/python -m dagster_project.dev -h 127.0.0.1 -p $(DEV_PORT)

## dbt's documentation site for the marts (after `make run`), served on localhost:8080.
docs: $(STAMP)
	mkdir -p data/warehouse/build && cp data/warehouse/budget.duckdb data/warehouse/build/docs.duckdb
	cd dbt && BUDGETWH_STAGING_DIR=../data/warehouse/staging BUDGETWH_BUILD_PATH=../data/warehouse/build/docs.duckdb \
		../$(BIN)/dbt docs generate --profiles-dir . && ../$(BIN)/dbt docs serve --profiles-dir . --host 127.0.0.1 --port 8080

## ruff over the Python, sqlfluff (dbt templater, .sqlfluff) over the dbt project's SQL. The
## templater compiles the project, which opens a DuckDB file: a throwaway one, never a warehouse.
lint: $(STAMP)
	$(BIN)/ruff check dagster_project tests benchmarks
	BUDGETWH_BUILD_PATH=$${TMPDIR:-/tmp}/budgetwh-sqlfluff.duckdb $(BIN)/sqlfluff lint dbt/models dbt/tests --disable-progress-bar --processes 0

## Re-resolve the locked dependency tree after editing pyproject.toml.
lock:
	rm -rf /tmp/budgetwh-lock && $(PYTHON) -m venv /tmp/budgetwh-lock
	/tmp/budgetwh-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/budgetwh-lock/bin/pip freeze --exclude-editable | grep -v '^pip==' > requirements.lock

clean:
	rm -rf data/warehouse/* .pytest_cache
