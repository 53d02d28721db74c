"""Amounts stated in the narrative (parsing/narrative.py): the five samples, read by hand, and
small sentences for each rule that decides what is (not) a statement."""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl
import pytest

from dagster_project.cli import main
from dagster_project.parsing.narrative import TOPICS, narrative_amounts
from dagster_project.readers.registry import reader_for
from dagster_project.staging.normalize import SCHEMAS
from dagster_project.staging.store import StagingStore

from tests.conftest import RAW, REALPDF, SAMPLES

S000, S001, S002, S003, S004 = SAMPLES
UNITS = {"元", "千元", "万元", "亿元"}


def _facts(rows) -> list[tuple]:
    return [(r.topic, r.code, r.amount_yuan if r.count is None else r.count) for r in rows]


def _yuan(rows, topic: str, code: str | None = None) -> list[Decimal]:
    return [r.amount_yuan for r in rows if r.topic == topic and r.code == code]


def _text_lines(sample: str) -> list[str]:
    data = (RAW / sample).read_bytes()
    return reader_for(data).read(data).text_lines


# --- the five samples ------------------------------------------------------------------------


def test_004_states_project_count_and_money_that_differs_from_its_table(extractions):
    rows = extractions[S004].narrative
    # "涉及预算项目支出 6 个，预算资金 15,579.50 万元，其中财政拨款 15,579.50 万元。" (and again
    # in the next sentence); the 项目支出 of line 84 and of the table is 15,579.95.
    assert [r.count for r in rows if r.topic == "project_count"] == [6, 6]
    assert _yuan(rows, "project_amount") == [Decimal("155795000.00")] * 2
    assert _yuan(rows, "project") == [Decimal("155799500.00")]
    assert _yuan(rows, "basic") == [Decimal("8104600.00")]
    # 收入预算 (line 83) and 收支预算 (line 85, both totals)
    assert _yuan(rows, "total_revenue") == [Decimal("163904100.00")] * 2
    assert _yuan(rows, "total_expenditure") == [Decimal("163904100.00")] * 2
    # the fiscal part of the project money is a split the vocabulary cannot name: dropped
    assert not [r for r in rows if r.topic == "fiscal_appropriation"]


def test_004_every_statement(extractions):
    """The whole narrative of 004, so that a statement read wrongly or twice shows up."""
    wan = Decimal("10000")
    assert _facts(extractions[S004].narrative) == [
        ("total_revenue", None, Decimal("16390.41") * wan),
        ("general_budget", None, Decimal("16390.41") * wan),
        ("total_expenditure", None, Decimal("16390.41") * wan),
        ("basic", None, Decimal("810.46") * wan),
        ("project", None, Decimal("15579.95") * wan),
        ("total_revenue", None, Decimal("16390.41") * wan),
        ("total_expenditure", None, Decimal("16390.41") * wan),
        # "2024 年收支预算 16,390.41 万元，较上年预算减少 519.18 万元"; "2. 支出预算减少 519.18 万元"
        # below names no previous year and is not read
        ("total_expenditure_change", None, Decimal("-519.18") * wan),
        ("three_public", "total", Decimal("0")),
        ("three_public", "overseas_travel", Decimal("0")),
        ("three_public", "vehicle_total", Decimal("0")),
        ("three_public", "vehicle_purchase", Decimal("0")),
        ("three_public", "vehicle_operation", Decimal("0")),
        ("three_public", "reception", Decimal("0")),
        ("operating_expense", None, Decimal("32.37") * wan),
        ("procurement", None, Decimal("0")),
        ("project_count", None, 6),
        ("project_amount", None, Decimal("15579.50") * wan),
        ("project_count", None, 6),
        ("project_amount", None, Decimal("15579.50") * wan),
    ]


def test_004_rows_point_at_their_text_line(extractions):
    lines = _text_lines(S004)
    rows = extractions[S004].narrative
    amount = next(r for r in rows if r.topic == "project_amount")
    assert amount.text_index == 104 and "预算资金 15,579.50 万元" in lines[amount.text_index]
    assert lines[amount.text_index][amount.text_offset:].startswith("15,579.50 万元")
    assert amount.raw_text == "预算资金 15,579.50 万元"
    assert (amount.amount, amount.unit, amount.value_year) == (Decimal("15579.50"), "万元", 2024)
    count = next(r for r in rows if r.topic == "project_count")
    assert (count.amount, count.amount_yuan, count.unit) == (None, None, "个")


