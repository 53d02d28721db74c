"""The dbt tests can fail: corrupting staging makes the matching test report it.

A wrong amount is a publisher-style finding (warn: the build still publishes, and the finding
lands in mart_data_quality); a duplicated fact is a pipeline bug (error: the build fails and the
published warehouse keeps its previous load).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.cli import main
from dagster_project.warehouse.dbt_build import run_dbt_build
from dagster_project.warehouse.paths import WarehousePaths

from tests.conftest import RAW

SAMPLE = "004_c7edf4338a4ef304.txt"


def _line_items_file(staging: Path) -> Path:
    docs = pl.read_parquet(staging / "documents" / "*.parquet")
    doc_id = docs.filter(pl.col("source_path") == SAMPLE)["doc_id"][0]
    return staging / "line_items" / f"{doc_id}.parquet"


def _failures(outcome, test_prefix: str) -> int:
    return sum(r.get("failures") or 0 for r in outcome.results
               if r["unique_id"].split(".")[2].startswith(test_prefix))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> WarehousePaths:
    paths = WarehousePaths(tmp_path_factory.mktemp("wh") / "budget.duckdb")
    assert main(["run", "--raw-dir", str(RAW), "--warehouse", str(paths.published)]) == 0
    return paths


def test_a_wrong_amount_fails_the_identity_test(loaded, tmp_path):
    paths = WarehousePaths(tmp_path / "budget.duckdb")
    shutil.copytree(loaded.staging, paths.staging)
    baseline = run_dbt_build(paths, "baseline")
    target = _line_items_file(paths.staging)
    items = pl.read_parquet(target)
    # 2101501 行政运行 in the 支出总表: 585.64 万元 printed; make it 595.64
    wrong = (pl.col("table_kind") == "expenditure_summary") & (pl.col("code") == "2101501") \
        & (pl.col("measure") == "total")
    assert items.filter(wrong).height == 1
    items.with_columns(
        pl.when(wrong).then(pl.col("amount_yuan") + Decimal("100000")).otherwise(pl.col("amount_yuan"))
        .alias("amount_yuan")
    ).write_parquet(target)
    corrupted = run_dbt_build(paths, "corrupted")
    assert baseline.success and corrupted.success  # warn severity: publisher-style finding
    for test in ("children_sum_to_parent_int_line_items", "row_total_equals_categories_int_line_items"):
        assert _failures(corrupted, test) > _failures(baseline, test), test
    with duckdb.connect(str(paths.build_file("corrupted")), read_only=True) as con:
        rows = con.execute("""
            select q.check_name, q.location, q.expected_yuan, q.actual_yuan, q.verdict
            from marts.mart_data_quality q join marts.dim_disclosure d using (disclosure_id)
            where d.department_name = '聊城市东昌府区医疗保障局机关' and q.verdict <> 'pass'
              and q.tables_involved = ['支出总体情况表'] order by 1""").fetchall()
    assert rows == [
        ("parent code = Σ child codes", "code 21015, column 4", Decimal("5856400.00"), Decimal("5956400.00"), "fail"),
        ("row total = Σ spending categories", "row 24 2101501 行政运行", Decimal("5956400.00"),
         Decimal("5856400.00"), "fail"),
    ]

def test_a_duplicated_fact_fails_the_build_and_keeps_the_published_load(loaded):
    with duckdb.connect(str(loaded.published), read_only=True) as con:
        (before,) = con.execute("select load_id from meta.load").fetchone()
    target = _line_items_file(loaded.staging)
    items = pl.read_parquet(target)
    pl.concat([items, items.head(1)]).write_parquet(target)
    try:
        assert main(["run", "--raw-dir", str(RAW), "--warehouse", str(loaded.published), "--force"]) == 1
        with duckdb.connect(str(loaded.published), read_only=True) as con:
            assert con.execute("select load_id from meta.load").fetchone() == (before,)
    finally:
        items.write_parquet(target)


def test_a_slug_without_a_seed_row_fails_its_relationships_test(loaded, tmp_path):
    """The vocabularies live in the seeds, and relationships tests hold the models to them: a
    measure the seed `measures` does not list is an error of the build (the extraction and the
    seeds disagree), reported by the test on the column that carries it."""
    paths = WarehousePaths(tmp_path / "budget.duckdb")
    shutil.copytree(loaded.staging, paths.staging)
    target = _line_items_file(paths.staging)
    items = pl.read_parquet(target)
    unknown = (pl.col("table_kind") == "expenditure_summary") & (pl.col("code") == "2101501") \
        & (pl.col("measure") == "total")
    assert items.filter(unknown).height == 1
    items.with_columns(pl.when(unknown).then(pl.lit("bogus_measure")).otherwise(pl.col("measure"))
                       .alias("measure")).write_parquet(target)
    # the staging layer and the vocabularies it is tested against, and only the tests whose
    # parents are all built (cautious): seconds, not a whole build
    outcome = run_dbt_build(paths, "slug", ["--select", "stg_line_items stg_tables measures fund_sources table_kinds",
                                            "--indirect-selection", "cautious"])
    assert not outcome.success
    assert _failures(outcome, "relationships_stg_line_items_measure") == 1
    assert _failures(outcome, "relationships_stg_line_items_fund_source") == 0
    assert _failures(outcome, "relationships_stg_tables_table_kind") == 0
