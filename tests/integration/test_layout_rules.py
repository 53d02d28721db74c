"""Layout rules found on real publishers' spending tables (../shared/realpdf/wild/), each checked
on a small grid built here: column-number rows, 人员类 columns, titles and unit captions inside
the grid, codes in several label columns, per-unit row blocks, change and variant columns,
economic panels, label tails glued to amounts, tables continued under a repeated heading,
grids holding two tables, and basic spending derived from 人员 + 公用 in the figures model.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from dagster_project.parsing.classify import classify, is_table_title
from dagster_project.parsing.interpret import (
    _is_column_number_row,
    interpret_grid,
    lift_captions,
    split_header,
)
from dagster_project.parsing.model import TableResult
from dagster_project.parsing.stitch import stitch
from dagster_project.parsing.vocabulary import measure_of, unit_multipliers
from dagster_project.readers.base import RawTable


def interpret(rows: list[list[str]], kind: str, unit: str = "万元", year: int | None = 2026,
              default_fund: str = "all") -> TableResult:
    """One grid through caption lifting, header split and interpretation, as extraction runs them."""
    body, _ = lift_captions([list(r) for r in rows])
    n = split_header(body)
    width = max(len(r) for r in body)
    result = TableResult(
        order=0, kind=kind, title="", confidence=1.0, classify_reason="test", unit=unit,
        unit_multiplier=unit_multipliers()[unit], year=year, layout="test", page_from=None, page_to=None,
        line_from=None, line_to=None, n_rows=len(body), n_cols=width, header_rows=n, columns=[],
    )
    interpret_grid(result, body[:n], body[n:], [[None] * width for _ in body[n:]], default_fund, None)
    return result


def items(result: TableResult) -> list[tuple]:
    return [(li.row_label, li.code, li.paired_code, li.measure, li.budget_unit_code, li.amount_yuan)
            for li in result.line_items]


# -- column-number rows ----------------------------------------------------------------------

@pytest.mark.parametrize(("row", "expected"), [
    (["**", "1", "2", "3", "4"], True),  # placeholder over the label column
    (["**", "**", "1", "2", "3"], True),
    (["栏次", "", "1", "2", "3"], True),
    (["1", "2", "3", "4"], True),
    (["甲", "乙", "1", "2", "3=1+2"], True),
    (["序号", "1", "2"], True),
    (["13", "2200501", "行政运行", "0", "0", "0"], False),  # a data row numbered 13
    (["1", "2", "4"], False),  # not counting up by one
    (["合计", "1", "2", "3"], False),  # a label: the amounts are data
    (["2", "3", "4"], False),  # column numbers start at 1
])
def test_column_number_rows(row, expected):
    assert _is_column_number_row(row) is expected


def test_column_number_row_under_the_header_is_not_spending():
    result = interpret([
        ["功能分类科目名称", "总计", "基本支出", "", "项目支出"],
        ["", "", "人员支出", "日常公用支出", ""],
        ["**", "1", "2", "3", "4"],
        ["合计", "100.00", "60.00", "10.00", "30.00"],
        ["一般公共服务支出", "100.00", "60.00", "10.00", "30.00"],
    ], "expenditure_summary")
    assert result.header_rows == 3
    assert [(li.measure, li.amount_yuan) for li in result.line_items if li.is_total] == [
        ("total", Decimal("1000000.00")), ("personnel", Decimal("600000.00")),
        ("public_admin", Decimal("100000.00")), ("project", Decimal("300000.00")),
    ]
    assert not [li for li in result.line_items if li.amount_yuan < 100000]


# -- 人员类 / 公用经费 columns ------------------------------------------------------------------

def test_short_personnel_column_title_is_personnel_not_a_second_total():
    assert measure_of("人员类") == "personnel" and measure_of("公用类") == "public_admin"
    assert measure_of("强制隔离戒毒人员生活") is None  # 人员 inside a name is no category
    result = interpret([
        ["经济科目编码", "经济科目名称", "总计", "人员类", "公用经费"],
        ["**", "**", "1", "2", "3"],
        ["", "合计", "12.00", "10.00", "2.00"],
        ["301", "工资福利支出", "10.00", "10.00", ""],
        ["302", "商品和服务支出", "2.00", "", "2.00"],
    ], "basic_expenditure", default_fund="general_budget")
    assert [(c, m, a) for _, c, _, m, _, a in items(result) if c] == [
        ("301", "total", Decimal("100000.00")), ("301", "personnel", Decimal("100000.00")),
        ("302", "total", Decimal("20000.00")), ("302", "public_admin", Decimal("20000.00")),
    ]


def test_bare_subtotal_rule_stays_inside_its_panel():
    """合计 of the 支出 panel follows the 收入 panel's amount column: it is the 支出 total, not the
    基本支出 subtotal of the 人员经费 | 公用经费 columns after it."""
    result = interpret([
        ["本年收入", "", "本年支出", "", "", "", ""],
        ["项目", "预算数", "项目", "预算数", "", "", ""],
        ["", "", "", "合计", "基本支出", "", "项目支出"],
        ["", "", "", "", "人员经费", "公用经费", ""],
        ["一、财政拨款收入", "100", "一、教育支出", "100", "50", "20", "30"],
        ["收入总计", "100", "支出总计", "100", "50", "20", "30"],
    ], "budget_summary", unit="元")
    spending = [(li.measure, li.amount_yuan) for li in result.line_items
                if li.side == "expenditure" and li.is_total]
    assert spending == [("total", Decimal("100.00")), ("personnel", Decimal("50.00")),
                        ("public_admin", Decimal("20.00")), ("project", Decimal("30.00"))]


# -- titles and captions inside the grid ------------------------------------------------------

def test_title_and_unit_caption_printed_in_the_grid_are_captions():
    rows = [
        ["", "", ""],
        ["预算10表 政府采购预算明细表", "", ""],
        ["", "", "金额单位：万元"],
        ["采购类别", "", "金额"],
        ["A-货物", "", "6.790000"],
    ]
    body, captions = lift_captions(rows)
    assert captions == ["预算10表 政府采购预算明细表", "金额单位：万元"]
    assert body[0] == ["采购类别", "", "金额"]
    two_wide, captions = lift_captions([["预算10表 政府采购预算明细表", ""], ["采购类别", "金额"], ["A-货物", "6.79"]])
    assert captions == ["预算10表 政府采购预算明细表"] and two_wide[0] == ["采购类别", "金额"]


def test_enumerated_entries_are_not_titles():
    assert is_table_title("预算03表 支出总表") and is_table_title("2026年部门收支总体情况表")
    assert not is_table_title("一、收支预算总表") and not is_table_title("单位：万元")


def test_six_decimal_wan_yuan_amounts_are_exact_to_the_fen():
    result = interpret([
        ["预算03表 支出总表", "", "", ""],
        ["", "", "", "金额单位：万元"],
        ["支出功能分类科目", "政府支出经济分类科目", "部门支出经济分类科目", "合计"],
        ["2120101-行政运行", "50101-工资奖金津补贴", "30101-基本工资", "4,704.239912"],
    ], "expenditure_summary")
    assert result.line_items[0].amount_yuan == Decimal("47042399.12")


# -- codes printed in several label columns ----------------------------------------------------

def test_function_by_economic_pairs_give_code_and_paired_code():
    result = interpret([
        ["支出功能分类科目", "政府支出经济分类科目", "部门支出经济分类科目", "合计"],
        ["2120101-行政运行", "50101-工资奖金津补贴", "30101-基本工资", "1.000000"],
        ["2120101-行政运行", "50101-工资奖金津补贴", "30102-津贴补贴", "2.000000"],
        ["", "", "合 计", "3.000000"],
    ], "expenditure_summary")
    assert [(label, code, paired) for label, code, paired, *_ in items(result)] == [
        ("行政运行", "2120101", "30101"), ("行政运行", "2120101", "30102"), ("合计", None, None),
    ]
    assert [li.paired_code_system for li in result.line_items[:2]] == ["econ_department"] * 2


def test_government_and_department_economic_labels_pair_department_first():
    result = interpret([
        ["政府支出经济分类科目", "部门支出经济分类科目", "合计"],
        ["50101-工资奖金津补贴", "30101-基本工资", "1.00"],
        ["50101-工资奖金津补贴", "30102-津贴补贴", "2.00"],
    ], "basic_expenditure", default_fund="general_budget")
    assert [(label, code, paired) for label, code, paired, *_ in items(result)] == [
        ("基本工资", "30101", "50101"), ("津贴补贴", "30102", "50101"),
    ]


# -- per-unit row blocks ------------------------------------------------------------------------

def test_unit_rows_in_the_category_column_give_each_block_its_unit():
    result = interpret([
        ["支出项目类别（资金使用单位）", "总计"],
        ["合计", "30.00"],
        ["某某办公厅（本级）", "20.01"],
        ["工资福利支出", "15.00"],
        ["商品和服务支出", "5.00"],
        ["某某信息中心", "10.00"],
        ["工资福利支出", "8.00"],
        ["商品和服务支出", "2.00"],
    ], "basic_expenditure", default_fund="general_budget")
    coded = [(c, u) for _, c, _, _, u, _ in items(result) if c]
    assert coded == [("301", "某某办公厅（本级）"), ("302", "某某办公厅（本级）"),
                     ("301", "某某信息中心"), ("302", "某某信息中心")]
    assert len(set(coded)) == len(coded)
    assert result.line_items[0].is_total and result.line_items[0].budget_unit_code is None


def test_uncoded_rows_that_do_not_head_their_block_are_no_units():
    """Rows the catalog cannot place (function 款/项 names) are not units, even where codes repeat."""
    result = interpret([
        ["科目名称", "总计"],
        ["司法", "20.00"],
        ["工资福利支出", "15.00"],
        ["监狱", "10.00"],
        ["工资福利支出", "8.00"],
    ], "basic_expenditure")
    assert {li.budget_unit_code for li in result.line_items} == {None}


def test_lone_unit_row_on_top_is_the_table_total():
    result = interpret([
        ["预算单位", "科目编码", "科目名称", "支出总计", "基本支出", "项目支出"],
        ["某某管理局", "", "", "10.00", "6.00", "4.00"],
        ["", "208", "社会保障和就业支出", "10.00", "6.00", "4.00"],
    ], "expenditure_summary")
    top = [li for li in result.line_items if li.source_row == 1]
    assert [(li.is_total, li.measure) for li in top] == [(True, "total"), (True, "basic"), (True, "project")]


# -- change, percent and variant columns ----------------------------------------------------------

def test_percent_and_variant_columns_are_no_facts():
    result = interpret([
        ["功能分类科目", "", "2025年执行数", "", "2026年预算数", "", "2026年预算数比2025年执行数", ""],
        ["科目编码", "科目名称", "执行数", "扣除中央基建投资后执行数", "年初预算数", "扣除中央基建投资后预算数",
         "增减额", "增减(%)"],
        ["201", "一般公共服务支出", "30.00", "10.00", "13.00", "13.00", "-17.00", "-56.67%"],
    ], "general_budget_expenditure", default_fund="general_budget")
    assert [(li.measure, li.value_year, li.amount_yuan) for li in result.line_items] == [
        ("total", 2025, Decimal("300000.00")), ("total", 2026, Decimal("130000.00")),
        ("change", 2026, Decimal("-170000.00")),  # a change column: measure change, no fact
    ]
    assert [u.reason.split(" ")[0] for u in result.unparsed] == ["variant", "variant"]
    assert "note:2026年预算数比2025年执行数 / 增减(%)" in result.columns  # a percentage is no amount


def test_procurement_columns_beside_the_total_are_reported_not_loaded():
    result = interpret([
        ["科目编码", "科目名称", "支出总计", "基本支出", "2026年政府采购项目", ""],
        ["", "", "", "", "小计", "其中：预留给中小企业的项目资金规模"],
        ["208", "社会保障和就业支出", "10.00", "10.00", "2.00", "1.00"],
    ], "expenditure_summary")
    assert [(li.measure, li.amount_yuan) for li in result.line_items] == [
        ("total", Decimal("100000.00")), ("basic", Decimal("100000.00")),
    ]
    assert len(result.unparsed) == 2 and all(u.reason.startswith("variant of column 2") for u in result.unparsed)


def test_columns_that_merely_read_alike_are_loaded_and_noted():
    result = interpret([
        ["项目", "2024年合计", "当年预算安排"],
        ["社会保障和就业支出", "8.91", "8.91"],
    ], "expenditure_summary")
    assert len(result.line_items) == 2 and not result.unparsed
    assert any("read alike" in note for note in result.notes)


# -- economic panels ------------------------------------------------------------------------------

def test_economic_panel_with_a_garbled_header_reads_its_labels_in_the_system_they_name():
    result = interpret([
        ["支出功能分科目（按大类）", "预算数", "府预算支出经济科目（按大类", "预算数"],
        ["1、一般公共服务支出", "1.00", "1、机关工资福利支出", "1.00"],
        ["2、外交支出", "2.00", "2、转移性支出", "2.00"],
        ["3、国防支出", "0.00", "3、对企业补助", "0.00"],
    ], "budget_summary", unit="元")
    econ = [(li.code, li.code_system) for li in result.line_items if li.source_col == 3]
    assert econ == [("501", "econ_government"), ("513", "econ_government"), ("507", "econ_government")]


# -- label tails glued to amounts -------------------------------------------------------------------

def test_label_tail_glued_before_or_after_the_amount_goes_back_to_the_label():
    result = interpret([
        ["功能科目编码", "功能科目名称", "合计", "人员经费支出"],
        ["2080506", "机关事业单位职业年金", "缴费支出43608.96", "43608.96"],
        ["2089999", "其他社会保障和就业支", "1090.22出", "1090.22"],
        ["2200501", "行政运行", "5.00", "5.00"],
    ], "general_budget_expenditure", unit="元", default_fund="general_budget")
    assert not result.unparsed
    first = [(li.row_label, li.amount_yuan, li.raw_text) for li in result.line_items if li.source_col == 2]
    assert first == [
        ("机关事业单位职业年金缴费支出", Decimal("43608.96"), "缴费支出43608.96"),
        ("其他社会保障和就业支出", Decimal("1090.22"), "1090.22出"),
        ("行政运行", Decimal("5.00"), "5.00"),
    ]


# -- stitching: repeated headings and grids holding two tables ---------------------------------------

HEADING = ("表3", "支出总表", "部门名称：某某局", "单位：万元")
HEADER = ("科目编码", "科目名称", "支出总计")


def raw(rows, order=0, context=HEADING):
    return RawTable(rows=tuple(tuple(r) for r in rows), order=order, layout="test", context=context)


def test_table_printed_again_under_its_heading_on_the_next_page_continues():
    first = raw([HEADER, ("208", "社会保障和就业支出", "1.00")])
    second = raw([HEADER, ("221", "住房保障支出", "2.00")], order=1, context=("12", *HEADING))
    (table,) = stitch([first, second])
    assert [r[0] for r in table.rows] == ["科目编码", "208", "221"]


def test_same_heading_with_another_header_or_a_form_does_not_continue():
    first = raw([HEADER, ("208", "社会保障和就业支出", "1.00")])
    other = raw([("单位名称", "合计", "基本支出"), ("某某局", "1.00", "1.00")], order=1)
    assert len(stitch([first, other])) == 2
    form = ("2026年项目支出绩效目标表",)
    forms = [raw([("项目名称", "某项目", ""), ("预算金额", "1.00", "")], order=i, context=form) for i in range(2)]
    assert len(stitch(forms)) == 2


def test_a_grid_holding_a_second_titled_table_is_split():
    grid = raw([
        ("预算06表 一般公共预算基本支出表", "", ""),
        ("部门经济分类", "合计", "人员经费"),
        ("30101-基本工资", "1.00", "1.00"),
        ("", "", ""),
        ("预算07表 政府性基金预算支出表", "", ""),
        ("", "", "金额单位：万元"),
        ("科目名称", "合计", "基本支出"),
        ("合 计", "", ""),
    ], context=())
    tables = stitch([grid])
    assert [t.rows[0][0] for t in tables] == ["预算06表 一般公共预算基本支出表", "预算07表 政府性基金预算支出表"]


def test_a_table_list_of_enumerated_titles_stays_one_grid():
    index = raw([
        ("第一部分", "部门概况"),
        ("一、收支预算总表", ""),
        ("二、收入预算总表", ""),
        ("第二部分", "情况说明"),
    ], context=("目 录",))
    assert len(stitch([index])) == 1


def test_a_list_of_report_tables_is_an_index():
    assert classify("目录", "").kind == "table_index"
    assert classify("", "报表 报表名称 是否空表 2022年部门综合预算收支总表").kind == "table_index"


def test_an_index_names_its_tables_not_its_pages_or_sections():
    """001's 目录 is 'name ..... page' with no 名称 header: the names are the column with Chinese
    text, and its sections (一、部门主要职责) and parts (第二部分 …部门预算表) name no table."""
    from dagster_project.parsing.extract import _index_entries

    index = raw([
        ("第一部分 部门概况", "1"),
        ("一、部门主要职责", "2"),
        ("第二部分 2024 年度部门预算表", "6"),
        ("一、收支预算总表", "7"),
        ("十、一般公共预算“三公”经费支出预算表", "16"),
        ("七、预算绩效目标情况", "22"),
    ], context=("目 录",))
    assert [name for name, _, _ in _index_entries(index)] == ["一、收支预算总表", "十、一般公共预算“三公”经费支出预算表"]


# -- basic spending as 人员 + 公用 in the figures model ---------------------------------------------

REPORT = """某某市司法局2026年部门预算

