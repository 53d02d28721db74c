"""Layout generality on real publications.

The Jiangsu PDFs in ../shared/realpdf are turned into text at test time the way pdfplumber
prints a page with `extract_text(layout=True)` (space-aligned columns, as `pdftotext -layout`
prints them; pages joined with form feeds), and go through the normal pipeline as text. They
must give the headline figures read by hand in ../shared/realpdf/README.md, the department
and year of each report, and every amount printed in their tables.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import pdfplumber
import pytest

from dagster_project.parsing.classify import BUDGET_KINDS
from dagster_project.parsing.extract import Extraction, extract_document

from tests.integration.test_realpdf import HEADLINES, JIANGSU, SW, ZX

# department name as printed, its key, fiscal year
DEPARTMENTS = {
    f"{ZX}/2017年度部门预算公开表.pdf": (ZX, ZX, 2017),
    f"{ZX}/江苏省政协办公厅2018度部门预算公开表.pdf": (ZX, ZX, 2018),
    f"{ZX}/江苏省政协办公厅2019年预算公开表.pdf": (ZX, ZX, 2019),
    f"{SW}/江苏省委办公厅2017年预算公开表格.pdf": ("中国共产党江苏省委员会办公厅", "中共江苏省委办公厅", 2017),
    f"{SW}/江苏省委办公厅2018年度部门预算公开表.pdf": ("中共江苏省委办公厅", "中共江苏省委办公厅", 2018),
    f"{SW}/江苏省委办公厅2019年度部门预算公开表格.pdf": ("中共江苏省委办公厅", "中共江苏省委办公厅", 2019),
}
# the narrative half of each disclosure, and the year its text talks about
NARRATIVES = {
    f"{ZX}/江苏省政协办公厅2017年度部门预算.pdf": 2017,
    f"{ZX}/江苏省政协办公厅2018年度部门预算.pdf": 2018,
    f"{ZX}/江苏省政协办公厅2019年度部门预算.pdf": 2019,
    f"{SW}/江苏省委办公厅2017年部门预算.pdf": 2017,
    f"{SW}/江苏省委办公厅2018年度部门预算公开文件.pdf": 2018,
    f"{SW}/江苏省委办公厅2019年度部门预算公开文件.pdf": 2019,
}
TABLE_KINDS = {
    "budget_summary", "revenue_summary", "expenditure_summary", "fiscal_appropriation_summary",
    "general_budget_expenditure", "basic_expenditure", "three_public", "gov_fund",
    "operating_expense", "procurement",
}
AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)$")


@cache
def layout_dump(relative: str) -> str:
    with pdfplumber.open(JIANGSU / relative) as pdf:
        return "\f".join(page.extract_text(layout=True) or "" for page in pdf.pages)


@cache
def extraction(relative: str) -> Extraction:
    return extract_document(layout_dump(relative).encode("utf-8"), relative)


def _yuan(values: list) -> list[Decimal]:
    return [v.amount_yuan for v in values]


@pytest.mark.parametrize("relative", sorted(HEADLINES))
def test_headline_figures_of_the_budget_summary(relative):
    ex = extraction(relative)
    (summary,) = [t for t in ex.tables if t.kind == "budget_summary"]
    items = summary.line_items
    total, basic, project, reserve, appropriation = (
        Decimal(v.replace(",", "")) * 10000 for v in HEADLINES[relative])  # 万元 -> yuan
    # 收入合计 and 支出合计: the table's total rows, both the total of the year's budget
    totals = [li for li in items if li.code is None and re.search(r"合计|总计", li.row_label)]
    assert [li.row_label for li in totals] == ["收入合计", "支出合计"]
    assert set(_yuan(totals)) == {total}
    assert _yuan([li for li in items if li.measure == "basic"]) == [basic]
    assert _yuan([li for li in items if li.measure == "project"]) == [project]
    assert _yuan([li for li in items if li.measure == "reserve"]) == [reserve]
    assert _yuan([li for li in items if li.fund_source == "fiscal_appropriation"]) == [appropriation]
    assert basic + project + reserve == total


@pytest.mark.parametrize("relative", sorted(DEPARTMENTS))
def test_department_year_and_status(relative):
    doc = extraction(relative).document
    assert (doc.department_name, doc.department_key, doc.fiscal_year) == DEPARTMENTS[relative]
    assert (doc.status, doc.status_reason, doc.region_province) == ("ok", None, "江苏省")


def test_one_department_across_its_names():
    """中国共产党江苏省委员会办公厅 (2017) and 中共江苏省委办公厅 (2018, 2019): one key, three years."""
    docs = [extraction(r).document for r in sorted(DEPARTMENTS) if r.startswith(SW)]
    assert {d.department_key for d in docs} == {"中共江苏省委办公厅"}
    assert len({d.disclosure_id for d in docs}) == 3


@pytest.mark.parametrize("relative", sorted(HEADLINES))
def test_every_amount_printed_is_a_line_item(relative):
    """An independent scan: every number with decimals or thousands separators in the dump
    (these files hold nothing but tables) is a line item of the line it is printed on."""
    lines = layout_dump(relative).split("\n")
    ex = extraction(relative)
    printed = sorted((n, tok) for n, line in enumerate(lines, start=1) for tok in line.split() if AMOUNT.match(tok))
    read = sorted((li.source_line, li.raw_text) for li in ex.line_items if AMOUNT.match(li.raw_text))
    assert ex.unparsed == []
    assert read == printed
    for table in (t for t in ex.tables if t.kind in BUDGET_KINDS):
        scanned = sum(1 for line in lines[table.line_from - 1 : table.line_to] for tok in line.split() if AMOUNT.match(tok))
        assert scanned == len(table.line_items), table.title


@pytest.mark.parametrize("relative", sorted(HEADLINES))
def test_the_twelve_tables_are_classified(relative):
    ex = extraction(relative)
    assert TABLE_KINDS <= {t.kind for t in ex.tables}
    (fund,) = [t for t in ex.tables if t.kind == "gov_fund"]
    assert fund.line_items == []
    # every file but one prints why its 政府性基金 table is empty
    assert fund.declared_empty == (relative != f"{SW}/江苏省委办公厅2017年预算公开表格.pdf")


@pytest.mark.parametrize("relative", sorted(HEADLINES))
def test_three_public_items_add_up(relative):
    """出国 + 车 + 接待 = the 三公 subtotal; 车 = 购置 + 运行 (no 购置 printed in these years)."""
    (table,) = [t for t in extraction(relative).tables if t.kind == "three_public"]
    by_item: dict[str, list[Decimal]] = {}
    for li in table.line_items:
        by_item.setdefault(li.code or "", []).append(li.amount_yuan)
    (overseas,), (vehicle,), (operation,), (reception,) = (
        by_item[k] for k in ("overseas_travel", "vehicle_total", "vehicle_operation", "reception"))
    assert vehicle == operation
    assert overseas + vehicle + reception == min(by_item["total"])
    assert len(by_item["total"]) == 2  # 合计 (with 会议费 and 培训费) and the 三公 小计


def test_three_public_of_one_report():
    (table,) = [t for t in extraction(f"{ZX}/江苏省政协办公厅2019年预算公开表.pdf").tables if t.kind == "three_public"]
    facts = sorted((li.code or "", li.amount_yuan) for li in table.line_items)
    assert facts == sorted([
        ("total", Decimal("22244300.00")), ("total", Decimal("6601000.00")),
        ("overseas_travel", Decimal("1060000.00")), ("vehicle_total", Decimal("1566000.00")),
        ("vehicle_operation", Decimal("1566000.00")), ("reception", Decimal("3975000.00")),
        ("", Decimal("12825600.00")), ("", Decimal("2817700.00")),  # 会议费, 培训费
    ])


@pytest.mark.parametrize("relative", sorted(NARRATIVES))
def test_narrative_documents_hold_no_budget_tables(relative):
    """Running text, justified with wide gaps around its numbers, is never read as a table."""
    ex = extraction(relative)
    # a disclosure's narrative file: loaded for its stated amounts, with no table of its own
    assert ex.document.status == "ok" and any(n.startswith("narrative only") for n in ex.document.notes)
    assert not [t for t in ex.tables if t.kind not in ("other", "table_index")]
    assert ex.line_items == [] and ex.unparsed == [] and len(ex.narrative) > 20
    assert ex.document.fiscal_year == NARRATIVES[relative]
