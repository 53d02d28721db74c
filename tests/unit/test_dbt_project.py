"""The dbt project's layout rules, checked on its files (no build, no warehouse: milliseconds).

* Every model has its YAML beside it, named as the model, declaring that model and nothing else
  (its unit tests included): a new engineer finds a model's description and tests by its name,
  and a model without its YAML fails here instead of going untested.
* Vocabularies are tested with `relationships` to the seed that holds them, never with an
  `accepted_values` list that restates the seed (and drifts from it): dagster-dbt shows a
  relationships test as an asset check of the model.
* Every relationships test points at a seed or model that exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dagster_project.warehouse.paths import DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
SEEDS = DBT_PROJECT_DIR / "seeds"
RELATIONSHIP_TESTS = ("relationships", "relationships_where")


def _yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _model_files() -> list[Path]:
    return sorted(MODELS.rglob("*.sql"))


def _tests_of(entry: dict[str, Any]) -> list[Any]:
    """The data tests of a model entry: its own and those of each column."""
    tests = list(entry.get("data_tests") or [])
    for column in entry.get("columns") or []:
        tests += list(column.get("data_tests") or [])
    return tests


def _all_tests() -> list[tuple[str, Any]]:
    found = []
    for path in sorted(MODELS.rglob("*.yml")) + sorted(SEEDS.glob("*.yml")):
        document = _yaml(path)
        for entry in (document.get("models") or []) + (document.get("seeds") or []):
            found += [(entry["name"], test) for test in _tests_of(entry)]
    return found


def test_the_project_has_its_models():
    """Guards the walk below: a moved models folder would make every other test pass vacuously."""
    names = {p.stem for p in _model_files()}
    assert {"stg_line_items", "int_line_items", "int_quality_narrative", "fct_expenditure",
            "mart_data_quality", "mart_department_year"} <= names
    assert len(names) >= 45


@pytest.mark.parametrize("sql", _model_files(), ids=lambda p: p.stem)
def test_every_model_has_its_own_yaml_beside_it(sql: Path):
    yml = sql.with_suffix(".yml")
    assert yml.exists(), f"{sql.relative_to(DBT_PROJECT_DIR)} has no {yml.name} beside it"
    document = _yaml(yml)
    assert [m["name"] for m in document.get("models") or []] == [sql.stem]
    assert {u["model"] for u in document.get("unit_tests") or []} <= {sql.stem}
    assert set(document) <= {"version", "models", "unit_tests"}, "sources and seeds have their own files"


def test_no_yaml_declares_a_model_that_is_not_beside_it():
    for yml in MODELS.rglob("*.yml"):
        for entry in _yaml(yml).get("models") or []:
            assert (yml.parent / f"{entry['name']}.sql").exists(), (yml, entry["name"])


def test_sources_are_declared_once():
    declaring = [p for p in MODELS.rglob("*.yml") if _yaml(p).get("sources")]
    assert [p.name for p in declaring] == ["__sources.yml"]


def test_no_accepted_values_list_restates_a_vocabulary():
    lists = [(name, test) for name, test in _all_tests()
             if isinstance(test, dict) and "accepted_values" in test]
    assert lists == []


def test_every_relationships_test_points_at_a_seed_or_model():
    seeds = {p.stem for p in SEEDS.glob("*.csv")} | {
        p.stem for p in (DBT_PROJECT_DIR / ".." / "dagster_project" / "catalogs").glob("*.csv")}
    models = {p.stem for p in _model_files()}
    targets = []
    for _, test in _all_tests():
        if isinstance(test, dict) and set(test) & set(RELATIONSHIP_TESTS):
            (kind,) = set(test) & set(RELATIONSHIP_TESTS)
            arguments = test[kind].get("arguments", test[kind])
            target = re.fullmatch(r"ref\('(\w+)'\)", arguments["to"])
            assert target, arguments
            targets.append(target.group(1))
    assert set(targets) - seeds - models == set()
    # the vocabularies the accepted_values lists restated are now tested against their seeds
    assert {"measures", "fund_sources", "table_kinds", "statuses", "three_public_items",
            "classifications", "labels", "code_levels", "facts"} <= set(targets)
    assert len(targets) >= 40


def test_the_narrative_check_reads_units_from_the_seed():
    """int_quality_narrative and mart_department_year join the seed `units` (which the
    extraction reads too) instead of restating 万元 = 10000 in a CASE list."""
    for model in ("intermediate/int_quality_narrative.sql", "marts/analyst/mart_department_year.sql"):
        sql = (MODELS / model).read_text(encoding="utf-8")
        assert "ref('units')" in sql, model
        assert not re.search(r"when\s+'万元'\s+then", sql), model
