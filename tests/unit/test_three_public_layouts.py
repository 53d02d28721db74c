"""三公 tables as real publishers lay them out, and the 权重 column of 绩效目标表.

Each test builds a small grid the way the readers hand it over (merged cells: text in the
top-left cell, blanks beside and below) and checks the line items the interpreter makes of it:
which year each value is for, which cells are changes rather than values, which rows and
columns are 三公 at all. The layouts come from ../shared/realpdf/wild (see its README)."""

from __future__ import annotations

from decimal import Decimal

from dagster_project.parsing.extract import interpret_tables
from dagster_project.parsing.model import LineItem, TableResult
from dagster_project.parsing.vocabulary import is_change, relative_year, year_label
from dagster_project.readers.base import RawTable


def _table(rows: list[list[str]], *context: str) -> TableResult:
    width = max(len(r) for r in rows)
    grid = tuple(tuple(r + [""] * (width - len(r))) for r in rows)
    (table,) = interpret_tables([RawTable(rows=grid, order=0, layout="test", context=context)])
    return table


def _cells(table: TableResult) -> dict[tuple[int, int], LineItem]:
    return {(li.source_row, li.source_col): li for li in table.line_items}


def _facts(table: TableResult, **where) -> list[tuple]:
    """(code, fund, value_year, measure, yuan) of the line items matching `where`."""
    return sorted(
        (li.code, li.fund_source, li.value_year, li.measure, str(li.amount_yuan))
        for li in table.line_items
        if all(getattr(li, k) == v for k, v in where.items())
    )


FUNDS = ["一般公共预算", "政府性基金预算", "国有资本经营预算"]


def test_year_rows_and_a_change_row_with_every_column_split_by_fund():
    # 深圳 template: a 年度 column labels the rows 2025年 / 2026年 / 增减变化金额
    table = _table([
        ["预算单位", "年度", "总计", "", "", "因公出国(境)费", "", "", "公务接待费", "", ""],
        ["", "", *FUNDS, *FUNDS, *FUNDS],
        ["某某管理局", "2025 年", "17.60", "0.00", "0.00", "0.00", "0.00", "0.00", "17.60", "0.00", "0.00"],
        ["", "2026 年", "4.40", "1.00", "0.00", "0.00", "0.00", "0.00", "4.40", "1.00", "0.00"],
        ["", "增减变化金额", "-13.20", "1.00", "0.00", "0.00", "0.00", "0.00", "-13.20", "1.00", "0.00"],
    ], "财政拨款“三公”经费支出表", "单位：万元")
    assert table.kind == "three_public"
    assert _facts(table, source_row=2, code="total") == [
        ("total", "general_budget", 2025, "total", "176000.00"),
        ("total", "gov_fund", 2025, "total", "0.00"),
        ("total", "soe_capital", 2025, "total", "0.00"),
    ]
    assert _facts(table, source_row=3, code="total") == [
        ("total", "general_budget", 2026, "total", "44000.00"),
        ("total", "gov_fund", 2026, "total", "10000.00"),
        ("total", "soe_capital", 2026, "total", "0.00"),
    ]
    # the change row keeps its items but is no value of any year: measure `change`
    changes = [li for li in table.line_items if li.source_row == 4]
    assert len(changes) == 9 and {li.measure for li in changes} == {"change"}
    assert _cells(table)[(4, 2)].amount_yuan == Decimal("-132000.00")
    # every printed number is a line item, once
    assert len(table.line_items) == 27 and not table.unparsed


def test_previous_this_year_and_change_column_groups():
    table = _table([
        ["上年预算数", "", "", "本年预算数", "", "", "增减", "", ""],
        ["合计", "因公出国（境）费", "公务接待费"] * 3,
        ["10.00", "4.00", "6.00", "8.00", "4.00", "4.00", "-2.00", "0.00", "-2.00"],
    ], "2026年一般公共预算“三公”经费支出表", "单位：万元")
    cells = _cells(table)
    assert [(cells[(2, c)].code, cells[(2, c)].value_year, cells[(2, c)].measure) for c in range(9)] == [
        ("total", 2025, "total"), ("overseas_travel", 2025, "total"), ("reception", 2025, "total"),
        ("total", 2026, "total"), ("overseas_travel", 2026, "total"), ("reception", 2026, "total"),
        ("total", 2026, "change"), ("overseas_travel", 2026, "change"), ("reception", 2026, "change"),
    ]


