# The README's two commands are `make run` and `make test`; both bootstrap .venv/ when missing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench dev docs lint lock clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

## Build the warehouse from data/raw/ (extract -> staging Parquet -> dbt -> publish).
run: $(STAMP)
	$(BIN)/budgetwh run

## The whole test suite (benchmarks stay out of it).
test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

## Dagster's UI on localhost only, with a persistent instance in .dagster_home/.
dev: $(STAMP)
	mkdir -p .dagster_home
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -h 127.0.0.1 -p 3000 -m dagster_project.definitions

## dbt's documentation site for the marts (after `make run`), served on localhost:8080.
docs: $(STAMP)
	mkdir -p data/warehouse/build && cp data/warehouse/budget.duckdb data/warehouse/build/docs.duckdb
	cd dbt && BUDGETWH_STAGING_DIR=../data/warehouse/staging BUDGETWH_BUILD_PATH=../data/warehouse/build/docs.duckdb \
		../$(BIN)/dbt docs generate --profiles-dir . && ../$(BIN)/dbt docs serve --profiles-dir . --host 127.0.0.1 --port 8080

lint: $(STAMP)
	$(BIN)/ruff check dagster_project tests benchmarks

## Re-resolve the locked dependency tree after editing pyproject.toml.
lock:
	rm -rf /tmp/budgetwh-lock && $(PYTHON) -m venv /tmp/budgetwh-lock
	/tmp/budgetwh-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/budgetwh-lock/bin/pip freeze --exclude-editable | grep -v '^pip==' > requirements.lock

clean:
	rm -rf data/warehouse/* .pytest_cache
