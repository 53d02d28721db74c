"""The users' vocabulary: every slug the pipeline can emit has a Chinese display name in the dbt
seeds (published as marts.dim_*), and mart_data_quality says each finding in Chinese with its
numbers.

The slug lists live once, in the dbt seeds: parsing/vocabulary.py reads measures, fund sources
and money units from dbt/seeds/*.csv, and dbt's relationships tests hold every model to the same
rows. What stays in Python is the mapping from printed words to a slug (vocabulary's word lists,
the classifier's rules, the narrative reader's patterns, the performance reader's operators):
these tests check that every slug a mapping can emit has its seed row, so a new rule without a
seed row fails here instead of failing a load's relationships test."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from dagster_project.parsing import narrative, performance, vocabulary
from dagster_project.parsing.classify import ALL_KINDS
from dagster_project.warehouse.paths import DBT_PROJECT_DIR
from tests.badinputs.generate import cases

from tests.published_sample import published_sample

SEEDS = DBT_PROJECT_DIR / "seeds"


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def keys(name: str, column: str) -> set[str]:
    return {row[column] for row in seed(name)}


def test_python_reads_the_slug_lists_from_the_seeds():
    assert vocabulary.measures() == tuple(r["measure"] for r in seed("measures"))
    assert vocabulary.fund_sources() == tuple(r["fund_source"] for r in seed("fund_sources"))
    assert vocabulary.unit_multipliers() == {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
    assert vocabulary.unit_multipliers().get("个", 1) == 1


def test_importing_the_vocabulary_reads_no_seed():
    """The seeds are read on first use, not at import (a worker that never asks reads nothing)."""
    code = ("import dagster_project.parsing.vocabulary as v; "
            "assert v.seed_rows.cache_info().currsize == 0; v.measure_of('基本支出'); "
            "assert v.seed_rows.cache_info().currsize == 0; v.unit_in('单位：万元'); "
            "assert v.seed_rows.cache_info().currsize == 1")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_measure_a_header_word_maps_to_has_a_chinese_name():
    emitted = {slug for _, slug in vocabulary.MEASURE_WORDS}
    assert emitted == {"reserve", "carryover_out", "transfer_to_superior", "business_operation",
                       "subsidy_to_affiliates", "basic", "personnel", "public_admin", "project"}
    assert emitted - keys("measures", "measure") == set()
    assert {r["measure"]: r["name_zh"] for r in seed("measures")}["public_admin"] == "公用经费"


def test_every_fund_source_a_header_word_maps_to_has_a_chinese_name():
    emitted = {slug for _, slug in vocabulary.FUND_WORDS}
    assert len(emitted) == 12
    assert emitted - keys("fund_sources", "fund_source") == set()


def test_every_unit_of_the_seed_is_recognised_in_a_caption():
    """unit_in's pattern is built from the seed, longest unit first: 单位：万元 is 万元, not 元."""
    for unit in keys("units", "unit"):
        assert vocabulary.unit_in(f"单位：{unit}") == unit
        assert vocabulary.unit_in(f"金额（{unit}）") == unit
    assert vocabulary.unit_in("金额单位: 万 元") == "万元"
    assert vocabulary.unit_in("人次") is None


def test_the_economic_systems_of_the_catalogs_are_those_of_the_seed():
    """catalogs.ECONOMIC_SYSTEMS is a typing Literal (it stays in Python); it must name exactly
    the systems the seed classifications nests under economic, which dbt tests the marts against."""
    from dagster_project.catalogs import ECONOMIC_SYSTEMS

    seeded = {r["system"] for r in seed("classifications") if r["parent_system"] == "economic"}
    assert set(ECONOMIC_SYSTEMS) == seeded == {"econ_department", "econ_government"}


def test_every_operator_the_performance_reader_emits_is_in_the_seed():
    emitted = set(performance._OPERATORS.values())
    assert emitted == {"≥", "≤", ">", "<", "="}
    assert emitted - keys("target_operators", "operator") == set()


def test_every_table_kind_the_classifier_emits_has_a_chinese_title():
    assert set(ALL_KINDS) - keys("table_kinds", "table_kind") == set()
    titles = {r["table_kind"]: r["name_zh"] for r in seed("table_kinds")}
    assert titles["general_budget_expenditure"] == "一般公共预算支出表"
    assert titles["three_public"] == "“三公”经费支出表"


def test_every_three_public_item_has_a_chinese_name_and_nests():
    emitted = {slug for _, slug in vocabulary.THREE_PUBLIC_ITEMS}
    emitted |= {code for _, _, topic, code, _ in narrative._PATTERNS if topic == "three_public"}
    rows = {r["item"]: r for r in seed("three_public_items")}
    assert emitted - set(rows) == set()
    assert rows["vehicle_purchase"]["parent_item"] == "vehicle_total"
    assert rows["reception"]["name_zh"] == "公务接待费"
    assert {r["parent_item"] for r in rows.values()} - set(rows) == {""}


def narrative_topics() -> set[str]:
    """Topics the narrative reader can give a stated amount: those of its word patterns ('both'
    stands for revenue and expenditure totals) and those it builds in code."""
    topics = {topic for _, _, topic, _, _ in narrative._PATTERNS if topic}
    topics |= set(re.findall(r'_Topic\("([a-z_]+)"', Path(narrative.__file__).read_text(encoding="utf-8")))
    topics |= set(getattr(narrative, "TOPICS", ()))  # the reader's own list, where it keeps one
    return (topics - {"both"}) | {"total_revenue", "total_expenditure"}