def test_001_per_code_amounts_and_personnel(extractions):
    rows = extractions[S001].narrative
    assert _yuan(rows, "function_code", "2101501") == [Decimal("9024600.00")]  # 2101501-行政运行 902.46 万元
    assert _yuan(rows, "function_code", "2101202") == [Decimal("90000000.00")]  # 9,000.00 万元
    assert len([r for r in rows if r.topic == "function_code"]) == 14  # （一）…（十四）
    assert _yuan(rows, "personnel") == [Decimal("49350500.00")]  # 人员经费 4,935.05 万元
    assert _yuan(rows, "public_admin") == [Decimal("6091400.00")]
    # "其中：基本支出5,544.19万元、项目支出10,962.00万元" each under its own topic
    assert _yuan(rows, "basic") == [Decimal("55441900.00")] * 2
    assert _yuan(rows, "project") == [Decimal("109620000.00")]
    # "共设置6个项目绩效目标，共涉及财政拨款资金10,410.00万元"
    amount = next(r for r in rows if r.topic == "project_amount")
    assert (amount.amount_yuan, amount.fund_source) == (Decimal("104100000.00"), "fiscal_appropriation")


def test_001_three_public_items_named_by_their_heading(extractions):
    # "（二）公务接待费" / "2024 年预算安排 2.70 万元，比上年增加 0.00 万元…"
    rows = extractions[S001].narrative
    assert _yuan(rows, "three_public", "reception") == [Decimal("27000.00")]
    assert _yuan(rows, "three_public", "overseas_travel") == [Decimal("0.00")]
    assert _yuan(rows, "three_public", "vehicle_total") == [Decimal("168000.00")]
    assert _yuan(rows, "three_public", "vehicle_operation") == [Decimal("168000.00")]


def test_000_codes_in_brackets_and_operating_expense(extractions):
    rows = extractions[S000].narrative
    assert _yuan(rows, "function_code", "2080505") == [Decimal("437500.00")]  # （2080505）43.75万元
    assert _yuan(rows, "function_code", "2101501") == [Decimal("616300.00")]
    assert _yuan(rows, "economic_code", "301") == [Decimal("3935100.00")]  # 工资福利支出（301）393.51万元
    assert _yuan(rows, "economic_code", "501") == [Decimal("775700.00")]
    assert _yuan(rows, "operating_expense") == [Decimal("128000.00")]  # 机关运行经费预算安排12.80万元
    assert _yuan(rows, "three_public", "total") == [Decimal("0.00")]
    # 会议费 and 培训费 are stated but are no topic
    assert not [r for r in rows if "会议费" in r.raw_text or "培训费" in r.raw_text]


def test_000_wrapped_clause_is_joined(extractions):
    # line 78 ends "…181.97万元，较上年减少16.31万", line 79 starts "元，下降8.22%"
    rows = extractions[S000].narrative
    assert _yuan(rows, "function_code", "2101550") == [Decimal("1819700.00")]
    assert Decimal("163100.00") not in [r.amount_yuan for r in rows]


def test_000_never_reads_a_change_clause(extractions):
    rows = extractions[S000].narrative
    yuan = {r.amount_yuan for r in rows}
    assert Decimal("333700.00") not in yuan  # 较上年减少33.37万元, four times
    changes = {Decimal(m.replace(",", "")) * 10000
               for line in _text_lines(S000) for m in re.findall(r"(?:增加|减少)([\d,.]+)万", line)}
    assert len(changes) >= 10 and not changes & yuan


def test_002_vehicle_operation_and_project_count(extractions):
    rows = extractions[S002].narrative
    assert _yuan(rows, "three_public", "vehicle_operation") == [Decimal("75000.00")]  # 7.50万元
    assert _yuan(rows, "three_public", "total") == [Decimal("75000.00")]
    # "二级项目11个，共计金额1,793.21万元。其中：其他运转类项目3个，涉及金额17.00万元；…"
    assert [r.count for r in rows if r.topic == "project_count"] == [11, 11]
    assert _yuan(rows, "project_amount") == [Decimal("17932100.00")] * 2
    # 类 names resolved through the catalog: 社会保障和就业支出8.91万元 -> 208
    assert _yuan(rows, "function_code", "208") == [Decimal("89100.00")] * 2
    assert _yuan(rows, "function_code", "210") == [Decimal("18527100.00")] * 2


