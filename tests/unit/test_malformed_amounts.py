"""Malformed amounts are reported, never dropped and never guessed (issue 15, group 8).

A budget table whose amount cells cannot be read ('1e400', 'NaN', 'Infinity', '1.234,56',
'60亿元', '1,2,3', '60 00' …) keeps its kind and its amount columns (known from the header and
the column's place, not only from values that parse), and every such cell is an unparsed cell
with its reason: the document is `partial`, the other tables are untouched. Placeholders (—, -,
/, *, 0) stay what they were. Digits separated by a blank are not joined ('60 00' is not 6000).
Each case runs through the public extraction path on a small text report modelled on the
samples in data/raw (tab-separated grids under a title and a 单位：万元 caption).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dagster_project.parsing.cells import amount_problem, parse_amount, why_not_amount
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.aligned import chunks

DEPT = "石门县林业局"
YEAR = 2024


def report(general: list[str] | None = None, summary: tuple[str, str] = ("100.00", "100.00"),
           three: tuple[str, str, str, str] = ("3.00", "0.00", "2.00", "1.00")) -> str:
    """A small complete report in 万元: 收支预算总表 (labels, no codes), 一般公共预算支出表 (codes),
    三公 table. `general` replaces the seven amount cells of the spending table, in reading
    order: 行政运行 合计|基本, 一般行政管理事务 合计|项目, 合计 合计|基本|项目."""
    g = general or ["60.00", "60.00", "40.00", "40.00", "100.00", "60.00", "40.00"]
    income, spending = summary
    lines = [
        f"{DEPT}{YEAR}年部门预算公开", "", "第一部分 部门概况", f"{DEPT}负责本级林业工作。", "",
        "表一", f"{DEPT}{YEAR}年收支预算总表", "单位：万元",
        "项目\t预算数\t项目\t预算数",
        f"一、一般公共预算拨款收入\t{income}\t一、农林水支出\t{spending}",
        f"收入总计\t{income}\t支出总计\t{spending}", "",
        "表二", f"{DEPT}{YEAR}年一般公共预算支出表", "单位：万元",
        "科目编码\t科目名称\t合计\t基本支出\t项目支出",
        f"2130101\t行政运行\t{g[0]}\t{g[1]}\t",
        f"2130102\t一般行政管理事务\t{g[2]}\t\t{g[3]}",
        f"合计\t\t{g[4]}\t{g[5]}\t{g[6]}", "",
        "表三", f"{DEPT}{YEAR}年一般公共预算“三公”经费支出预算表", "单位：万元",
        f"项目\t{YEAR}年预算数", f"合计\t{three[0]}", f"因公出国（境）费\t{three[1]}",
        f"公务用车购置及运行费\t{three[2]}", f"公务接待费\t{three[3]}", "",
    ]
    return "\n".join(lines) + "\n"


def extract(text: str):
    return extract_document(text.encode("utf-8"), "report.txt")


def line_of(text: str, start: str) -> int:
    """1-based line number of the report line starting with `start`."""
    return next(i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


def table(extraction, kind: str):
    return next(t for t in extraction.tables if t.kind == kind)


def items(t) -> list[tuple]:
    return [(li.source_row, li.source_col, li.code, li.measure, li.amount_yuan) for li in t.line_items]


def unparsed(t) -> list[tuple]:
    return [(u.source_row, u.source_col, u.source_line, u.raw_text, u.reason) for u in t.unparsed]


CLEAN = extract(report())

MALFORMED = [
    ("1e400", "scientific notation"),
    ("1E+5", "scientific notation"),
    ("NaN", "not a number (NaN or infinity)"),
    ("Infinity", "not a number (NaN or infinity)"),
    ("-inf", "not a number (NaN or infinity)"),
    ("1.234,56", "European separators ('.' for thousands, ',' for decimals)"),
    ("12,5", "a comma before the last digits: decimal comma or misplaced separator"),
    ("60亿元", "amount printed with a unit word (亿元)"),
    ("1,2,3", "misplaced thousands separators"),
    ("60 00", "digits separated by a blank ('60 00'): one number or two, not read as 6000"),
    ("¥60.00", "amount printed with a currency sign"),
]


def test_the_clean_report_reads():
    assert CLEAN.document.status == "ok" and not CLEAN.unparsed
    assert [t.kind for t in CLEAN.tables] == ["budget_summary", "general_budget_expenditure", "three_public"]
    assert len(table(CLEAN, "general_budget_expenditure").line_items) == 7


@pytest.mark.parametrize(("bad", "reason"), MALFORMED)
def test_a_spending_table_of_malformed_amounts_is_reported_cell_by_cell(bad, reason):
    text = report(general=[bad] * 7)
    ex = extract(text)
    assert (ex.document.status, ex.document.status_reason) == (
        "partial", "7 numeric cells could not be interpreted")
    spending = table(ex, "general_budget_expenditure")
    assert spending.title == f"{DEPT}{YEAR}年一般公共预算支出表"
    assert spending.columns == ["code:科目编码", "label:科目名称", "amount:合计", "amount:基本支出",
                                "amount:项目支出"]
    assert spending.line_items == []
    why = f"malformed amount: {reason}"
    admin, project, total = (line_of(text, "2130101"), line_of(text, "2130102"), line_of(text, "合计\t\t"))
    assert unparsed(spending) == [
        (1, 2, admin, bad, why), (1, 3, admin, bad, why),
        (2, 2, project, bad, why), (2, 4, project, bad, why),
        (3, 2, total, bad, why), (3, 3, total, bad, why), (3, 4, total, bad, why),
    ]
    # the other tables of the document are read exactly as in the clean report
    for kind in ("budget_summary", "three_public"):
        assert items(table(ex, kind)) == items(table(CLEAN, kind)) and not table(ex, kind).unparsed
    assert all(isinstance(li.amount, Decimal) and li.amount.is_finite() for li in ex.line_items)


@pytest.mark.parametrize(("bad", "reason"), MALFORMED)
def test_a_summary_table_without_codes_keeps_its_amount_columns(bad, reason):
    """No code and no readable amount in any row: the rows are still data, not header."""
    text = report(summary=(bad, bad))
    ex = extract(text)
    assert (ex.document.status, ex.document.status_reason) == (
        "partial", "4 numeric cells could not be interpreted")
    summary = table(ex, "budget_summary")
    assert summary.header_rows == 1
    assert summary.columns == ["label:项目", "amount:预算数", "label:项目", "amount:预算数"]
    assert summary.line_items == []
    why = f"malformed amount: {reason}"
    first, last = line_of(text, "一、一般公共预算拨款收入"), line_of(text, "收入总计")
    assert unparsed(summary) == [(1, 1, first, bad, why), (1, 3, first, bad, why),
                                 (2, 1, last, bad, why), (2, 3, last, bad, why)]
    for kind in ("general_budget_expenditure", "three_public"):
        assert items(table(ex, kind)) == items(table(CLEAN, kind)) and not table(ex, kind).unparsed


def test_a_three_public_table_of_malformed_amounts_keeps_its_kind():
    text = report(three=("NaN", "1e400", "60亿元", "1.234,56"))
    ex = extract(text)
    assert ex.document.status == "partial"
    three = table(ex, "three_public")
    assert three.line_items == [] and three.columns == ["label:项目", f"amount:{YEAR}年预算数"]
    assert [(u.source_row, u.raw_text, u.reason) for u in three.unparsed] == [
        (1, "NaN", "malformed amount: not a number (NaN or infinity)"),
        (2, "1e400", "malformed amount: scientific notation"),
        (3, "60亿元", "malformed amount: amount printed with a unit word (亿元)"),
        (4, "1.234,56", "malformed amount: European separators ('.' for thousands, ',' for decimals)"),
    ]
    assert items(table(ex, "general_budget_expenditure")) == items(table(CLEAN, "general_budget_expenditure"))


def test_space_inside_digits_is_not_joined():
    """'60 00' beside readable amounts: reported, and no 6000 (nor 60,000,000 yuan) anywhere."""
    text = report(general=["60.00", "60 00", "40.00", "40.00", "100.00", "60.00", "40.00"])
    ex = extract(text)
    assert (ex.document.status, ex.document.status_reason) == (
        "partial", "1 numeric cells could not be interpreted")
    spending = table(ex, "general_budget_expenditure")
    assert unparsed(spending) == [(1, 3, line_of(text, "2130101"), "60 00",
                                   "malformed amount: digits separated by a blank ('60 00'): "
                                   "one number or two, not read as 6000")]
    assert len(spending.line_items) == 6
    assert not [li for li in ex.line_items if li.amount in (Decimal(6000), Decimal(600000))]
    assert [li.amount_yuan for li in spending.line_items if (li.source_row, li.source_col) == (1, 2)] == [
        Decimal("600000.00")]


def test_a_unit_word_is_not_taken_for_the_end_of_a_label():
    """'60亿元' beside a label once read as 60 万元 with '亿元' glued to the label: it is an
    amount in another unit, reported, and the label stays as printed."""
    text = report(general=["60亿元", "60.00", "40.00", "40.00", "100.00", "60.00", "40.00"])
    ex = extract(text)
    spending = table(ex, "general_budget_expenditure")
    assert [(u.source_row, u.source_col, u.raw_text) for u in spending.unparsed] == [(1, 2, "60亿元")]
    assert {li.row_label for li in spending.line_items if li.source_row == 1} == {"行政运行"}


@pytest.mark.parametrize("placeholder", ["—", "-", "/", "*"])
def test_placeholders_stay_nothing(placeholder):
    """A spending table printing only placeholders has no amounts and no unparsed cells."""
    ex = extract(report(general=[placeholder] * 7))
    assert (ex.document.status, ex.document.status_reason) == ("ok", None)
    spending = table(ex, "general_budget_expenditure")
    assert spending.kind == "general_budget_expenditure" and not spending.unparsed
    assert spending.line_items == []


def test_zeros_are_amounts():
    ex = extract(report(general=["0"] * 7))
    assert ex.document.status == "ok" and not ex.unparsed
    assert {li.amount_yuan for li in table(ex, "general_budget_expenditure").line_items} == {Decimal("0.00")}


def test_placeholders_and_malformed_cells_together():
    text = report(general=["—", "-", "/", "*", "0", "NaN", "1,2,3"])
    ex = extract(text)
    spending = table(ex, "general_budget_expenditure")
    assert [(u.source_row, u.source_col, u.raw_text) for u in spending.unparsed] == [
        (3, 3, "NaN"), (3, 4, "1,2,3")]
    assert [(li.source_row, li.source_col, li.amount_yuan) for li in spending.line_items] == [
        (3, 2, Decimal("0.00"))]
    assert ex.document.status_reason == "2 numeric cells could not be interpreted"


def test_every_table_malformed_is_quarantined_with_the_count():
    ex = extract(report(general=["NaN"] * 7, summary=("1e400", "1e400"), three=("Infinity",) * 4))
    assert ex.document.status == "quarantined"
    assert ex.document.status_reason == (
        "budget tables found but no amounts could be read: 15 numeric cells could not be interpreted")
    assert [t.kind for t in ex.tables] == ["budget_summary", "general_budget_expenditure", "three_public"]


def test_text_columns_of_dates_and_identifiers_stay_text():
    """Only cells that try to print an amount count as malformed amounts: dates, identifiers
    and section numbers in a project table's text columns are not reported."""
    text = report() + "\n".join([
        "表四", f"{DEPT}{YEAR}年项目支出预算表", "单位：万元",
        "项目编号\t项目名称\t开始日期\t金额",
        "130822240000000001\t森林防火\t2024.01.01\t40.00",
        "合计\t\t\t40.00", "",
    ]) + "\n"
    ex = extract(text)
    assert ex.document.status == "ok" and not ex.unparsed
    project = table(ex, "project_expenditure")
    assert [(li.source_row, li.amount_yuan) for li in project.line_items] == [
        (1, Decimal("400000.00")), (2, Decimal("400000.00"))]


