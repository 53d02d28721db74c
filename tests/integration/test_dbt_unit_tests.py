"""dbt's unit tests (the `unit_tests:` of the model YAML), run here rather than in every load.

They check a model's SQL against rows written in the YAML, so they say nothing new about a
load's data; a load leaves them out (`dbt_build.LOAD_EXCLUDES`), as dbt's documentation advises
for production builds, and this module runs every one of them. dbt needs the models' parents to
exist for their column types: an `--empty` build of the seeds and models over the samples'
staging makes them, with no rows, in seconds."""

from __future__ import annotations

import json

import pytest

from dagster_project.warehouse.dbt_build import DBT_PROJECT_DIR, run_dbt_build
from dagster_project.warehouse.paths import WarehousePaths


def unit_tests_of_the_project() -> set[str]:
    """Every unit test in dbt's manifest (made current by tests/conftest.py)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    return set(manifest["unit_tests"])


@pytest.fixture(scope="module")
def outcome(staging):
    paths = WarehousePaths(staging.parent / "budget.duckdb")
    return run_dbt_build(paths, "unit-tests", ["--empty", "--exclude-resource-type", "test"])


def test_every_unit_test_passes(outcome):
    assert outcome.success, outcome.log_tail
    ran = {r["unique_id"]: r["status"] for r in outcome.results if r["unique_id"].startswith("unit_test.")}
    assert set(ran) == unit_tests_of_the_project() and len(ran) >= 4
    assert set(ran.values()) == {"pass"}, ran
