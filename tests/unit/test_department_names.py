"""Who published a report: the department name read from captions, grid rows, the cover, the
narrative and the last page (parsing/document.py).

The pure-function tests put real department and unit names of many forms (街道办事处, 学校,
中心, 支队, 指挥部, 国家…局, 委员会, 医院, 监狱, …) into the lines publishers print around them. The
fourteen real disclosures of ../shared/realpdf/wild are read end to end, their publishers
compared with the names read by hand in that folder's README, by
tests/integration/test_realpdf_wild.py (test_every_report_loads_under_its_publishers_name).
"""

from __future__ import annotations

import re

import pytest

from dagster_project.text.cells import fold
from dagster_project.parsing.document import (
    department_key,
    find_department,
    find_published_date,
    is_org_name,
    labelled_name,
    table_department,
)


# Real budget publishers, one or more of each organisation form.
NAMES = [
    # 街道办事处 / 办事处 / 镇人民政府
    "北京市朝阳区人民政府建外街道办事处",
    "上海市普陀区人民政府万里街道办事处",
    "上海市浦东新区人民政府陆家嘴街道办事处",
    "广州市天河区人民政府石牌街道办事处",
    "深圳市南山区粤海街道办事处",
    "江苏省人民政府驻北京办事处",
    "北京市门头沟区妙峰山镇人民政府",
    # 国家…局 and other central bodies
    "国家信访局",
    "国家税务总局",
    "国家统计局",
    "国家林业和草原局",
    "国家知识产权局",
    "国家药品监督管理局",
    "国家税务总局上海市税务局",
    "国务院办公厅",
    "外交部",
    "财政部",
    "海关总署",
    "审计署",
    "最高人民法院",
    "中央广播电视总台",
    "新华通讯社",
    "中华全国供销合作总社",
    "中华全国总工会",
    "中国红十字会总会",
    "中国科学技术协会",
    "中国国家图书馆",
    "中共中央党校",
    # 委员会 / 委 / 办公厅 / 办公室 / 研究室
    "上海市教育委员会",
    "北京市发展和改革委员会",
    "江苏省卫生健康委员会",
    "北京市西城区卫生健康委员会",
    "苏州工业园区管理委员会",
    "中国（上海）自由贸易试验区临港新片区管理委员会",
    "中国共产党江苏省委员会办公厅",
    "中国人民政治协商会议江苏省委员会办公厅",
    "中共江苏省委办公厅",
    "江苏省政协办公厅",
    "中共上海市委宣传部",
    "中共江苏省委政策研究室",
    "广州市人民政府办公厅",
    "北京市重大项目建设指挥部办公室",
    "长沙职业教育基地综合协调办公室",
    # 局 (city and county bureaus, sub-bureaus)
    "长沙市教育局",
    "重庆市气象局",
    "杭州市司法局",
    "烟台市统计局",
    "北京市财政局",
    "漳州市医疗保障局",
    "深圳市规划和自然资源局大鹏管理局",
    "深圳市社会保险基金管理局",
    "武汉市公安局交通管理局",
    # 支队 / 大队 / 总队
    "广州市公安局交通警察支队",
    "福州市公安局巡特警支队",
    "厦门市公安局交通警察支队",
    "昆山市公安局交通警察大队",
    "上海市公安局特警总队",
    "北京市消防救援总队",
    # 指挥部
    "杭州市钱江新城建设指挥部",
    # 中心
    "泉州市市场监管综合监测与技术保障中心",
    "珠海市政府投资交通市政项目工务中心",
    "北京市住房公积金管理中心",
    "上海市大数据中心",
    "北京市公园管理中心",
    "北京市朝阳区双井社区卫生服务中心",
    # 学校 / 大学 / 学院 / 中学 / 小学 / 幼儿园
    "上海科技大学附属学校",
    "上海市实验学校",
    "北京市盲人学校",
    "北京大学",
    "清华大学",
    "浙江警察学院",
    "北京市第四中学",
    "南京师范大学附属中学",
    "南京市琅琊路小学",
    "北京市第一幼儿园",
    # 医院 / 科学院 / 研究所
    "北京协和医院",
    "上海市第一人民医院",
    "杭州市中医院",
    "北京市农林科学院",
    "广东省社会科学院",
    "中国科学院上海有机化学研究所",
    # 法院 / 检察院
    "北京市高级人民法院",
    "上海市人民检察院",
    "广州互联网法院",
    # 监狱 / 戒毒所
    "北京市监狱",
    "上海市提篮桥监狱",
    "广东省女子监狱",
    "北京市天堂河强制隔离戒毒所",
    # 馆 / 院 / 站 / 台 / 处
    "上海博物馆",
    "首都博物馆",
    "南京博物院",
    "广州市档案馆",
    "上海市水文总站",
    "北京市救助管理站",
    "北京市气象台",
    "北京市颐和园管理处",
    "北京市方正公证处",
    # 会 (people's organisations)
    "北京市妇女联合会",
    "广东省归国华侨联合会",
    "上海市红十字会",
    "中国残疾人福利基金会",
    # 园 / 宫 / 场
    "北京市植物园",
    "北京市少年宫",
    "北京市西山试验林场",
]

