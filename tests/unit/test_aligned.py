"""Space-aligned tables (pdftotext -layout, pdfplumber layout=True) on small inline dumps.

Each dump is built with `at`, which prints words at the positions a layout dump gives them
(one position per character, CJK included), so the tests state exactly the geometry they test.
"""

from __future__ import annotations

from dagster_project.readers.aligned import chunks, find_aligned_tables
from dagster_project.readers.text import parse_text


def at(*words: tuple[int, str]) -> str:
    line = ""
    for pos, word in words:
        assert pos >= len(line) + (1 if line else 0), (pos, word, line)
        line = line.ljust(pos) + word
    return line


def grid(lines: list[str]) -> list[list[str]]:
    (table,) = find_aligned_tables(lines)
    return table.rows


FUNCTION_TABLE = [
    at((6, "部门：某某办公厅"), (60, "单位：万元")),
    at((14, "功能科目代码"), (36, "功能科目名称"), (58, "金额")),
    at((38, "合计")),
    at((58, "9,066.79")),
    "",
    at((6, "201"), (30, "一般公共服务支出"), (58, "6,463.55")),
    at((6, "2010201"), (30, "行政运行"), (58, "3,233.03")),
    at((6, "2010205"), (30, "委员视察"), (60, "429.30")),
    at((6, "208"), (30, "社会保障和就业支出"), (58, "1,509.72")),
]


def test_columns_from_starts_and_right_aligned_numbers():
    rows = grid(FUNCTION_TABLE)
    assert rows[0] == ["部门：某某办公厅", "", "单位：万元"]
    assert rows[1] == ["功能科目代码", "功能科目名称", "金额"]
    # '合计' alone on its line, its amount on the next: one row
    assert rows[2] == ["", "合计", "9,066.79"]
    # ragged right-aligned numbers ('429.30' starts two positions later) stay in their column
    assert rows[5] == ["2010205", "委员视察", "429.30"]
    assert len(rows) == 7


def test_cell_lines_trace_each_amount_to_its_own_line():
    (table,) = find_aligned_tables(FUNCTION_TABLE)
    assert table.row_lines[2] == 2
    assert table.cell_lines[2] == [2, 2, 3]  # label on line 2, amount on line 3 (0-based)
    (raw,) = parse_text("\n".join(FUNCTION_TABLE))[0]
    assert raw.layout == "aligned"
    assert raw.cell_lines[2][2] == 4 and raw.row_lines[2] == 3  # 1-based in RawTable


SUMMARY_TABLE = [
    at((12, "项目名称"), (26, "金额"), (38, "功能科目名称"), (54, "金额")),
    "",
    at((4, "一、财政拨款"), (22, "9,066.79"), (31, "一、一般公共服务支出"), (50, "6,543.55")),
    "",
    at((6, "1.一般公共预算"), (22, "9,066.79"), (31, "二、外交支出"), (50, "3,123.68")),
    at((4, "二、其他资金"), (25, "80.00"), (31, "三、国防支出")),
    at((12, "收入合计"), (22, "9,146.79"), (42, "支出合计"), (50, "9,146.79")),
]


def test_word_pushed_by_a_number_and_centred_totals():
    rows = grid(SUMMARY_TABLE)
    assert rows[0] == ["项目名称", "金额", "功能科目名称", "金额"]
    # '9,066.79 一、一般公共服务支出': one blank only, the number pushed the label along
    assert rows[1] == ["一、财政拨款", "9,066.79", "一、一般公共服务支出", "6,543.55"]
    assert rows[3] == ["二、其他资金", "80.00", "三、国防支出", ""]
    # labels centred in their cells still belong to the label columns, never to the numbers
    assert rows[4] == ["收入合计", "9,146.79", "支出合计", "9,146.79"]