def test_002_line_wrapped_change_is_not_read(extractions):
    # line 75 "…一般公共预算当年支出1,867.77万元，比上年增加" + line 76 "354.38万元，增长23.42%。"
    rows = extractions[S002].narrative
    assert Decimal("3543800.00") not in [r.amount_yuan for r in rows]
    assert [r.text_index for r in rows if r.topic == "general_budget"].count(75) == 1


def test_003_three_public_total_and_reception(extractions):
    rows = extractions[S003].narrative
    assert _yuan(rows, "three_public", "total") == [Decimal("25000.00")]  # 2.5万元
    assert _yuan(rows, "three_public", "reception") == [Decimal("10000.00")]  # 公务接待费1万元
    assert _yuan(rows, "three_public", "vehicle_operation") == [Decimal("15000.00")]  # once: the 三公 one
    assert _yuan(rows, "operating_expense") == [Decimal("161800.00")]
    # the 机关运行经费 breakdown lists 公务用车运行维护费1.5万元: not a 三公 statement
    assert all(r.value_year == 2021 for r in rows if r.topic == "three_public")
    # the narrative's year is printed as it is (2022) where the tables say 2021
    assert [r.value_year for r in rows if r.topic == "total_expenditure"] == [2022]


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_row_is_an_amount_with_its_unit(sample, extractions):
    rows = extractions[sample].narrative
    assert rows
    for r in rows:
        assert r.topic in TOPICS
        compact = r.raw_text.replace(" ", "")
        if r.count is None:
            assert r.unit in UNITS and r.unit in compact
            assert r.amount_yuan == (r.amount * {"元": 1, "千元": 1000, "万元": 10000, "亿元": 10**8}[r.unit])
            assert r.amount_yuan.as_tuple().exponent == -2
        else:
            assert r.topic == "project_count" and f"{r.count}个" in compact
        if r.topic != "total_expenditure_change":
            assert not re.search(r"较上年|比上年|增加|减少|增长|下降|%", r.raw_text), r.raw_text


# --- the rules, on small sentences ------------------------------------------------------------


def _one(lines: list[str]) -> list[tuple]:
    return _facts(narrative_amounts(lines))


def test_wrapped_line_is_joined_before_reading():
    assert _one(["（7）事业运行（2101550）181.97万元，较上年减少16.31万", "元，下降8.22%。"]) == [
        ("function_code", "2101550", Decimal("1819700.00"))]
    assert _one(["省委办公厅 2017 年度财政拨款收、支总预算 20702.25", "— 7 —", "万元。"]) == [
        ("fiscal_appropriation", None, Decimal("207022500.00"))]


def test_sub_items_after_qizhong_get_their_own_topic():
    rows = narrative_amounts(["相应安排支出预算16,506.19万元，比上年增加732.12万元。其中：基本支出5,544.19万元、"
                              "项目支出10,962.00万元、事业单位经营支出0.00万元、上缴上级支出0.00万元。"])
    assert _facts(rows) == [
        ("total_expenditure", None, Decimal("165061900.00")),
        ("total_expenditure_change", None, Decimal("7321200.00")),  # 比上年增加732.12万元
        ("basic", None, Decimal("55441900.00")),
        ("project", None, Decimal("109620000.00")),
    ]
    assert rows[1].raw_text == "比上年增加732.12万元" and rows[3].raw_text == "项目支出10,962.00万元"


def test_a_list_carried_to_the_lines_below_a_colon():
    rows = narrative_amounts(["2019 年度财政拨款基本支出预算6,442.75 万元，其中：", "（一）人员经费 5,312.01 万元。",
                              "（二）公用经费 1,130.74 万元。"])
    assert [(r.topic, r.fund_source, r.value_year) for r in rows] == [
        ("basic", "fiscal_appropriation", 2019), ("personnel", "fiscal_appropriation", 2019),
        ("public_admin", "fiscal_appropriation", 2019)]