# Captions that introduce the publisher, in the forms templates print them.
CAPTIONS = [
    "编制部门：{}",
    "编制单位:{}",
    "预算单位：{}",
    "填报单位：{}  2026年度",
    "单位名称：{}　　　单位：万元",
    "部门（单位）：{}",
    "部门(单位): {}",
    "部门：{}",
    "部门:{}   金额单位:万元",
    "部门名称：{}",
    "部门名称：{}（盖章）",
    "部门名称 {}",
    "收支预算总表 部门：{} 单位：万元",
]


def test_names_are_many_and_distinct():
    assert len(NAMES) >= 60 and len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_reads_as_an_organisation(name):
    assert is_org_name(name)


@pytest.mark.parametrize("name", NAMES)
def test_name_from_every_caption_form(name):
    for caption in CAPTIONS:
        line = caption.format(name)
        assert find_department([line], []) == (name, None), line
        assert table_department("收支总表", [line]) == name, line


@pytest.mark.parametrize("name", NAMES)
def test_name_from_the_cover(name):
    cover = ["2026年度", name, "部门预算", "目 录", "第一部分 部门概况", "一、主要职能"]
    assert find_department([], cover) == (fold(name), None)
    assert find_department([], [f"{name}2026年度部门预算", "目录"])[0] == fold(name)


@pytest.mark.parametrize("name", [n for n in NAMES if len(n) >= 6])
def test_name_broken_over_two_cover_lines(name):
    """A cover prints a long name over two lines; the narrative prints it unbroken."""
    half = len(name) // 2
    cover = ["2026年度", name[:half], name[half:], "单位预算", "目 录", f"{name}的主要职责是："]
    assert find_department([], cover)[0] == fold(name)


def test_broken_name_whose_second_line_starts_with_a_conjunction():
    """No other mention needed: '与技术保障中心' cannot start a name."""
    cover = ["2026年度", "泉州市市场监管综合监测", "与技术保障中心", "单位预算", "目 录"]
    assert find_department([], cover)[0] == "泉州市市场监管综合监测与技术保障中心"


def test_broken_title_with_year_before_and_budget_after():
    cover = ["2026年深圳市规划和自然资源局大鹏", "管理局部门预算", "目录", "一、文字部分"]
    assert find_department([], cover)[0] == "深圳市规划和自然资源局大鹏管理局"


def test_a_full_name_is_not_joined_with_a_date_line():
    cover = ["国家信访局", "二〇二六年三月", "目录"]
    assert find_department([], cover)[0] == "国家信访局"