def test_every_narrative_check_has_a_chinese_name():
    assert {"narrative_" + t for t in narrative_topics()} - keys("quality_checks", "check_kind") == set()
    rows = {r["check_kind"]: r for r in seed("quality_checks")}
    assert rows["parent_children"]["actual_zh"] == "下级合计"
    assert {r["check_scope"] for r in rows.values()} == {"within_table", "cross_table", "narrative", "metadata"}


def test_every_status_and_reason_of_the_bad_inputs_has_a_chinese_name():
    """docs/bad-inputs.md's cases: each status has a row in statuses.csv, and each reason is
    recognised by a pattern of dim_status_reason for that status."""
    statuses = keys("statuses", "status")
    reasons = seed("status_reasons")
    unmatched = []
    for case in cases():
        if case.status is None:
            continue
        assert case.status in statuses
        if case.status == "ok" or case.in_notes or not case.message:
            continue
        if not any(r["status"] == case.status and re.search(r["pattern"], case.message) for r in reasons):
            unmatched.append((case.path, case.status, case.message))
    assert unmatched == []
    assert {r["status"] for r in reasons} <= statuses


def test_every_seed_column_has_a_declared_type():
    """Seeds are typed in dbt_project.yml, not guessed by agate (an all-digit slug would become a number)."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    config = project["seeds"]["budget_warehouse"]
    for path in SEEDS.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert set(config[path.stem]["+column_types"]) == set(header), path.name


@pytest.fixture(scope="module")
def warehouse() -> Path:
    return published_sample()


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_findings_in_chinese_name_the_table_code_and_numbers(warehouse):
    """The two publisher findings of the samples (seeds README): 兴隆's 支出总表 prints 208 =
    48.84 万元 in 基本支出 while its 款 add up to 53.84; 东昌府's narrative says 15,579.50 万元 of
    project money where the tables print 15,579.95. Once each: the narrative restates the same
    slip for the projects chosen for evaluation, which may not exceed the total and passes."""
    rows = query(warehouse, """
        select d.department_name, q.check_kind, q.verdict, q.finding_zh
        from marts.mart_data_quality q join marts.dim_disclosure d using (disclosure_id)
        where q.verdict <> 'pass' order by 1""")
    assert rows == [
        ("兴隆县医疗保障局本级", "parent_children", "fail",
         "支出总表 208 类（基本支出列，单位 362001）：列示 488,400 元，下级合计 538,400 元，差 50,000 元"),
        ("聊城市东昌府区医疗保障局机关", "narrative_project_amount", "warn",
         "说明第 104 行“预算资金 15,579.50 万元”：说明列示 155,795,000 元，收支/支出总表列示 155,799,500 元，"
         "差 4,500 元"),
    ]
    overview = dict(query(warehouse, """
        select department_name, n_quality_findings from marts.mart_budget_overview
        where department_name in ('兴隆县医疗保障局本级', '聊城市东昌府区医疗保障局机关')"""))
    assert overview == {"兴隆县医疗保障局本级": 1, "聊城市东昌府区医疗保障局机关": 1}


def test_passing_checks_have_no_finding_and_the_slip_is_listed_once(warehouse):
    assert query(warehouse, """
        select count(*) filter (where verdict = 'pass' and finding_zh is not null),
               count(*) filter (where verdict <> 'pass' and finding_zh is null)
        from marts.mart_data_quality""") == [(0, 0)]
    # the project money of 东昌府's line 104, stated twice in one sentence: the equal statement
    # and the at-most one (projects chosen for evaluation), never the same statement twice
    assert query(warehouse, """
        select comparison, expected_yuan, verdict from marts.mart_data_quality
        where check_kind = 'narrative_project_amount' and location like 'narrative line 104:%'
        order by comparison""") == [("at_most", Decimal("155795000.00"), "pass"),
                                    ("equal", Decimal("155795000.00"), "warn")]


def test_every_slug_of_the_marts_joins_its_chinese_name(warehouse):
    """What a BI user does: join a fact's slug to its dim. No slug is left without a name."""
    assert query(warehouse, """
        select count(*), count(m.name_zh), count(f.name_zh), count(k.name_zh), count(c.name_zh)
        from marts.fct_expenditure e
        left join marts.dim_measure m using (measure)
        left join marts.dim_fund_source f using (fund_source)
        left join marts.dim_table_kind k on k.table_kind = e.source_table_kind
        left join marts.dim_classification c on c.system = e.classification""")[0][1:] == (
        query(warehouse, "select count(*) from marts.fct_expenditure")[0][0],) * 4
    assert query(warehouse, """
        select i.name_zh, sum(t.amount_yuan) from marts.fct_three_public t
        join marts.dim_three_public_item i using (item)
        join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = '汾阳市医疗保障局' and t.value_year = 2024 and t.fund_source = 'general_budget'
        group by 1 order by 1""") == [
        ("“三公”经费合计", Decimal("75000.00")), ("公务用车购置及运行费", Decimal("75000.00")),
        ("公务用车运行费", Decimal("75000.00"))]
    assert query(warehouse, """
        select s.name_zh, count(*) from marts.dim_document d join marts.dim_status s using (status)
        group by 1""") == [("已入库", 5)]
    assert query(warehouse, """
        select q.name_zh from marts.mart_data_quality m join marts.dim_quality_check q using (check_kind)
        where m.verdict = 'fail'""") == [("上级科目等于下级科目之和",)]