def test_previous_year_column_of_a_table_without_a_year_waits_for_the_documents():
    # no year in title or captions: extraction dates the table later; 上年 stays relative
    table = _table([
        ["上年预算数", "", "本年预算数", ""],
        ["合计", "公务接待费", "合计", "公务接待费"],
        ["10.00", "10.00", "8.00", "8.00"],
    ], "“三公”经费支出表", "单位：万元")
    cells = _cells(table)
    assert (cells[(2, 0)].value_year, cells[(2, 0)].year_offset) == (None, -1)
    assert (cells[(2, 2)].value_year, cells[(2, 2)].year_offset) == (None, 0)


def test_carryover_columns_are_a_fund_not_the_previous_year():
    assert relative_year("上年结转") is None and relative_year("上年预算数") == -1
    assert relative_year("本年") == 0 and relative_year("本年收入合计") is None
    assert is_change("增减变化金额") and is_change("比上年增减") and is_change("增减(%)")
    assert not is_change("应对气候变化管理事务") and not is_change("增加")
    assert year_label("2025年") == 2025 and year_label("2026年度") == 2026 and year_label("2026年部门预算") is None


def test_per_unit_rows_under_a_total_row_with_a_column_number_row_and_a_blank_column():
    # 杭州 template: a "** 1 2 3" row under the headers, units as rows, 出国 left blank
    table = _table([
        ["单位名称", "“三公”经费合计", "因公出国(境)费用", "公务用车购置及运行费", "", "", "公务接待费"],
        ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费", ""],
        ["**", "1", "2", "3", "4", "5", "6"],
        ["合计", "413.68", "", "339.68", "151.68", "188.00", "74.00"],
        ["某市司法局", "17.00", "", "", "", "", "17.00"],
        ["某市东郊监狱", "396.68", "", "339.68", "151.68", "188.00", "57.00"],
    ], "表7：2026年市级部门一般公共预算“三公”经费预算表", "单位：万元")
    cells = _cells(table)
    assert 2 not in {li.source_row for li in table.line_items}  # column numbers are header
    assert cells[(3, 1)].is_total and (cells[(3, 1)].code, cells[(3, 1)].amount_yuan) == ("total", Decimal("4136800.00"))
    assert [(cells[(r, 1)].row_label, cells[(r, 1)].code) for r in (4, 5)] == [
        ("某市司法局", "total"), ("某市东郊监狱", "total")]
    assert (cells[(5, 3)].code, cells[(5, 4)].code, cells[(5, 5)].code) == (
        "vehicle_total", "vehicle_purchase", "vehicle_operation")
    assert {li.value_year for li in table.line_items} == {2026}


def test_a_lone_year_heading_over_the_columns_is_header_not_a_caption():
    # 中央部门 template: "2026 年预算数" merged over all columns; the title stays the table's
    table = _table([
        ["2026 年预算数", "", "", "", "", ""],
        ["合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"],
        ["", "", "小计", "公务用车购置费", "公务用车运行费", ""],
        ["112.61", "68.50", "38.60", "", "38.60", "5.51"],
    ], "部门公开表9", "财政拨款预算“三公”经费支出表", "单位：万元")
    assert table.kind == "three_public" and table.title == "财政拨款预算“三公”经费支出表"
    assert _facts(table) == [
        ("overseas_travel", "fiscal_appropriation", 2026, "total", "685000.00"),
        ("reception", "fiscal_appropriation", 2026, "total", "55100.00"),
        ("total", "fiscal_appropriation", 2026, "total", "1126100.00"),
        ("vehicle_operation", "fiscal_appropriation", 2026, "total", "386000.00"),
        ("vehicle_total", "fiscal_appropriation", 2026, "total", "386000.00"),
    ]


