"""The published warehouse: headline figures from the marts, dbt's own verdicts, and readers
(a second process, a DuckDB 1.x client) opening the published file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.warehouse.dbt_build import dbt_env, dbt_executable
from dagster_project.warehouse.paths import DBT_PROJECT_DIR, WarehousePaths

from tests.published_sample import published_sample
from tests.unit.test_headlines import HEADLINES

# Every model under dbt/models/marts/ is published, and nothing else is.
MARTS = tuple(sorted(p.stem for p in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql")))
DEPARTMENTS = {  # sample -> department as printed
    "000_6f7a8188d183d2a4.txt": "丹凤县医疗保障局",
    "001_7457e2252370b02a.txt": "漳州市医疗保障局(汇总)",
    "002_ef53abe7e74d0ed0.txt": "汾阳市医疗保障局",
    "003_9360114ddfdd9c2c.txt": "兴隆县医疗保障局本级",
    "004_c7edf4338a4ef304.txt": "聊城市东昌府区医疗保障局机关",
}


@pytest.fixture(scope="module")
def warehouse() -> Path:
    """The samples' published warehouse, shared with the other modules that only read it."""
    return published_sample()


def query(path: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def overview(path: Path, department: str) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute("select * from marts.mart_budget_overview where department_name = ?", [department])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0]))


@pytest.mark.parametrize("sample", sorted(HEADLINES))
def test_overview_gives_the_headline_figures(warehouse, sample):
    total, basic, project, three, _ = (Decimal(v) for v in HEADLINES[sample])
    row = overview(warehouse, DEPARTMENTS[sample])
    assert (row["total_expenditure_yuan"], row["basic_expenditure_yuan"], row["project_expenditure_yuan"],
            row["three_public_yuan"]) == (total, basic, project, three)
    assert row["total_revenue_yuan"] == total  # none of the samples carries money over to next year


@pytest.mark.parametrize("sample", sorted(HEADLINES))
def test_fct_expenditure_gives_2101501_administration(warehouse, sample):
    """行政运行 as an analyst asks for it: the all-funds figure, else the general-budget one
    (丹凤 publishes 2101501 only in its 一般公共预算支出表)."""
    rows = query(warehouse, """
        select e.fund_source, sum(e.amount_yuan)
        from marts.fct_expenditure e join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = ? and e.code = '2101501' and e.measure = 'total'
        group by e.fund_source""", [DEPARTMENTS[sample]])
    by_fund = dict(rows)
    assert by_fund.get("all", by_fund.get("general_budget")) == Decimal(HEADLINES[sample][4])


def test_three_public_long_form_has_both_years_of_004(warehouse):
    rows = query(warehouse, """
        select t.value_year, t.item, t.amount_yuan
        from marts.fct_three_public t join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = '聊城市东昌府区医疗保障局机关' order by 1, 2""")
    years = {y for y, _, _ in rows}
    items = {i for _, i, _ in rows}
    assert years == {2023, 2024}
    assert items == {"total", "overseas_travel", "vehicle_total", "vehicle_purchase", "vehicle_operation", "reception"}
    assert all(amount == 0 for _, _, amount in rows)


def test_three_public_items_of_001(warehouse):
    rows = dict(query(warehouse, """
        select t.item, t.amount_yuan from marts.fct_three_public t join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = '漳州市医疗保障局(汇总)' and t.value_year = 2024"""))
    assert rows == {"total": Decimal("195000.00"), "overseas_travel": Decimal("0.00"),
                    "reception": Decimal("27000.00"), "vehicle_total": Decimal("168000.00"),
                    "vehicle_purchase": Decimal("0.00"), "vehicle_operation": Decimal("168000.00")}


def test_declared_empty_three_public_is_zero_not_null(warehouse):
    """丹凤 lists its 三公 table as 空表 in the 报表目录 and prints no grid: 0, not NULL."""
    assert overview(warehouse, "丹凤县医疗保障局")["three_public_yuan"] == Decimal("0")


def test_overview_other_figures(warehouse):
    zz = overview(warehouse, "漳州市医疗保障局(汇总)")
    assert zz["carryover_yuan"] == Decimal("5520000.00")  # 上年结转结余 552.00 万元
    assert zz["fiscal_appropriation_yuan"] == Decimal("159541900.00")  # 一般公共预算 15,954.19 万元
    assert zz["reserve_yuan"] is None
    df = overview(warehouse, "丹凤县医疗保障局")
    assert (df["personnel_yuan"], df["public_admin_yuan"]) == (Decimal("3976272.00"), Decimal("128000.00"))
    assert df["fiscal_appropriation_yuan"] == Decimal("4464272.00")


