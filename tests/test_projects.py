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