def test_a_total_column_named_预算总额():
    # 北京 template: the first column is "“三公”经费财政拨款预算总额", 万元 with six decimals
    table = _table([
        ["“三公”经费财政拨款预算总额", "因公出国（境）费用", "公务接待费", "公务用车购置及运行维护费", "", ""],
        ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费"],
        ["44.172000", "29.172000", "", "15.000000", "", "15.000000"],
    ], "预算09表 财政拨款“三公”经费支出表", "金额单位：万元")
    assert [(li.code, str(li.amount_yuan)) for li in table.line_items] == [
        ("total", "441720.00"), ("overseas_travel", "291720.00"), ("vehicle_total", "150000.00"),
        ("vehicle_operation", "150000.00")]


def test_rows_that_are_not_three_public_take_no_item_from_a_total_column():
    # 广州 template: 行政经费 above the “三公”经费 row, items below it, funds as columns
    table = _table([
        ["项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"],
        ["行政经费", "1,443.41", "1,443.41", "0.00", "0.00"],
        ["“三公”经费", "226.86", "226.86", "0.00", "0.00"],
        ["其中：（一）因公出国（境）支出", "215.60", "215.60", "0.00", "0.00"],
        ["（二）公务接待费支出", "11.26", "11.26", "0.00", "0.00"],
    ], "财政拨款安排的行政经费及“三公”经费预算表", "单位：万元")
    cells = _cells(table)
    assert {cells[(1, c)].code for c in range(1, 5)} == {None}
    assert [cells[(r, 1)].code for r in (2, 3, 4)] == ["total", "overseas_travel", "reception"]
    assert cells[(2, 1)].fund_source == "fiscal_appropriation"


def test_meeting_and_training_columns_and_year_groups_with_a_sequence_column():
    # 西安 template: 序号 split into "序" | "号单位编码", 2021年 / 2022年 / 增减变化情况 groups,
    # 会议费 and 培训费 beside the 三公 items
    groups = ["合计", "“三公”经费预算", "", "会议费", "培训费"]
    items = ["", "小计", "公务接待费", "", ""]
    table = _table([
        ["序", "号单位编码", "单位名称", "2021年", "", "", "", "", "2022年", "", "", "", "", "增减变化情况", "", "", "", ""],
        ["", "", "", *groups, *groups, *groups],
        ["", "", "", *items, *items, *items],
        ["1", "", "合计", "12240", "2720", "2720", "2380", "7140", "0", "0", "0", "0", "0",
         "-12240", "-2720", "-2720", "-2380", "-7140"],
    ], "2022年部门综合预算一般公共预算拨款“三公”经费、会议费、培训费表（不含上年结转）", "金额单位：元")
    cells = _cells(table)
    assert (3, 0) not in cells  # the row number is no amount
    assert [(cells[(3, c)].code, cells[(3, c)].value_year, cells[(3, c)].measure) for c in range(3, 18)] == [
        ("total", 2021, "total"), ("total", 2021, "total"), ("reception", 2021, "total"), (None, 2021, "total"),
        (None, 2021, "total"),
        ("total", 2022, "total"), ("total", 2022, "total"), ("reception", 2022, "total"), (None, 2022, "total"),
        (None, 2022, "total"),
        ("total", 2022, "change"), ("total", 2022, "change"), ("reception", 2022, "change"), (None, 2022, "change"),
        (None, 2022, "change"),
    ]


def test_a_row_labelled_with_the_parent_department_is_a_row_of_values():
    # 长沙 template: 合计 and one row labelled with the parent department
    table = _table([
        ["部门名称", "三公经费预（决）算数（财政拨款）", "", "", ""],
        ["", "小计", "公务接待费", "因公出国（境）费", "公务用车购置及运行费"],
        ["合计", "0.50", "0.50", "", ""],
        ["某市教育局", "0.50", "0.50", "", ""],
    ], "2026年一般公共预算“三公”经费支出情况表", "单位：万元")
    assert _facts(table, source_row=2) == [  # （财政拨款） in the header names the fund
        ("reception", "fiscal_appropriation", 2026, "total", "5000.00"),
        ("total", "fiscal_appropriation", 2026, "total", "5000.00"),
    ]
    assert _cells(table)[(3, 1)].row_label == "某市教育局"


# --- 绩效目标表: the 权重 column ------------------------------------------------------------