def test_splits_of_a_statement_are_dropped_but_new_statements_kept():
    assert _one(["本部门2024年预算收入446.43万元，其中：一般公共预算拨款446.43万元，较上年减少33.37万元；"
                 "本部门2024年预算支出446.43万元，其中：一般公共预算拨款446.43万元。"]) == [
        ("total_revenue", None, Decimal("4464300.00")), ("general_budget", None, Decimal("4464300.00")),
        ("total_expenditure", None, Decimal("4464300.00")), ("general_budget", None, Decimal("4464300.00"))]
    assert _one(["医保局运行经费共计安排16.18万元，主要用于办公费4.55万元、公务用车运行维护费1.5万元。"]) == [
        ("operating_expense", None, Decimal("161800.00"))]


@pytest.mark.parametrize("sentence", [
    "机关运行经费安排32.37万元，较上年增加4.89万元，增长17.79%。",
    "机关运行经费安排32.37万元。较 2023 年预算增加 4.89 万元。",
    "机关运行经费安排32.37万元，与上年相比减少4.89万元。",
])
def test_change_clauses_yield_nothing(sentence):
    assert _one([sentence]) == [("operating_expense", None, Decimal("323700.00"))]


# --- the change of the total budget on the previous year (rule 3's exception) -----------------


@pytest.mark.parametrize(("lines", "expected"), [
    # 江苏省委办公厅 2018: both totals, the change in the same sentence, its own subject a total
    (["江苏省委办公厅2018年度收入、支出预算总计24458.43万元，与上年相比收、支预算总计各增加3608.98万元，"
      "增长17.31%。"], "36089800.00"),
    # 004: a decrease, 收支预算, 较上年预算
    (["（三）增减变化情况：2024 年收支预算 16,390.41 万元，较上年预算减少 519.18 万元，其中："], "-5191800.00"),
    # 001: the change refers to the 支出预算 it follows, naming no subject of its own
    (["相应安排支出预算16,506.19万元，比上年增加732.12万元，主要原因是城乡居民基本医疗保险市级配套资金支出较上年增加。"],
     "7321200.00"),
    # the subject and the comparison in one clause, no amount before; 元 and 亿元 as printed
    (["2018年收支预算总额与上年相比减少125,000.50元。"], "-125000.50"),
    (["本部门预算总额较上年下降1.2亿元。"], "-120000000.00"),
])
def test_the_change_of_the_total_budget_is_read_signed(lines, expected):
    changes = [r for r in narrative_amounts(lines) if r.topic == "total_expenditure_change"]
    assert [r.amount_yuan for r in changes] == [Decimal(expected)]
    assert changes[0].fund_source is None and changes[0].amount * {"元": 1, "万元": 10000, "亿元": 10**8}[
        changes[0].unit] == changes[0].amount_yuan


@pytest.mark.parametrize("lines", [
    # a percentage only
    ["2024年收支预算16,390.41万元，较上年下降6.95%。"],
    ["江苏省委办公厅2018年度收入、支出预算总计24458.43万元，与上年相比增长17.31%。"],
    # the change of a fund: 委办 2018 says 收、支预算总计 after its 财政拨款 total (3,756.18, not 3,608.98)
    ["江苏省委办公厅2018年度财政拨款收、支总预算24458.43万元。与上年相比收、支预算总计各增加3756.18万元，增长18.14%。"],
    ["江苏省政协办公厅2017年度财政拨款收、支预算9,066.79万元。与上年相比，财政拨款收、支总计各增加498.72万元。"],
    ["江苏省政协办公厅2018年度一般公共预算财政拨款支出预算10,070.48万元，占本年支出合计的99.21%。"
     "与上年相比，增加1,003.69万元，增长11.07%。"],
    # 000: the change follows a fund that splits the total ("其中"), not the total
    ["本部门2024年预算支出446.43万元，其中：一般公共预算拨款446.43万元，较上年减少33.37万元，下降6.95%。"],
    # 002: the change follows 上年结转, inside the list
    ["本年单位预算支出总计1,867.77万元，其中：本年预算安排1,867.77万元，上年结转0万元，比上年减少36.58万元，下降1.92%。"],
    # the revenue total, another category, other subjects
    ["部门收入预算为16,506.19万元，比上年增加732.12万元。"],
    ["此外，基本支出预算数为10403.11万元。与上年相比增加439.04万元，增长4.41%。"],
    ["2018年本部门一般公共预算机关运行经费预算支出2094.58万元，与上年相比减少8007.18万元，降低79.27%。"],
    ["3.公务接待费预算支出27万元，比上年预算减少1万元。"],
    # no previous year named: 004's "2. 支出预算减少 519.18 万元"
    ["2. 支出预算减少 519.18 万元，其中：基本支出增加 147.30 万元，项目支出减少 666.48 万元。"],
    # "decreased to", not "by"
    ["2024年收支预算较上年减少至16,390.41万元。"],
])
def test_other_changes_and_percentages_yield_no_change_of_the_total(lines):
    assert [r for r in narrative_amounts(lines) if r.topic == "total_expenditure_change"] == []


