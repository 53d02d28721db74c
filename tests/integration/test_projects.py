"""Which rows of a 项目支出表 are projects: group and unit subtotals are not, and a row whose
amount happens to equal the sum of the rows below it still is when the table's 合计 says so."""

from __future__ import annotations

from dagster_project.parsing.extract import extract_document

HEADER = "项目名称\t项目类型\t合计\t一般公共预算\t上年结转"


def _projects(rows: list[str]) -> list[tuple[str, str]]:
    text = "\n".join(["某县卫生健康局2024年部门预算", "", "项目支出预算表", "单位：万元", HEADER, *rows, ""])
    extraction = extract_document(text.encode("utf-8"), "projects.txt")
    return [(p.project_name, str(p.amount_yuan)) for t in extraction.tables for p in t.projects]


def test_a_coincidental_sum_below_a_project_does_not_make_it_a_subtotal():
    # 262.47 = 132.82 + 129.65, but the rows add up to the 合计 as printed: all three are projects
    projects = _projects([
        "合计\t\t524.94\t392.12\t132.82",
        "基本公共卫生服务项目（省级资金）\t特定目标类\t262.47\t262.47\t",
        "突发公共卫生事件应急处置经费\t特定目标类\t132.82\t\t132.82",
        "结核病防治经费\t特定目标类\t129.65\t129.65\t",
    ])
    assert projects == [
        ("基本公共卫生服务项目（省级资金）", "2624700.00"),
        ("突发公共卫生事件应急处置经费", "1328200.00"),
        ("结核病防治经费", "1296500.00"),
    ]


def test_a_group_row_over_its_projects_is_not_a_project():
    # 公共卫生 is a group: its 262.47 is its two projects again, and counting it would double them
    projects = _projects([
        "合计\t\t362.47\t362.47\t",
        "公共卫生\t\t262.47\t262.47\t",
        "突发公共卫生事件应急处置经费\t特定目标类\t132.82\t132.82\t",
        "结核病防治经费\t特定目标类\t129.65\t129.65\t",
        "卫生监督经费\t其他运转类\t100.00\t100.00\t",
    ])
    assert projects == [
        ("突发公共卫生事件应急处置经费", "1328200.00"),
        ("结核病防治经费", "1296500.00"),
        ("卫生监督经费", "1000000.00"),
    ]


# -- projects stated only in a 绩效目标表, and the key that ties indicators to projects ---------------

import duckdb  # noqa: E402
import pytest  # noqa: E402

from dagster_project.parsing.performance import project_name_key  # noqa: E402

from tests.published_sample import published_sample  # noqa: E402


XINGLONG = "003_9360114ddfdd9c2c.txt"
FORM_ONLY = "冀财社[2020]147号+中央财政医疗救助补助资金"


@pytest.mark.parametrize("printed, folded", [
    ("2024年中央财政医疗服务与保障能力提升补助资金（医疗保障服务能力建设部分）",
     "2024年中央财政医疗服务与保障能力提升补助资金(医疗保障服务能力建设部分)"),
    ("冀财社〔2020〕147号", "冀财社(2020)147号"),
    ("冀财社[2020]147号", "冀财社(2020)147号"),
    ("冀财社【2020】147号", "冀财社(2020)147号"),
    ("冀财社［２０２０］１４７号", "冀财社(2020)147号"),
    ("“三 公”经费 项目", "三公经费项目"),
])
def test_project_names_fold_width_brackets_and_spaces(printed, folded):
    assert project_name_key(printed) == folded


def test_a_performance_form_states_its_project_with_code_and_amount(extractions):
    """003 prints no 项目支出表 rows, only 23 project forms (项目编码, 项目名称, 预算数 1,077.00 万元 …):
    each is a project, and together they are the report's project spending, 62,980,600.00."""
    forms = [p for t in extractions[XINGLONG].tables if t.kind == "performance_target" for p in t.projects]
    assert len(forms) == 23
    first = next(p for p in forms if p.project_name == FORM_ONLY)
    assert (first.project_code, str(first.amount_yuan), first.fund_source) == (
        "130822213QR79I7RXI65C", "10770000.00", "all")
    assert str(sum(p.amount_yuan for p in forms)) == "62980600.00"


def test_a_department_wide_form_is_no_project(extractions):
    """丹凤's 部门整体支出绩效目标表 and 专项资金总体绩效目标表 measure the whole department: no project."""
    tables = extractions["000_6f7a8188d183d2a4.txt"].tables
    names = [p.project_name for t in tables if t.kind == "performance_target" for p in t.projects]
    assert names == ["打击欺诈骗保专项整治资金", "农合疗经办机构能力建设"]


