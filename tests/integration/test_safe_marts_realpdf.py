"""The analyst marts on the twelve real Jiangsu PDFs (the warehouse fixture of
test_realpdf_warehouse.py): a naive sum per disclosure gives the hand-read headline figures of
../shared/realpdf/README.md. These reports print their all-funds spending by function at 类 only
(收支总表) and the 项 detail in 财政拨款 / 一般公共预算 tables that leave out the non-fiscal money, so
the function mart keeps the all-funds 类 rows: its 类 total is the report's 支出合计, never the
smaller 财政拨款 one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.test_realpdf import HEADLINES, _yuan
from tests.published_sample import published_jiangsu
from tests.integration.test_realpdf_warehouse import _rows


@pytest.fixture(scope="module")
def warehouse():
    return published_jiangsu()


def _sums(path, sql: str) -> dict[str, Decimal]:
    """{source path of the disclosure's tables file: the sum} for a query grouped by disclosure_id."""
    rows = _rows(path, f"""
        with sums as ({sql})
        select p.source_path, s.yuan
        from sums s join marts.dim_disclosure d using (disclosure_id), unnest(d.source_paths) as p(source_path)
        where p.source_path like '%表%'""")
    return {r["source_path"]: r["yuan"] for r in rows}


@pytest.fixture(scope="module")
def expected():
    """支出合计 (= 收入总计: no carry-over in these reports) per tables file, in yuan."""
    return {relative: _yuan(figures[0]) for relative, figures in HEADLINES.items()}


def test_function_mart_sums_to_the_total(warehouse, expected):
    sums = _sums(warehouse, """
        select disclosure_id, sum(total_yuan) as yuan from marts.mart_expenditure_by_function
        where code_level = '类' group by 1""")
    assert sums == expected
    # the 2017 政协 report has 800,000 outside 财政拨款: its scope is all funds, at 类
    scopes = _rows(warehouse, """
        select distinct fund_scope from marts.mart_expenditure_by_function
        where department_name like '%政协%' and fiscal_year = 2017""")
    assert scopes == [{"fund_scope": "all"}]


def test_revenue_mart_sums_to_the_revenue_total(warehouse, expected):
    sums = _sums(warehouse, "select disclosure_id, sum(amount_yuan) as yuan from marts.mart_revenue_by_source group by 1")
    assert sums == expected


def test_three_public_mart_sums_to_the_headline(warehouse):
    sums = _sums(warehouse, """
        select disclosure_id, sum(total_yuan) as yuan from marts.mart_three_public where is_budget_year group by 1""")
    overview = _sums(warehouse, "select disclosure_id, three_public_yuan as yuan from marts.mart_budget_overview")
    assert sums == overview
    assert sorted(sums.values()) == [Decimal(v) for v in (
        "5082000.00", "5082000.00", "5092000.00", "6601000.00", "6751000.00", "6761000.00")]


def test_operating_expense_and_procurement_are_read_from_their_tables(warehouse):
    rows = _rows(warehouse, """
        select department_key, fiscal_year, operating_expense_yuan, procurement_yuan
        from marts.mart_budget_overview order by 1, 2""")
    assert [(r["fiscal_year"], r["operating_expense_yuan"], r["procurement_yuan"]) for r in rows] == [
        (2017, Decimal("101017600.00"), Decimal("17747000.00")),   # 一般公共预算机关运行经费支出预算表 合计 as printed
        (2018, Decimal("20945800.00"), Decimal("14495000.00")),
        (2019, Decimal("22329100.00"), Decimal("14225000.00")),
        (2017, Decimal("33489800.00"), Decimal("12712200.00")),
        (2018, Decimal("11158500.00"), Decimal("12817600.00")),
        (2019, Decimal("11307400.00"), Decimal("16244200.00")),
    ]
