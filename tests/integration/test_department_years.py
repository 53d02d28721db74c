"""Departments across years: the twelve real Jiangsu PDFs (two provincial departments, 2017–2019)
through the whole pipeline. 省委办公厅 prints itself 中国共产党江苏省委员会办公厅 in 2017 and
中共江苏省委办公厅 from 2018: one department_key for both names, its name history kept, and
marts.mart_department_year giving each year's headline figures with the change on the year
before (figures of ../shared/realpdf/README.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.published_sample import published_jiangsu
from tests.integration.test_realpdf_warehouse import _rows

SW, ZX = "中共江苏省委办公厅", "江苏省政协办公厅"


@pytest.fixture(scope="module")
def warehouse():
    return published_jiangsu()


def test_one_key_for_both_names_over_three_years(warehouse):
    rows = _rows(warehouse, """
        select department_key, names_seen, name_history, first_fiscal_year, last_fiscal_year, n_disclosures
        from marts.dim_department order by department_key""")
    assert [r["department_key"] for r in rows] == [SW, ZX]
    sw = rows[0]
    assert {"中国共产党江苏省委员会办公厅", "中共江苏省委办公厅"} <= set(sw["names_seen"])
    assert (sw["first_fiscal_year"], sw["last_fiscal_year"], sw["n_disclosures"]) == (2017, 2019, 3)
    by_year = {}
    for entry in sw["name_history"]:
        by_year.setdefault(entry["fiscal_year"], set()).add(entry["department_name"])
    assert sorted(by_year) == [2017, 2018, 2019]
    assert "中国共产党江苏省委员会办公厅" in by_year[2017] and "中共江苏省委办公厅" in by_year[2019]
    years = _rows(warehouse, """
        select fiscal_year, count(distinct department_key) as keys from marts.dim_disclosure
        where department_key = ? group by 1 order by 1""", [SW])
    assert [(r["fiscal_year"], r["keys"]) for r in years] == [(2017, 1), (2018, 1), (2019, 1)]


def test_mart_department_year_gives_each_year_and_its_change(warehouse):
    rows = _rows(warehouse, """
        select department_key, fiscal_year, total_expenditure_yuan, basic_expenditure_yuan,
               project_expenditure_yuan, reserve_yuan, previous_fiscal_year,
               total_expenditure_change_yuan, total_expenditure_change_pct, project_expenditure_change_yuan
        from marts.mart_department_year order by department_key, fiscal_year""")
    assert [(r["department_key"], r["fiscal_year"]) for r in rows] == [
        (SW, 2017), (SW, 2018), (SW, 2019), (ZX, 2017), (ZX, 2018), (ZX, 2019)]
    first, second = rows[0], rows[1]
    # the 2017 report's name is the long one, 2018's the short one: the years still chain
    assert (first["total_expenditure_yuan"], first["previous_fiscal_year"], first["total_expenditure_change_yuan"]) == (
        Decimal("208494500.00"), None, None)
    assert (second["total_expenditure_yuan"], second["basic_expenditure_yuan"], second["project_expenditure_yuan"],
            second["reserve_yuan"]) == (
        Decimal("244584300.00"), Decimal("104031100.00"), Decimal("120814600.00"), Decimal("19738600.00"))
    assert (second["previous_fiscal_year"], second["total_expenditure_change_yuan"],
            second["total_expenditure_change_pct"], second["project_expenditure_change_yuan"]) == (
        2017, Decimal("36089800.00"), Decimal("17.31"), Decimal("13928000.00"))
    zx_2019 = rows[5]
    assert (zx_2019["total_expenditure_yuan"], zx_2019["total_expenditure_change_yuan"],
            zx_2019["total_expenditure_change_pct"]) == (
        Decimal("133771100.00"), Decimal("32266300.00"), Decimal("31.79"))


def test_no_jiangsu_report_prints_a_published_date(warehouse):
    """Neither department prints a publication date on its covers or signatures."""
    rows = _rows(warehouse, "select published_date from marts.dim_disclosure")
    assert len(rows) == 6 and {r["published_date"] for r in rows} == {None}


def test_the_narratives_own_change_agrees_with_the_previous_year(warehouse):
    """Each narrative states its change on the year before (委办 2018: 与上年相比收、支预算总计各增加
    3,608.98 万元): the mart keeps it and checks it against the two loaded years."""
    rows = _rows(warehouse, """
        select department_key, fiscal_year, printed_change_yuan, printed_change_agrees
        from marts.mart_department_year order by department_key, fiscal_year""")
    assert [(r["department_key"], r["fiscal_year"], r["printed_change_yuan"], r["printed_change_agrees"])
            for r in rows] == [
        (SW, 2017, Decimal("20435800.00"), None),  # no 2016 report loaded to check against
        (SW, 2018, Decimal("36089800.00"), True),
        (SW, 2019, Decimal("32057900.00"), True),
        (ZX, 2017, Decimal("4987200.00"), None),
        (ZX, 2018, Decimal("10036900.00"), True),
        (ZX, 2019, Decimal("32266300.00"), True),
    ]