@pytest.fixture(scope="module")
def warehouse():
    """The samples' published warehouse, shared with the other modules that only read it."""
    return published_sample()


def _rows(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def test_fct_project_has_the_form_only_projects(warehouse):
    rows = _rows(warehouse, """
        select p.project_name, p.project_code, p.amount_yuan, p.origin
        from marts.fct_project p join marts.dim_disclosure d using (disclosure_id)
        where d.department_key = '兴隆县医疗保障局' order by p.amount_yuan desc, p.project_name""")
    assert len(rows) == 23 and {r["origin"] for r in rows} == {"performance_target"}
    form = next(r for r in rows if r["project_name"] == FORM_ONLY)
    assert (form["project_code"], str(form["amount_yuan"])) == ("130822213QR79I7RXI65C", "10770000.00")
    assert str(sum(r["amount_yuan"] for r in rows)) == "62980600.00"


def test_no_project_is_counted_twice(warehouse):
    """A form restating a 项目支出表 row (by folded name, code or unique amount) adds no project, so
    the projects add up to the project spending where the report lists them all (丹凤 360,000,
    汾阳 17,932,100, 东昌府 155,799,500; 兴隆's 23 forms 62,980,600). 漳州 prints no 项目支出表 and
    forms for 6 of its projects only (104,100,000 of 109,620,000)."""
    rows = _rows(warehouse, """
        select o.department_key, o.project_expenditure_yuan, sum(p.amount_yuan) as projects,
               count(*) filter (where p.origin = 'performance_target') as form_only
        from marts.mart_budget_overview o join marts.fct_project p using (disclosure_id)
        group by all order by 1""")
    assert [(r["department_key"], str(r["projects"]), r["form_only"]) for r in rows] == [
        ("丹凤县医疗保障局", "360000.00", 0),
        ("兴隆县医疗保障局", "62980600.00", 23),
        ("汾阳市医疗保障局", "17932100.00", 0),
        ("漳州市医疗保障局", "104100000.00", 6),
        ("聊城市东昌府区医疗保障局", "155799500.00", 0),
    ]


def test_every_project_indicator_has_its_project_key(warehouse):
    missing = _rows(warehouse, """
        select disclosure_id, subject, count(*) as n from marts.fct_performance_indicator
        where project_key is null group by all""")
    assert {r["subject"] for r in missing} <= {"overall"}
    unknown = _rows(warehouse, """
        select count(*) as n from marts.fct_performance_indicator i
        where i.project_key is not null
          and not exists (select 1 from marts.fct_project p where p.project_key = i.project_key)""")
    assert unknown[0]["n"] == 0
    assert _rows(warehouse, "select count(*) as n from marts.fct_performance_indicator where subject <> 'overall'"
                 )[0]["n"] > 400


def test_indicators_find_their_project_across_bracket_widths_and_codes(warehouse):
    """汾阳's 项目支出表 prints '…（医疗保障服务能力建设部分）', its form '…(…)': one project, 11 indicators.
    东昌府's forms print 项目编码 its 项目支出表 leaves out: the project row gets the code."""
    rows = _rows(warehouse, """
        select p.project_name, p.origin, p.amount_yuan, count(i.indicator_id) as n
        from marts.fct_project p join marts.fct_performance_indicator i using (project_key)
        where p.project_name like '%医疗保障服务能力建设部分%' group by all""")
    assert [(r["origin"], str(r["amount_yuan"]), r["n"]) for r in rows] == [
        ("project_expenditure", "520000.00", 11)]
    assert "（" in rows[0]["project_name"]
    coded = _rows(warehouse, """
        select p.project_code, p.origin from marts.fct_project p
        where p.project_name = '长期护理保险财政补助'""")
    assert [(r["project_code"], r["origin"]) for r in coded] == [("371502241002060800023", "project_expenditure")]


def test_a_form_under_another_name_is_matched_by_its_unique_amount(warehouse):
    """丹凤 prints 医保征缴及打击欺诈骗保 (16 万元) in its 项目支出表 and 打击欺诈骗保专项整治资金 (16 万元) over
    its form: the form's indicators belong to the table's project."""
    rows = _rows(warehouse, """
        select i.subject, p.project_name from marts.fct_performance_indicator i
        join marts.fct_project p using (project_key)
        where i.subject = '打击欺诈骗保专项整治资金' group by all""")
    assert [(r["subject"], r["project_name"]) for r in rows] == [("打击欺诈骗保专项整治资金", "医保征缴及打击欺诈骗保")]
