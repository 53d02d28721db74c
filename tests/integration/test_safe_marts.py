"""The analyst marts (dbt/models/marts/analyst/) are safe to sum: a naive SUM per disclosure,
with no knowledge of fund-source nesting, code levels or sub-units, gives the headline figures
read by hand from the samples (/work/shared/seeds/README.md). The same naive sums over the raw
facts are wrong (they double), which is why the marts exist; the facts' `is_leaf` and
`is_canonical_scope` flags turn the raw sum into a filter that is right too."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.published_sample import published_sample
from tests.integration.test_warehouse import query


@pytest.fixture(scope="module")
def warehouse():
    return published_sample()

D = Decimal
# department as printed -> (total, basic, project, 三公 this year), seeds README
HEADLINES = {
    "丹凤县医疗保障局": (D("4464272.00"), D("4104272.00"), D("360000.00"), D("0.00")),
    "漳州市医疗保障局(汇总)": (D("165061900.00"), D("55441900.00"), D("109620000.00"), D("195000.00")),
    "汾阳市医疗保障局": (D("18677700.00"), D("745500.00"), D("17932100.00"), D("75000.00")),
    "兴隆县医疗保障局本级": (D("65963600.00"), D("2983000.00"), D("62980600.00"), D("25000.00")),
    "聊城市东昌府区医疗保障局机关": (D("163904100.00"), D("8104600.00"), D("155799500.00"), D("0.00")),
}
# Revenue totals (收入总计): every sample's revenue equals its spending except 漳州, whose
# 收支总表 adds 5,520,000 of 上年结转 to 159,541,900 of 一般公共预算 (= its 165,061,900 spending).
REVENUE = {name: total for name, (total, *_rest) in HEADLINES.items()}


def _by_department(warehouse, sql: str) -> dict:
    return {r[0]: r[1:] if len(r) > 2 else r[1] for r in query(warehouse, sql)}


def test_three_public_sums_to_the_headline(warehouse):
    """One fund scope, one row per year: 兴隆 prints 25,000 in a 合计 and an 一般公共预算 column,
    and the naive sum of its budget year is 25,000, not 50,000."""
    sums = _by_department(warehouse, """
        select department_name, sum(total_yuan) from marts.mart_three_public
        where is_budget_year group by 1""")
    assert sums == {name: h[3] for name, h in HEADLINES.items()}
    # the raw fact doubles it; its flags make the same sum right
    raw = _by_department(warehouse, """
        select d.department_name, sum(t.amount_yuan), sum(t.amount_yuan) filter (where t.is_canonical_scope)
        from marts.fct_three_public t join marts.dim_disclosure d using (disclosure_id)
        where t.item = 'total' and t.value_year = d.fiscal_year group by 1""")
    assert raw["兴隆县医疗保障局本级"] == (D("50000.00"), D("25000.00"))


def test_three_public_items_are_columns_and_years_are_rows(warehouse):
    rows = query(warehouse, """
        select value_year, is_budget_year, fund_scope, total_yuan, vehicle_total_yuan, vehicle_operation_yuan,
               reception_yuan, overseas_travel_yuan
        from marts.mart_three_public where department_name = '兴隆县医疗保障局本级'""")
    assert rows == [(2021, True, "fiscal_appropriation", D("25000.00"), D("15000.00"), D("15000.00"),
                     D("10000.00"), None)]
    years = query(warehouse, """
        select value_year, is_budget_year from marts.mart_three_public
        where department_name = '聊城市东昌府区医疗保障局机关' order by 1""")
    assert years == [(2023, False), (2024, True)]
    # 丹凤 declares its 三公 table empty: published as zero, one row of zeros
    assert query(warehouse, """
        select is_declared_empty, total_yuan from marts.mart_three_public
        where department_name = '丹凤县医疗保障局'""") == [(True, D("0.00"))]


def test_revenue_sums_to_the_revenue_total(warehouse):
    """丹凤 prints 财政拨款 and its part 一般公共预算 (4,464,272 each): 4.46 M, not 8.9 M."""
    sums = _by_department(warehouse, """
        select department_name, sum(amount_yuan) from marts.mart_revenue_by_source group by 1""")
    assert sums == REVENUE
    overview = _by_department(warehouse, "select department_name, total_revenue_yuan from marts.mart_budget_overview")
    assert sums == overview
    assert query(warehouse, """
        select fund_source, amount_yuan from marts.mart_revenue_by_source
        where department_name = '漳州市医疗保障局(汇总)' and amount_yuan <> 0 order by 1""") == [
        ("carryover_in", D("5520000.00")), ("general_budget", D("159541900.00"))]
    raw = _by_department(warehouse, """
        select d.department_name, sum(r.amount_yuan),
               sum(r.amount_yuan) filter (where r.is_leaf and r.is_canonical_scope)
        from marts.fct_revenue r join marts.dim_disclosure d using (disclosure_id)
        where r.function_code is null group by 1""")
    assert raw["丹凤县医疗保障局"] == (D("8928544.00"), D("4464272.00"))


def test_spending_by_function_sums_to_the_headlines(warehouse):
    """Σ over the 类 rows, one fund scope per disclosure. 漳州 prints only 7-digit 项 codes: its
    类 rows are rolled up and add the 项's rounding (165,062,000 against a printed 165,061,900 in
    万元, within the DESIGN tolerance); 汾阳's 支出总表 adds up to 1,867.76 万元 where its 合计 says
    1,867.77 (the seeds README's rounding note)."""
    sums = _by_department(warehouse, """
        select department_name, sum(total_yuan), sum(basic_yuan), sum(project_yuan)
        from marts.mart_expenditure_by_function where code_level = '类' group by 1""")
    assert sums == {
        "丹凤县医疗保障局": (D("4464272.00"), D("4104272.00"), D("360000.00")),
        "漳州市医疗保障局(汇总)": (D("165062000.00"), D("55442000.00"), D("109620000.00")),
        "汾阳市医疗保障局": (D("18677600.00"), D("745500.00"), D("17932100.00")),
        "兴隆县医疗保障局本级": (D("65963600.00"), D("2983000.00"), D("62980600.00")),
        "聊城市东昌府区医疗保障局机关": (D("163904100.00"), D("8104600.00"), D("155799500.00")),
    }
    for name, figures in sums.items():  # rounding only: within (n + 1) x 0.005 万元 of the headline
        assert all(abs(mart - printed) <= 200 for mart, printed in zip(figures, HEADLINES[name][:3])), name


def test_spending_by_function_is_one_row_set_per_disclosure(warehouse):
    """兴隆's rows all carry its 单位编码 362001 (a `budget_unit_code is null` filter drops it);
    丹凤's all-funds tables stop at 类, so its scope is the 一般公共预算 that prints 项; 漳州's 款 and
    类 rows are rolled up from its 项 rows."""
    scopes = _by_department(warehouse, """
        select department_name, string_agg(distinct fund_scope, ','), count(*) filter (where code = '2101501'),
               count(*) filter (where is_rolled_up), count(*)
        from marts.mart_expenditure_by_function group by 1""")
    assert scopes["兴隆县医疗保障局本级"] == ("all", 1, 0, 22)
    assert scopes["丹凤县医疗保障局"] == ("general_budget", 1, 0, 16)
    assert scopes["漳州市医疗保障局(汇总)"] == ("all", 1, 10, 24)
    assert query(warehouse, """
        select code, code_level, is_rolled_up, total_yuan from marts.mart_expenditure_by_function
        where department_name = '漳州市医疗保障局(汇总)' and code in ('210', '21015', '2101501') order by code""") == [
        ("210", "类", True, D("153493300.00")), ("21015", "款", True, D("52765300.00")),
        ("2101501", "项", False, D("9024600.00"))]
    # 2101501 行政运行, the README's headline column, read once per disclosure
    assert _by_department(warehouse, """
        select department_name, total_yuan from marts.mart_expenditure_by_function where code = '2101501'""") == {
        "丹凤县医疗保障局": D("616340.00"), "漳州市医疗保障局(汇总)": D("9024600.00"),
        "汾阳市医疗保障局": D("559800.00"), "兴隆县医疗保障局本级": D("4813900.00"),
        "聊城市东昌府区医疗保障局机关": D("5856400.00")}


def test_raw_expenditure_flags_make_the_naive_sum_right(warehouse):
    """fct_expenditure keeps every printing; is_leaf and is_canonical_scope pick each yuan once."""
    raw = _by_department(warehouse, """
        select d.department_name, sum(e.amount_yuan),
               sum(e.amount_yuan) filter (where e.is_leaf and e.is_canonical_scope)
        from marts.fct_expenditure e join marts.dim_disclosure d using (disclosure_id)
        where e.classification = 'function' and e.measure = 'total' group by 1""")
    assert raw["兴隆县医疗保障局本级"] == (D("461745200.00"), D("65963600.00"))
    assert raw["聊城市东昌府区医疗保障局机关"][1] == D("163904100.00")


def test_spending_by_economic_keeps_the_two_systems_apart(warehouse):
    sums = {(r[0], r[1]): r[2:] for r in query(warehouse, """
        select department_name, code_system, any_value(fund_scope), sum(total_yuan), sum(basic_yuan)
        from marts.mart_expenditure_by_economic where code_level = '类' group by 1, 2""")}
    assert sums[("丹凤县医疗保障局", "econ_department")] == ("general_budget", D("4464272.00"), D("4104272.00"))
    assert sums[("丹凤县医疗保障局", "econ_government")] == ("all", D("4464272.00"), None)
    assert sums[("漳州市医疗保障局(汇总)", "econ_department")] == ("general_budget", D("165061900.00"), D("55441900.00"))
    assert sums[("兴隆县医疗保障局本级", "econ_department")] == ("general_budget", None, D("2983000.00"))
    assert sums[("聊城市东昌府区医疗保障局机关", "econ_department")] == ("all", None, D("8104600.00"))
    # 汾阳's 类 rows say 74.56 万元 where its 款 rows and its headline say 74.55
    assert sums[("汾阳市医疗保障局", "econ_department")] == ("general_budget", None, D("745600.00"))


def test_operating_expense_procurement_and_assets_reach_the_marts(warehouse):
    side = _by_department(warehouse, """
        select department_name, operating_expense_yuan, procurement_yuan from marts.mart_budget_overview""")
    assert side == {
        "汾阳市医疗保障局": (D("141400.00"), None),          # 机关运行经费表 部门合计
        "丹凤县医疗保障局": (None, D("0.00")),               # 政府采购表 declared empty (本部门不涉及)
        "兴隆县医疗保障局本级": (None, D("0.00")),           # 无政府采购预算，空表列示
        "聊城市东昌府区医疗保障局机关": (None, None),         # printed with a blank 合计 row
        "漳州市医疗保障局(汇总)": (None, None),
    }
    assert query(warehouse, """
        select d.department_name, a.asset_item, a.is_total, a.amount_yuan
        from marts.fct_state_assets a join marts.dim_disclosure d using (disclosure_id)
        order by a.source_row""") == [
        ("兴隆县医疗保障局本级", "资产总额", True, D("481028.03")),
        ("兴隆县医疗保障局本级", "其他固定资产", False, D("481028.03"))]


@pytest.mark.parametrize("test", [
    "assert_mart_expenditure_by_function_matches_headlines", "assert_mart_expenditure_by_economic_matches_headlines",
    "assert_mart_revenue_by_source_matches_headlines", "assert_mart_three_public_matches_headlines"])
def test_headline_data_tests_pass_on_the_samples(warehouse, test):
    """The dbt data tests (dbt/tests/safe_marts/) that compare each safe mart with
    mart_budget_overview ran in the load's build and passed: a warn would print `WARN n`."""
    log = (warehouse.parent / "build" / "last-load.log").read_text()
    outcomes = re.findall(rf"\b(PASS|WARN \d+|FAIL \d+|ERROR)\s+{test}\b", log)
    assert outcomes == ["PASS"]
