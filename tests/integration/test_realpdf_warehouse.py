"""The twelve real Jiangsu PDFs through the whole pipeline: the headline figures of
../shared/realpdf/README.md come out of marts.mart_budget_overview, and the twelve files make six
disclosures (a narrative file and a tables file each) of two departments over three years."""

from __future__ import annotations

import duckdb
import pytest

from tests.published_sample import published_jiangsu
from tests.integration.test_realpdf import HEADLINES, SW, ZX, _yuan


@pytest.fixture(scope="module")
def warehouse():
    return published_jiangsu()


def _rows(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def test_twelve_files_make_six_disclosures_of_two_departments(warehouse):
    rows = _rows(warehouse, """
        select department_key, fiscal_year, n_documents, source_paths from marts.dim_disclosure
        order by department_key, fiscal_year""")
    assert [(r["department_key"], r["fiscal_year"], r["n_documents"]) for r in rows] == [
        ("中共江苏省委办公厅", 2017, 2), ("中共江苏省委办公厅", 2018, 2), ("中共江苏省委办公厅", 2019, 2),
        ("江苏省政协办公厅", 2017, 2), ("江苏省政协办公厅", 2018, 2), ("江苏省政协办公厅", 2019, 2),
    ]
    departments = _rows(warehouse, "select department_key, names_seen from marts.dim_department order by 1")
    assert len(departments) == 2
    assert {"中国共产党江苏省委员会办公厅", "中共江苏省委办公厅"} <= set(departments[0]["names_seen"])


@pytest.mark.parametrize("relative", sorted(HEADLINES))
def test_overview_gives_the_readme_figures(warehouse, relative):
    total, basic, project, reserve, appropriation = (_yuan(v) for v in HEADLINES[relative])
    (row,) = _rows(warehouse, """
        select o.* from marts.mart_budget_overview o
        where list_contains(o.doc_ids, (select doc_id from marts.dim_document where source_path = ?))""",
                   [relative])
    assert (row["total_expenditure_yuan"], row["basic_expenditure_yuan"], row["project_expenditure_yuan"],
            row["reserve_yuan"], row["fiscal_appropriation_yuan"]) == (total, basic, project, reserve, appropriation)
    assert row["basic_expenditure_yuan"] + row["project_expenditure_yuan"] + row["reserve_yuan"] == total


def test_facts_are_counted_once_per_disclosure(warehouse):
    """The narrative file adds statements, never facts: every fact comes from the tables file."""
    rows = _rows(warehouse, """
        select d.source_path, count(e.expenditure_id) as facts
        from marts.dim_document d left join marts.fct_expenditure e using (doc_id)
        group by 1 order by 1""")
    assert all((r["facts"] > 0) == ("表" in r["source_path"]) for r in rows), rows


def test_narrative_statements_are_reconciled_with_the_tables(warehouse):
    """Each narrative file restates its totals; all six agree with their tables file."""
    rows = _rows(warehouse, """
        select d.department_key, d.fiscal_year, count(*) as checks,
               count(*) filter (where q.verdict <> 'pass') as findings,
               count(*) filter (where q.check_name = 'narrative total_expenditure = tables') as totals
        from marts.mart_data_quality q join marts.dim_disclosure d using (disclosure_id)
        where q.check_scope = 'narrative' group by all order by 1, 2""")
    assert len(rows) == 6
    assert all(r["checks"] >= 20 and r["totals"] >= 2 and r["findings"] == 0 for r in rows), rows


# "三公"经费、会议费、培训费支出预算表, read by hand (万元): the table's 合计 includes 会议费 and 培训费;
# the 三公 figure is its "三公"经费小计.
THREE_PUBLIC = {
    # 江苏省委办公厅2017年预算公开表格.pdf p.11: 合计 1,467.70 | 小计 509.20 | 出国 70.00 | 车 411.20
    # (运行 411.20) | 接待 28.00 | 会议费 933.50 | 培训费 25.00
    (SW, "中共江苏省委办公厅", 2017): {"total": "509.20", "overseas_travel": "70.00", "vehicle_total": "411.20",
                                  "vehicle_operation": "411.20", "reception": "28.00"},
    # 江苏省政协办公厅2019年预算公开表.pdf p.9: 合计 2,224.43 | 小计 660.10 | 出国 106.00 | 车 156.60
    # (运行 156.60) | 接待 397.50 | 会议费 1,282.56 | 培训费 281.77
    (ZX, "江苏省政协办公厅", 2019): {"total": "660.10", "overseas_travel": "106.00", "vehicle_total": "156.60",
                                "vehicle_operation": "156.60", "reception": "397.50"},
}


@pytest.mark.parametrize("key", sorted(THREE_PUBLIC))
def test_three_public_is_the_subtotal_not_the_table_total(warehouse, key):
    _, department, year = key
    rows = _rows(warehouse, """
        select t.item, t.amount_yuan from marts.fct_three_public t join marts.dim_disclosure d using (disclosure_id)
        where d.department_key = ? and d.fiscal_year = ? and t.value_year = ?""", [department, year, year])
    got = {r["item"]: r["amount_yuan"] for r in rows}
    assert {k: got.get(k) for k in THREE_PUBLIC[key]} == {k: _yuan(v) for k, v in THREE_PUBLIC[key].items()}
    (overview,) = _rows(warehouse, """select three_public_yuan from marts.mart_budget_overview
                                      where department_key = ? and fiscal_year = ?""", [department, year])
    assert overview["three_public_yuan"] == _yuan(THREE_PUBLIC[key]["total"])