表1：2026年部门收支预算总表
部门名称：某某市司法局
单位：万元
收入\t\t支出\t
项目\t预算数\t项目\t预算数
一、一般公共预算\t100.00\t一般公共服务支出\t100.00
本年收入合计\t100.00\t本年支出合计\t100.00
收入总计\t100.00\t支出总计\t100.00

表3：2026年部门支出预算总表
部门名称：某某市司法局
单位：万元
功能分类科目名称\t总计\t基本支出\t\t项目支出
\t\t人员支出\t日常公用支出\t
**\t1\t2\t3\t4
合计\t100.00\t58.25\t12.24\t29.51
一般公共服务支出\t100.00\t58.25\t12.24\t29.51
"""


def test_basic_spending_is_personnel_plus_public_admin_where_no_subtotal_is_printed(tmp_path):
    from dagster_project.load import run_load

    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "report.txt").write_text(REPORT, encoding="utf-8")
    warehouse = tmp_path / "wh" / "budget.duckdb"
    outcome = run_load(raw_dir, warehouse)
    assert outcome.success, outcome.failure
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("""select total_expenditure_yuan, basic_expenditure_yuan, project_expenditure_yuan
                             from marts.mart_budget_overview""").fetchone()
    assert row == (Decimal("1000000.00"), Decimal("704900.00"), Decimal("295100.00"))


def test_columns_headed_by_unit_names_are_per_unit_figures():
    # one column per sub-unit beside the 合计: each its unit's figure, not a second total
    result = interpret([
        ["功能分类科目编码", "科目名称", "合计", "杭州市东郊监狱", "杭州市西郊监狱"],
        ["", "合计", "150.00", "100.00", "50.00"],
        ["2010101", "行政运行", "150.00", "100.00", "50.00"],
    ], "expenditure_summary")
    coded = [(li.code, li.measure, li.budget_unit_code, li.amount_yuan) for li in result.line_items if li.code]
    assert coded == [
        ("2010101", "total", None, Decimal("1500000.00")),
        ("2010101", "total", "杭州市东郊监狱", Decimal("1000000.00")),
        ("2010101", "total", "杭州市西郊监狱", Decimal("500000.00")),
    ]


def test_a_header_reprinted_inside_the_grid_is_neither_data_nor_unparsed():
    result = interpret([
        ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
        ["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
        ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
        ["2010101", "行政运行", "100.00", "60.00", "40.00"],
    ], "expenditure_summary")
    assert result.unparsed == []
    assert [(li.code, li.measure) for li in result.line_items] == [
        ("201", "total"), ("201", "basic"), ("201", "project"),
        ("2010101", "total"), ("2010101", "basic"), ("2010101", "project"),
    ]


def test_budget_appropriation_beside_the_special_account_is_fiscal_appropriation():
    """珠海's 收支总表 lists 预算拨款 and 财政专户拨款 as revenue sources: 预算拨款 is the money
    appropriated from the budget (财政拨款); words that name one fund keep it."""
    from dagster_project.parsing.vocabulary import fund_of

    assert fund_of("预算拨款") == "fiscal_appropriation"
    assert fund_of("一般公共预算拨款") == "general_budget"
    assert fund_of("政府性基金预算拨款") == "gov_fund"
    assert fund_of("财政专户拨款") == "special_account"