@pytest.mark.parametrize("name", NAMES[::3])
def test_name_from_a_labelled_narrative_line(name):
    """The cover's '预算单位：X' (the tables name no one), and the label on a line of its own
    with the name broken onto the next line."""
    text = ["上海市2026年市级单位预算", f"预算单位：{name}", "目 录", "一、单位主要职能"]
    assert find_department([], text)[0] == fold(name)
    half = len(name) // 2
    if len(name) >= 6:
        broken = ["目 录", f"编制单位：{name[:half]}", name[half:], f"{name}主要职能"]
        assert find_department([], broken)[0] == fold(name)


@pytest.mark.parametrize("name", NAMES[1::3])
def test_name_from_the_last_page_performance_form(name):
    """A tables-only file prints its department only in the 部门整体支出绩效目标表 on its last
    page, as a grid row '部门名称 | | X' or as a text line '部门名称 X'."""
    rows = [
        ["预算13表 部门整体支出绩效目标表", "", "", ""],
        ["（2026年度）", "", "", ""],
        ["部门名称", "", name, ""],
        ["总体资金情况（万元）", "", "预算支出总额", "财政拨款"],
    ]
    assert find_department(["金额单位：万元"], [], rows) == (name, None)
    text = ["预算13表 部门整体支出绩效目标表", "（2026年度）", f"部门名称 {name}", "总体资金情况（万元）"]
    assert find_department([], text)[0] == fold(name)


@pytest.mark.parametrize("name", NAMES[2::3])
def test_name_before_a_year_in_the_narrative(name):
    filler = ["目录", "第一部分 部门概况", "一、主要职能"] * 6
    text = [*filler, f"{name}2026年度收入、支出预算总计1,234.56万元，与上年相比增加1.00万元。"]
    assert find_department([], text)[0] == fold(name)


@pytest.mark.parametrize(
    "printed",
    ["杭州市司法局（本级）", "杭州市司法局(本级)", "兴隆县医疗保障局本级", "聊城市东昌府区医疗保障局机关",
     "漳州市医疗保障局(汇总)", "杭州市司法局（汇总）", "上海市普陀区人民政府万里街道办事处（本部）"],
)
def test_scope_remark_after_the_name(printed):
    """The remark stays in the name as printed; the department key drops it (and shortens
    人民政府 as every key does)."""
    assert find_department([f"部门名称：{printed}"], []) == (printed, None)
    assert find_department([], ["2024年度", printed, "部门预算"])[0] == fold(printed)
    assert department_key(printed) == re.sub(r"[(（].*[)）]|本级$|机关$|人民政府(?=万里)", "", printed)


@pytest.mark.parametrize("names, key", [
    (["中国共产党江苏省委员会办公厅", "中共江苏省委办公厅", "江苏省委办公厅", "中共江苏省委办公厅（本级）"],
     "中共江苏省委办公厅"),
    (["中国人民政治协商会议江苏省委员会办公厅", "江苏省政协办公厅", "江苏省政协办公厅部门"], "江苏省政协办公厅"),
    (["江苏省人民代表大会常务委员会办公厅", "江苏省人大常委会办公厅"], "江苏省人大常委会办公厅"),
    (["广州市人民政府办公厅", "广州市政府办公厅", "广州市人民政府办公厅（汇总）"], "广州市政府办公厅"),
    (["上海市普陀区人民政府万里街道办事处", "上海市普陀区万里街道办事处", "上海市普陀区万里街道办事处 本级"],
     "上海市普陀区万里街道办事处"),
    (["北京市门头沟区妙峰山镇人民政府", "北京市门头沟区妙峰山镇政府"], "北京市门头沟区妙峰山镇政府"),
    (["江苏省卫生健康委员会", "江苏省卫生健康委", "江苏省卫生健康委员会部门"], "江苏省卫生健康委"),
    (["漳州市医疗保障局（汇总）", "漳州市医疗保障局(汇总)", "漳州市医疗保障局 ", "漳州市医疗保障局"], "漳州市医疗保障局"),
])
def test_one_key_for_every_printing_of_a_department(names, key):
    """The standard abbreviations (DEPARTMENT_ABBREVIATIONS), full/half width, spaces and the
    remarks after a name (本级, (汇总), 部门) all fold into one key."""
    assert {department_key(name) for name in names} == {key}