def test_single_blank_splits_only_at_amounts():
    assert [c.text for c in chunks("9,066.79 一、一般公共服务支出")] == ["9,066.79", "一、一般公共服务支出"]
    assert [c.text for c in chunks("13,377.11 万元")] == ["13,377.11 万元"]  # a unit reads with its number
    assert [c.text for c in chunks("其他 交通费用   2.00")] == ["其他 交通费用", "2.00"]
    assert [(c.start, c.pushed) for c in chunks("a  9.00 b")] == [(0, False), (3, False), (8, True)]


def test_full_width_spaces_are_blank_positions():
    lines = [
        "科目名称\u3000\u3000\u3000\u3000金额",
        "基本工资\u3000\u3000\u3000\u3000737.94",
        "津贴补贴\u3000\u3000\u3000\u30001,263.76",
    ]
    assert grid(lines) == [["科目名称", "金额"], ["基本工资", "737.94"], ["津贴补贴", "1,263.76"]]


def test_header_over_numbers_and_a_column_without_data():
    lines = [
        at((6, "部门：某某办公厅"), (62, "单位：万元")),
        "",
        at((8, "合计"), (20, "基本支出"), (34, "项目支出"), (50, "结转下年资金")),
        "",
        "",
        at((12, "9,146.79"), (26, "5,916.27"), (40, "3,223.68")),
    ]
    assert grid(lines) == [
        ["部门：某某办公厅", "", "", "单位：万元"],  # a caption founds no column
        ["合计", "基本支出", "项目支出", "结转下年资金"],
        ["9,146.79", "5,916.27", "3,223.68", ""],
    ]


def test_wrapped_label_joins_the_row_above():
    lines = [
        at((4, "项目名称"), (24, "金额")),
        at((4, "1.一般公共预算"), (22, "9,066.79")),
        at((4, "2.政府性基金预"), (25, "80.00")),
        at((4, "算")),
        at((4, "二、专项收入")),
        at((4, "3.其他"), (25, "10.00")),
        "",
        at((4, "注：本表金额保留两位小数")),
    ]
    (table,) = find_aligned_tables(lines)
    assert table.rows[2] == ["2.政府性基金预算", "80.00"]
    assert table.cell_lines[2] == [2, 2]
    # a label of its own (numbered, not cut off) is a row, not a fragment
    assert table.rows[3] == ["二、专项收入", ""]
    # a note under the grid is not a row
    assert table.rows[-1] == ["3.其他", "10.00"] and table.end == 6


def test_label_wrapped_around_the_middle_line_of_its_row():
    lines = [
        at((4, "经济科目"), (20, "采购物品名称"), (40, "组织形式"), (56, "总计")),
        at((4, "会议费"), (56, "952.65")),
        at((20, "车辆及其他运输机械租赁")),
        at((40, "分散自行组织"), (57, "60.00")),
        at((20, "服务")),
        at((20, "会议服务"), (40, "分散自行组织"), (56, "892.65")),
    ]
    rows = grid(lines)
    assert rows[2] == ["", "车辆及其他运输机械租赁服务", "分散自行组织", "60.00"]
    assert rows[3] == ["", "会议服务", "分散自行组织", "892.65"]


def test_letter_spaced_word_is_one_cell_but_single_columns_stay_apart():
    assert [c.text for c in chunks("   合    计      基本支出")] == ["合    计", "基本支出"]
    assert [c.text for c in chunks("类   款   项    科目名称")] == ["类", "款", "项", "科目名称"]


def test_stacked_header_with_a_sub_column_without_data():
    lines = [
        at((30, "公务用车购置及运行维护费")),
        at((6, "合计"), (58, "会议费")),
        at((17, "因公出国"), (28, "小计"), (48, "公务用车")),
        at((17, "（境）费"), (37, "公务用车"), (48, "运行费")),
        at((37, "购置费")),
        "",
        at((6, "1,467.70"), (18, "70.00"), (27, "411.20"), (48, "411.20"), (58, "933.50")),
    ]
    rows = grid(lines)
    header = list(zip(*rows[:-1]))  # each column's header words, top to bottom
    assert rows[-1] == ["1,467.70", "70.00", "411.20", "", "411.20", "933.50"]
    assert header[0][-1] == "合计" and header[5][-1] == "会议费"
    assert header[1][-2:] == ("因公出国", "（境）费")
    assert header[3][-2:] == ("公务用车", "购置费")  # a column of its own, though blank below
    assert header[4][-2:] == ("公务用车", "运行费")
    # columns with fewer header levels repeat their top word: no blank header cell
    assert all(all(cells) for cells in header)