def test_weight_operator_and_unit_columns_of_an_indicator_grid_without_levels():
    # 重庆 template: 指标名称 | 指标性质 | 指标值 | 计量单位 | 指标权重(%) | 是否核心, no 一级/二级
    table = _table([
        ["当年整体绩效目标", "", "", "", "", "", ""],
        ["做好气象服务保障。", "", "", "", "", "", ""],
        ["绩效指标", "指标名称", "指标性质", "指标值", "计量单位", "指标权重(%)", "是否核心"],
        ["", "气候预测准确率", "≥", "68", "%", "12", "是"],
        ["", "地面增雨作业次数", "≥", "65", "次/年", "(%) 13", "是"],
        ["", "公众气象服务满意度", "≥", "90", "分", "", "否"],
    ], "2026年部门整体绩效目标表", "单位：万元")
    assert table.kind == "performance_target"
    got = [(i.level3, i.operator, i.target_value, i.target_unit, i.weight) for i in table.indicators]
    assert got == [
        ("气候预测准确率", "≥", "68", "%", Decimal("12")),
        ("地面增雨作业次数", "≥", "65", "次/年", Decimal("13")),
        ("公众气象服务满意度", "≥", "90", "分", None),
    ]
    # neither targets nor weights are money
    assert not table.line_items and not table.unparsed


def test_project_money_on_the_first_indicator_row_is_kept():
    # 项目名称 | 金额 columns beside the indicator columns, printed on each project's first row
    table = _table([
        ["序号", "项目名称", "当年财政拨款预算金额", "指标名称", "指标性质", "指标值", "计量单位", "指标权重"],
        ["1", "气象事务", "4,902.34", "气候预测准确率", "≥", "68", "%", "12"],
        ["", "", "", "气象台站改造数量", "≥", "4", "个", "11"],
        ["2", "防灾减灾", "100.00", "预警发布及时率", "=", "100", "%", "20"],
    ], "2026年市级一般性项目绩效目标表", "单位：万元")
    assert [(i.subject, i.level3, i.weight) for i in table.indicators] == [
        ("气象事务", "气候预测准确率", Decimal("12")),
        ("气象事务", "气象台站改造数量", Decimal("11")),
        ("防灾减灾", "预警发布及时率", Decimal("20")),
    ]
    assert [(li.row_label, li.fund_source, str(li.amount_yuan)) for li in table.line_items] == [
        ("气象事务", "fiscal_appropriation", "49023400.00"),
        ("防灾减灾", "fiscal_appropriation", "1000000.00"),
    ]
    assert not table.unparsed


def test_unit_code_money_and_typed_value_columns_of_a_project_form():
    # 长沙 template: 单位编码 | 名称 | 资金总额 | 绩效目标 | 一级 … 指标值 | 指标值内容 | 度量单位 |
    # 指标值类型 (the operator) | 备注 (a score): the 合计 and project money are kept, the unit code
    # and the score are not money, 指标值内容 is not the value
    table = _table([
        ["单位编码", "单位（项目）名称", "资金总额", "绩效目标", "绩效指标", "", "", "", "", "", "", ""],
        ["", "", "", "", "一级指标", "二级指标", "三级指标", "指标值", "指标值内容", "度量单位", "指标值类型", "备注"],
        ["合计", "", "270.00", "", "", "", "", "", "", "", "", ""],
        ["201056", "经常性运转经费（水电气）", "270.00", "保障基地正常运转", "成本指标", "经济成本指标", "水费",
         "120", "水费财政拨款总费用", "万元", "＝", "7"],
        ["", "", "", "", "", "", "电费", "140", "电费财政拨款总费用", "万元", "≥", "7"],
    ], "2026年项目支出绩效目标表", "单位：万元")
    assert [(i.level3, i.operator, i.target_value, i.target_unit, i.weight) for i in table.indicators] == [
        ("水费", "=", "120", "万元", None), ("电费", "≥", "140", "万元", None)]
    assert [(li.row_label, str(li.amount_yuan)) for li in table.line_items] == [
        ("合计", "2700000.00"), ("经常性运转经费（水电气）", "2700000.00")]
    assert not table.unparsed