@pytest.mark.parametrize("a, b", [
    ("苏州市医疗保障局", "无锡市医疗保障局"),
    ("中共江苏省委办公厅", "中共浙江省委办公厅"),
    ("江苏省政协办公厅", "江苏省政府办公厅"),
    ("外交部", "商务部"),
])
def test_departments_of_other_places_or_bodies_keep_their_own_key(a, b):
    assert department_key(a) != department_key(b)


def test_a_word_ending_in_a_remark_is_not_cut():
    """部门 and 机关 are cut only when an organisation name is left: 外交部 stays."""
    assert department_key("外交部") == "外交部"
    assert department_key("江苏省机关事务管理局") == "江苏省机关事务管理局"


# -- the published date ------------------------------------------------------------------------------

COVER = ["聊城市东昌府区医疗保障局", "2024年单位预算", "2024年1月26日"]
BODY = ["第一部分 单位概况", "2024年收入预算总计16,390.41万元。"] * 10


def test_published_date_is_the_covers_date():
    assert find_published_date([*COVER, *BODY], 2024) == "2024-01-26"


def test_published_date_under_the_publishers_name_at_the_end():
    lines = [*BODY, "聊城市东昌府区医疗保障局", "2023年12月29日"]
    assert find_published_date(lines, 2024) == "2023-12-29"
    signed = [*BODY, "聊城市东昌府区医疗保障局 2024年2月1日"]
    assert find_published_date(signed, 2024, "聊城市东昌府区医疗保障局") == "2024-02-01"


def test_a_date_in_an_attached_policy_is_not_the_published_date():
    """002 appends its finance bureau's notice, signed and issued 2022年1月4日, to its 2024 budget."""
    attached = ["汾阳市财政局文件", "汾财综〔2022〕4号", "汾阳市财政局", "2022年1月4日", "2022年1月4日印发"]
    assert find_published_date([*BODY, *attached], 2024) is None
    # the attachment's letterhead ends the report even when its date would fit the year
    late = ["附件", "关于印发某办法的通知", "某市财政局", "2024年3月1日"]
    assert find_published_date([*COVER[:2], *BODY, *late], 2024) is None


def test_an_as_of_date_in_a_sentence_is_not_the_published_date():
    lines = [*BODY, "截至2023年12月31日，本单位共有车辆0辆。", "自2024年1月1日起执行。"]
    assert find_published_date(lines, 2024) is None


def test_a_date_outside_the_fiscal_year_and_the_one_before_is_not_the_published_date():
    assert find_published_date([*BODY, "2021年11月10日"], 2024) is None
    assert find_published_date([*BODY, "2021年11月10日"], 2022) == "2021-11-10"


def test_no_sample_prints_a_published_date(extractions):
    """None of the five samples prints its publication date: 001 and 004 print only 截至2023年12月31日
    (vehicles owned), 002 only the dates of its appended 2022 policy notice."""
    assert {name: e.document.published_date for name, e in extractions.items()} == dict.fromkeys(extractions)


def test_budget_unit_code_caption():
    assert find_department(["362001兴隆县医疗保障局本级"] * 3, []) == ("兴隆县医疗保障局本级", "362001")


def test_a_function_code_line_is_no_unit_code_caption():
    assert find_department(["2010101行政运行", "2080501行政单位离退休"], []) == (None, None)


def test_captions_win_over_rows_naming_sub_units():
    """A consolidated report's project forms name the implementing unit on every form."""
    rows = [["单位名称", "杭州市东郊监狱"], ["项目名称", "监管改造经费"]] * 5
    assert find_department(["部门名称：杭州市司法局", "单位：万元"], [], rows)[0] == "杭州市司法局"