# -- the cell rules ----------------------------------------------------------------------------

@pytest.mark.parametrize(("bad", "reason"), MALFORMED)
def test_malformed_cells_never_read_and_say_why(bad, reason):
    assert parse_amount(bad) is None
    assert amount_problem(bad) == reason == why_not_amount(bad)


@pytest.mark.parametrize("text", ["1 234.56", "１２ ３４", "60\u300000", "60\u00a000", "(1 000)", "60 00万元"])
def test_digits_across_a_blank_are_never_joined(text):
    assert parse_amount(text) is None
    assert amount_problem(text).startswith("digits separated by a blank")


@pytest.mark.parametrize(("text", "expected"), [
    ("- 5.00", Decimal("-5.00")),  # a sign set apart is still the number's sign
    ("60 万元", Decimal("60")),  # a unit after a blank is the unit
    ("(1,234.00)", Decimal("-1234.00")),
    ("１２３．４５", Decimal("123.45")),
])
def test_blanks_that_do_not_split_digits_still_read(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "—", "-", "/", "*", "0", "100.00", "12.5%", "2024年", "行政运行",
                                  "2130101", "2024.01.01", "130822240000000001", "≥95%", "1.2.3"])
def test_not_malformed(text):
    """Readable amounts, placeholders and things that are not amounts at all (percentages, dates,
    codes, identifiers, words) are no malformed amounts."""
    assert amount_problem(text) is None


def test_identifiers_in_an_amount_column_say_so():
    assert why_not_amount("130822240000000001") == (
        "more than 14 digits before the point: an identifier, not an amount")
    assert why_not_amount("暂无") is None


def test_the_aligned_reader_splits_a_number_from_the_next_cell():
    """Space-aligned dumps: the reader knows a single blank after a number ends the cell, so
    '60 00' arrives as two cells there, never as one cell to be joined."""
    assert [c.text for c in chunks("2130101   行政运行        60 00      60.00")] == [
        "2130101", "行政运行", "60", "00", "60.00"]