def test_the_change_refers_back_across_a_line_break():
    # "…总预算24458.43万元。" ends a line: the next paragraph's change is still the 财政拨款 one
    lines = ["江苏省委办公厅2018年度财政拨款收、支总预算24458.43万元。",
             "与上年相比收、支预算总计各增加3756.18万元，增长18.14%。"]
    assert [r for r in narrative_amounts(lines) if r.topic == "total_expenditure_change"] == []
    lines = ["省委办公厅2017年度收入、支出预算总计20849.45", "万元，与上年相比收、支预算总计各增加2043.58万",
             "元，增长10.87%。"]
    assert [r.amount_yuan for r in narrative_amounts(lines) if r.topic == "total_expenditure_change"] == [
        Decimal("20435800.00")]


def test_a_restated_change_is_kept_once():
    rows = narrative_amounts(["2024年收支预算16,390.41万元，较上年减少519.18万元。",
                              "2024年支出预算16,390.41万元，比上年减少519.18万元。"])
    assert [(r.text_index, r.amount_yuan) for r in rows if r.topic == "total_expenditure_change"] == [
        (0, Decimal("-5191800.00"))]


# The change each Jiangsu narrative prints (万元); 2018 and 2019 are the difference of the headline
# totals of JIANGSU below (24458.43 - 20849.45 = 3608.98), 2017's previous year is not in the corpus.
JIANGSU_CHANGE = {
    "江苏省政协办公厅/江苏省政协办公厅2017年度部门预算.pdf": "498.72",
    "江苏省政协办公厅/江苏省政协办公厅2018年度部门预算.pdf": "1003.69",
    "江苏省政协办公厅/江苏省政协办公厅2019年度部门预算.pdf": "3226.63",
    "江苏省委办公厅/江苏省委办公厅2017年部门预算.pdf": "2043.58",
    "江苏省委办公厅/江苏省委办公厅2018年度部门预算公开文件.pdf": "3608.98",
    "江苏省委办公厅/江苏省委办公厅2019年度部门预算公开文件.pdf": "3205.79",
}


def test_previous_year_amounts_are_not_this_years():
    assert _one(["上年机关运行经费预算为30.00万元。"]) == []
    rows = narrative_amounts(["2023年“三公”经费预算10.00万元。"])
    assert [(r.topic, r.code, r.value_year) for r in rows] == [("three_public", "total", 2023)]


def test_units_yuan_and_wan_yuan_are_exact():
    rows = narrative_amounts(["“三公”经费预算支出12,345.67元，其中：公务接待费345.67元。",
                              "上年末固定资产金额为48.102803万元。", "政府采购预算总额1.5亿元。"])
    assert _facts(rows) == [("three_public", "total", Decimal("12345.67")),
                            ("three_public", "reception", Decimal("345.67")),
                            ("procurement", None, Decimal("150000000.00"))]
    assert [r.unit for r in rows] == ["元", "元", "亿元"]
    # digits beyond the fen are quantized, half up, to the fen
    assert _facts(narrative_amounts(["机关运行经费安排48.102805万元。"])) == [
        ("operating_expense", None, Decimal("481028.05"))]