def test_the_name_printed_most_often_wins_counting_its_forms_together():
    captions = ["部门：中共江苏省委办公厅"] * 2 + ["部门：中国共产党江苏省委员会办公厅"] + ["部门：江苏省政协办公厅"] * 2
    assert find_department(captions, [])[0] == "中共江苏省委办公厅"


def test_captions_win_over_the_narrative():
    captions = ["编制单位：上海科技大学附属学校", "单位：元"]
    text = ["上海市2026年市级单位预算", "预算单位：上海市教育委员会"]
    assert find_department(captions, text)[0] == "上海科技大学附属学校"


def test_table_department_from_a_title_prefix():
    assert table_department("杭州市司法局2026年部门收支预算总表", ["单位：万元"]) == "杭州市司法局"
    assert table_department("2026年部门收支预算总表", ["单位：万元"]) is None


# -- what is not the publisher --------------------------------------------------------------------


@pytest.mark.parametrize(
    "caption",
    ["预算主管部门：上海市普陀区人民政府", "资金主管部门:重庆市气象局", "上级主管部门：长沙市教育局",
     "直属事业单位：东郊国宾馆", "所属单位：上海市普陀区万里街道社区事务受理服务中心",
     "实施单位：北京市公园管理中心"],
)
def test_a_parent_or_sub_unit_label_names_no_publisher(caption):
    assert labelled_name(caption) is None
    assert find_department([caption], [caption]) == (None, None)


def test_parent_on_a_shanghai_cover_is_not_the_publisher():
    text = ["上海市2026年市级单位预算", "预算主管部门：上海市教育委员会", "目 录", "一、单位主要职能",
            "上海科技大学附属学校主要职能"]
    assert find_department([], text)[0] != "上海市教育委员会"


@pytest.mark.parametrize("caption", ["单位：万元", "单位:元", "金额单位：万元", "单位：千元", "计量单位：万元",
                                     "预算数（单位：万元）", "单位名称 合计 一般公共预算拨款收入"])
def test_units_and_headers_are_no_names(caption):
    assert find_department([caption], [caption]) == (None, None)


def test_unit_caption_is_not_joined_with_the_next_line():
    """'部门：中国共产党江苏省委员会办' / '单位：万元' / '公厅': '万元公厅' is no name."""
    text = ["收入预算总表", "部门：中国共产党江苏省委员会办", "单位：万元", "公厅"] + [
        "支出预算总表", "部门：中国共产党江苏省委员会办公厅", "单位：万元"] * 2
    assert find_department([], text)[0] == "中国共产党江苏省委员会办公厅"


def test_parent_in_a_data_row_is_not_the_publisher():
    """The 三公 table of 长沙职业教育基地综合协调办公室 lists its parent in its only data row."""
    rows = [["单位名称", "合计", "因公出国（境）费", "公务接待费"], ["长沙市教育局", "0.50", "", "0.50"]]
    assert find_department([], [], rows) == (None, None)
    cover = ["长沙职业教育基地综合协调办公室", "2026年部门预算公开", "目 录"]
    assert find_department(["单位：万元"], cover, rows)[0] == "长沙职业教育基地综合协调办公室"


@pytest.mark.parametrize(
    "text",
    ["社会", "推进和谐社会", "本中心", "我局", "领导干部", "工作部署", "门户网站", "综合服务平台",
     "与技术保障中心", "二〇二六年三月", "单位：万元", "万元", "部门预算", "收支预算总表",
     "上海市普陀区", "是全市唯一的综合监测中心", "北京某某科技有限公司", "人才梯队", "会议室",
     "一、部门主要职能", "政策出台", "承办", "北京市"],
)
def test_not_an_organisation_name(text):
    assert not is_org_name(text)