def test_narrative_is_never_a_table():
    lines = [
        "    江苏省政协办公厅           2019 年度收入、支出预算总计            13,377.11",
        "万元，与上年相比收、支预算总计各增加                      3,226.63  万元，增长",
        "31.79%。主要原因是政策性增资、住房公积金和提租补贴调整。",
        "",
        "    根据《江苏省财政厅关于编制省级  2017  年部门预算和",
        "2017-2019   年财政规划的通知》文件精神，按照规定的",
        "    （二）公用经费       1,131.92 万元",
        "    商品和服务支出（类）1,131.92   万元",
    ]
    assert find_aligned_tables(lines) == []


def test_a_page_break_ends_a_grid_but_a_continuation_keeps_its_columns():
    page1 = [
        at((4, "名称"), (20, "类别"), (40, "金额")),
        at((4, "甲"), (20, "货物"), (40, "10.00")),
        at((4, "乙"), (20, "服务"), (41, "9.00")),
    ]
    page2 = [at((20, "货物"), (40, "12.00")), at((20, "服务"), (41, "1.00"))]
    lines = page1 + ["", ""] + page2
    first, second = find_aligned_tables(lines, frozenset({len(page1) + 1}))
    assert len(first.rows[0]) == len(second.rows[0]) == 3
    assert second.rows == [["", "货物", "12.00"], ["", "服务", "1.00"]]
    # with a title in between, page 2 is a grid of its own, with its own columns
    titled = page1 + ["", "续表二"] + page2
    _, alone = find_aligned_tables(titled, frozenset({len(page1) + 1}))
    assert alone.rows == [["货物", "12.00"], ["服务", "1.00"]]
    # without a page break between them, the blank lines alone decide
    assert len(find_aligned_tables(page1 + [""] * 5 + page2)) == 2
    assert len(find_aligned_tables(page1 + [""] * 2 + page2)) == 1


def test_two_grids_printed_one_after_the_other_are_cut_at_the_title():
    first = [
        at((4, "序号"), (12, "报表名称"), (40, "是否空表")),
        at((4, "表1"), (12, "收支总表"), (40, "否")),
        at((4, "表2"), (12, "收入总表"), (40, "否")),
    ]
    second = [
        at((4, "项目"), (30, "预算数")),
        at((4, "一般公共预算拨款"), (28, "4,464,272.00")),
        at((4, "上级补助收入"), (33, "800.00")),
    ]
    lines = first + ["", "部门综合预算收支总表", "", "单位：元"] + second
    a, b = find_aligned_tables(lines)
    assert a.rows[-1] == ["表2", "收入总表", "否"]
    assert b.rows == [["项目", "预算数"], ["一般公共预算拨款", "4,464,272.00"], ["上级补助收入", "800.00"]]
    # a list of table titles without any amount stays one grid (a 目录)
    toc = [at((4, "第一部分"), (16, "部门概况")), "一、收支总表", at((4, "第二部分"), (16, "预算报表"))]
    assert len(find_aligned_tables(toc)) == 1


def test_a_next_page_that_does_not_line_up_is_a_grid_of_its_own():
    page1 = [at((4, "名称"), (20, "金额")), at((4, "甲"), (20, "10.00")), at((4, "乙"), (21, "9.00"))]
    page2 = [at((10, "丙"), (40, "类别"), (60, "12.00")), at((10, "丁"), (40, "服务"), (61, "1.00"))]
    first, second = find_aligned_tables(page1 + [""] + page2, frozenset({len(page1) + 1}))
    assert len(first.rows[0]) == 2 and second.rows == [["丙", "类别", "12.00"], ["丁", "服务", "1.00"]]