@pytest.mark.parametrize("sentence", [
    "2024年本部门预算收入增长6.95%，占100%。",  # percentages
    "2024年预算安排情况如下。",  # a bare year
    "截止上年底，本部门共有车辆0辆，单价20万元以上的设备0台（套）。",  # a threshold
    "城乡居民医疗保险代缴标准390元/人。",  # a rate
    "一般公共预算拨款安排的会议费预算支出 1,282.56 万元。",  # a cost that is no topic
    "3.其他资金收入预算总计 80 万元。",  # a total word that belongs to another noun
    "政府性基金预算财政拨款收入0.00万元。",  # a fund outside the vocabulary
    "（8）公务接待费（款）支出 16 万元。",  # an economic row, not the 三公 reception
    "其他社会保障和就业支出5.00万元。",  # a class name inside a longer name
])
def test_not_a_statement(sentence):
    assert _one([sentence]) == []


def test_heading_names_the_topic_of_a_bare_amount():
    assert _one(["（二）公务接待费", "2024 年预算安排 2.70 万元，比上年增加 0.00 万元。"]) == [
        ("three_public", "reception", Decimal("27000.00"))]
    # a heading that is no topic gives none
    assert _one(["（二）其他情况", "2024 年预算安排 2.70 万元。"]) == []


def test_weak_words_yield_to_the_subject_before_them():
    rows = narrative_amounts(["本单位机关运行经费财政拨款预算14.14万元。",
                              "2024年，本部门当年一般公共预算“三公”经费预算支出0.00万元。",
                              "2019 年度财政拨款预算支出 13,297.11 万元。"])
    assert [(r.topic, r.code, r.fund_source) for r in rows] == [
        ("operating_expense", None, "fiscal_appropriation"), ("three_public", "total", "general_budget"),
        ("fiscal_appropriation", None, "fiscal_appropriation")]


def test_income_and_expenditure_together_are_two_rows():
    assert _one(["省委办公厅 2017 年度收入、支出预算总计 20849.45 万元。"]) == [
        ("total_revenue", None, Decimal("208494500.00")), ("total_expenditure", None, Decimal("208494500.00"))]


def test_project_count_then_its_money():
    assert _one(["涉及预算项目支出 6 个，预算资金 15,579.50 万元，其中财政拨款 15,579.50 万元。"]) == [
        ("project_count", None, 6), ("project_amount", None, Decimal("155795000.00"))]
    assert _one(["2019 年本部门共 0 个项目实行绩效目标管理，涉及财政性资金合计 0 万元。"]) == [
        ("project_count", None, 0), ("project_amount", None, Decimal("0.00"))]
    assert _one(["项目数比上年增加2个。"]) == []


def test_codes_printed_before_or_after_the_name():
    assert _one(["（九）2101501-行政运行 902.46 万元。主要用于基本工资。", "行政运行（2101501）61.63万元；",
                 "对个人和家庭的补助（509）0.78万元。"]) == [
        ("function_code", "2101501", Decimal("9024600.00")), ("function_code", "2101501", Decimal("616300.00")),
        ("economic_code", "509", Decimal("7800.00"))]


# --- generality: the narratives of the real Jiangsu PDFs ----------------------------------------

# The headline figures of ../shared/realpdf/README.md (万元, read by hand from each 收支预算总表):
# total, basic, project, 单位预留机动经费, 财政拨款. The narratives restate them in other words.
JIANGSU = {
    "江苏省政协办公厅/江苏省政协办公厅2017年度部门预算.pdf": ("9146.79", "5916.27", "3123.68", "106.84", "9066.79"),
    "江苏省政协办公厅/江苏省政协办公厅2018年度部门预算.pdf": ("10150.48", "5678.17", "3314.68", "1157.63", "10070.48"),
    "江苏省政协办公厅/江苏省政协办公厅2019年度部门预算.pdf": ("13377.11", "6522.75", "4968.34", "1886.02", "13297.11"),
    "江苏省委办公厅/江苏省委办公厅2017年部门预算.pdf": ("20849.45", "9964.07", "10688.66", "196.72", "20702.25"),
    "江苏省委办公厅/江苏省委办公厅2018年度部门预算公开文件.pdf": ("24458.43", "10403.11", "12081.46", "1973.86",
                                                   "24458.43"),
    "江苏省委办公厅/江苏省委办公厅2019年度部门预算公开文件.pdf": ("27664.22", "11700.63", "13025.38", "2938.21",
                                                   "27664.22"),
}