def test_publisher_error_of_003_is_a_quality_finding(warehouse):
    """兴隆's 支出总表 prints 208 = 48.84 万元 in 基本支出 while its 款 add up to 53.84."""
    rows = query(warehouse, """
        select q.check_name, q.expected_yuan, q.actual_yuan, q.verdict, q.explanation
        from marts.mart_data_quality q join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = '兴隆县医疗保障局本级' and q.verdict <> 'pass'""")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("parent code = Σ child codes", Decimal("488400.00"), Decimal("538400.00"), "fail")]
    assert "code 208" in rows[0][4]
    assert overview(warehouse, "兴隆县医疗保障局本级")["n_quality_findings"] == 1


def test_quality_mart_checks_every_disclosure(warehouse):
    rows = query(warehouse, """
        select disclosure_id, count(*), count(*) filter (where check_scope = 'cross_table')
        from marts.mart_data_quality group by 1""")
    assert len(rows) == 5
    assert all(n > 40 and cross >= 3 for _, n, cross in rows)


def test_every_mart_carries_one_load_id(warehouse):
    (load_id,) = query(warehouse, "select load_id from meta.load")[0]
    for mart in MARTS:
        ids = query(warehouse, f"select distinct load_id from marts.{mart}")
        assert ids == [(load_id,)], mart


def test_marts_are_in_schema_marts_only(warehouse):
    schemas = {r[0] for r in query(warehouse, "select distinct schema_name from duckdb_tables()")}
    assert schemas == {"marts", "meta"}
    tables = {r[0] for r in query(warehouse, "select table_name from duckdb_tables() where schema_name = 'marts'")}
    assert tables == set(MARTS)


def test_amounts_are_exact_decimals(warehouse):
    types = dict(query(warehouse, """
        select column_name, data_type from duckdb_columns()
        where schema_name = 'marts' and table_name = 'fct_expenditure'"""))
    assert types["amount_yuan"] == "DECIMAL(18,2)"


READER = textwrap.dedent("""
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    out = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in sys.argv[2:]}
    out["_version"] = duckdb.__version__
    print(json.dumps(out))
""")


def test_second_process_reads_every_mart(warehouse):
    proc = subprocess.run([sys.executable, "-c", READER, str(warehouse), *MARTS],
                          capture_output=True, text=True, check=True)
    counts = json.loads(proc.stdout)
    assert counts["_version"].startswith("2.") and counts["mart_budget_overview"] == 5
    assert all(counts[m] > 0 for m in MARTS)


def test_duckdb_1x_client_reads_the_published_file(warehouse, tmp_path):
    """BI drivers bundle older DuckDB: a DuckDB 1.0 client, installed into a throwaway virtual
    environment from the package registry, opens the published file and reads every mart."""
    venv = tmp_path / "duckdb1"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                    "duckdb==1.0.0"], check=True)
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", READER, str(warehouse), *MARTS],
                          capture_output=True, text=True, check=True)
    counts = json.loads(proc.stdout)
    assert counts["_version"] == "1.0.0"
    assert counts["mart_budget_overview"] == 5 and all(counts[m] > 0 for m in MARTS)


def test_dbt_docs_generate_works(warehouse, tmp_path):
    """Every mart and column is described in YAML; the docs site builds from the real build file."""
    copy = tmp_path / "docs.duckdb"  # dbt opens its target for writing: never the published file
    shutil.copy(warehouse, copy)
    env = {**os.environ, **dbt_env(WarehousePaths(warehouse), "docs"), "BUDGETWH_BUILD_PATH": str(copy),
           "DBT_LOG_PATH": str(tmp_path)}
    subprocess.run([dbt_executable(), "docs", "generate", "--project-dir", str(DBT_PROJECT_DIR),
                    "--target-path", str(tmp_path / "target")], env=env, check=True, capture_output=True,
                   cwd=DBT_PROJECT_DIR)
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert {n["name"] for n in marts} == set(MARTS)
    undocumented = [(n["name"], c) for n in marts for c in catalog["nodes"][n["unique_id"]]["columns"]
                    if not n["columns"].get(c.lower(), {}).get("description")]
    assert undocumented == []


def test_a_load_reuses_dbt_s_parse_of_the_project(warehouse):
    """A new warehouse's first load starts from the parse `ensure_dbt_manifest` made: dbt says
    nothing of starting over (it does when the rendered profile differs, e.g. from a parse
    state another dbt user of dbt/target wrote, such as sqlfluff's templater in `make lint`)."""
    log = (warehouse.parent / "build" / "last-load.log").read_text(encoding="utf-8")
    assert "Running with dbt" in log and "Found " in log
    assert "Unable to do partial parsing" not in log