def _pdf_lines(path) -> list[str]:
    """Plain page text (pdfplumber) as a stand-in for a PDF reader's narrative lines."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [line for page in pdf.pages for line in (page.extract_text() or "").split("\n")]


@pytest.mark.parametrize("name", sorted(JIANGSU))
def test_jiangsu_narratives_restate_their_headline_figures(name):
    rows = narrative_amounts(_pdf_lines(REALPDF / "jiangsu" / name))
    total, basic, project, reserve, fiscal = (Decimal(v) * 10000 for v in JIANGSU[name])

    def whole(topic: str) -> set[Decimal]:  # amounts of the whole report, no fund named
        return {r.amount_yuan for r in rows if r.topic == topic and r.fund_source is None}

    assert whole("total_revenue") == whole("total_expenditure") == {total}
    assert (whole("basic"), whole("project"), whole("reserve")) == ({basic}, {project}, {reserve})
    assert {r.amount_yuan for r in rows if r.topic == "fiscal_appropriation"} == {fiscal}
    # 财政拨款基本支出 is stated too, and never passes for the whole basic expenditure
    assert all(r.fund_source in ("fiscal_appropriation", "general_budget") for r in rows
               if r.topic == "basic" and r.amount_yuan != basic)
    # the change of the total, once, among the many change clauses (财政拨款, 基本支出, 机关运行经费 …)
    assert [(r.amount_yuan, r.unit, r.value_year) for r in rows if r.topic == "total_expenditure_change"] == [
        (Decimal(JIANGSU_CHANGE[name]) * 10000, "万元", int(re.search(r"20\d\d", name).group()))]
    # every 三公 item is stated, and none of the 会议费/培训费 or 公务接待费（款） sentences
    items = {r.code for r in rows if r.topic == "three_public"}
    assert items >= {"overseas_travel", "vehicle_total", "vehicle_purchase", "vehicle_operation", "reception"}
    assert not [r for r in rows if re.search(r"会议费|培训费|（款）", r.raw_text)]


def test_topics_are_the_documented_vocabulary():
    from dagster_project.parsing import narrative
    from dagster_project.parsing.vocabulary import THREE_PUBLIC_ITEMS

    docs = (RAW.parent.parent / "docs" / "staging.md").read_text(encoding="utf-8")
    section = docs.split("## Narrative amounts")[1].split("\n## ")[0]
    assert [t for t in TOPICS if f"| {t}" not in section and f", {t}" not in section] == []
    codes = {code for _, _, topic, code, _ in narrative._PATTERNS if topic == "three_public"}
    assert codes == {item for _, item in THREE_PUBLIC_ITEMS}


# --- staging and CLI --------------------------------------------------------------------------


def test_staging_entity(staging, extractions):
    doc_id = extractions[S004].document.doc_id
    frame = pl.read_parquet(StagingStore(staging).path("narrative_amounts", doc_id))
    assert dict(frame.schema) == SCHEMAS["narrative_amounts"]
    assert frame.schema["amount_yuan"] == pl.Decimal(18, 2)
    amounts = frame.filter(pl.col("topic") == "project_amount")["amount_yuan"].to_list()
    assert amounts == [Decimal("155795000.00")] * 2
    counts = frame.filter(pl.col("topic") == "project_count")
    assert counts["count"].to_list() == [6, 6] and counts["amount_yuan"].null_count() == 2
    everything = StagingStore(staging).read("narrative_amounts")
    assert everything.height == sum(len(e.narrative) for e in extractions.values())
    key = ["doc_id", "text_index", "text_offset", "topic"]
    assert everything.select(key).is_duplicated().sum() == 0
    assert everything.select(key).null_count().sum_horizontal().item() == 0


def test_extract_json_has_narrative(capsys):
    assert main(["extract", str(RAW / S004), "--json"]) == 0
    import json

    body = json.loads(capsys.readouterr().out)
    first = next(n for n in body["narrative"] if n["topic"] == "project_amount")
    assert first["amount_yuan"] == "155795000.00" and first["text_index"] == 104
