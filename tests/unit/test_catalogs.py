"""The classification catalogs: integrity, name resolution, and coverage of the sample reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dagster_project import catalogs
from dagster_project.catalogs import (
    economic_codes,
    economic_level,
    economic_record,
    economic_system,
    function_codes,
    function_level,
    function_record,
    normalize_name,
    resolve_economic_name,
    resolve_function_name,
)

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


# --------------------------------------------------------------------------------------------
# Catalogue integrity
# --------------------------------------------------------------------------------------------


def test_economic_catalogue_is_well_formed():
    records = economic_codes()
    codes = [r.code for r in records]
    assert len(codes) == len(set(codes))
    by_code = {r.code: r for r in records}
    for r in records:
        assert economic_system(r.code) == r.system, r
        assert economic_level(r.code) == r.level, r
        if r.level == "类":
            assert r.parent_code is None, r
        else:
            assert r.parent_code == r.code[:3] and r.parent_code in by_code, r
        if r.system == "econ_department":
            assert r.government_code, r
            for target in (r.government_code, r.government_code_institution):
                if target:
                    assert by_code[target].system == "econ_government", r
        else:
            assert r.government_code is None and r.government_code_institution is None, r


def test_economic_catalogue_covers_every_class():
    classes = {r.code for r in economic_codes() if r.level == "类"}
    assert classes == {
        "301", "302", "303", "307", "309", "310", "311", "312", "313", "399",
        "501", "502", "503", "504", "505", "506", "507", "508", "509", "510", "511", "512",
        "513", "514", "599",
    }
    wages = {r.code for r in economic_codes() if r.parent_code == "301"}
    assert wages == {
        "30101", "30102", "30103", "30106", "30107", "30108", "30109", "30110", "30111",
        "30112", "30113", "30114", "30199",
    }
    assert {r.code for r in economic_codes() if r.parent_code == "502"} == {
        "50201", "50202", "50203", "50204", "50205", "50206", "50207", "50208", "50209", "50299",
    }
    assert economic_record("50501").name == "工资福利支出"
    assert economic_record("30213").name == "维修（护）费"


def test_function_catalogue_is_well_formed():
    records = function_codes()
    codes = [r.code for r in records]
    assert len(codes) == len(set(codes))
    by_code = {r.code: r for r in records}
    for r in records:
        assert function_level(r.code) == r.level, r
        if r.level == "类":
            assert r.parent_code is None, r
        else:
            assert r.parent_code == r.code[: len(r.code) - 2] and r.parent_code in by_code, r
    classes = {r.code for r in records if r.level == "类"}
    assert classes == {str(c) for c in [*range(201, 218), *range(219, 225), 227, *range(229, 235)]}


def test_function_catalogue_covers_the_required_items():
    for code in ("2080505", "2080506", "2101501", "2101506", "2101550", "2210201", "2210203"):
        assert function_record(code) is not None, code
    assert function_record("210").name == "卫生健康支出"
    assert "医疗卫生与计划生育支出" in function_record("210").aliases
    assert function_record("227").name == "预备费"
    assert function_record("224").name == "灾害防治及应急管理支出"


def test_records_are_cached_and_immutable():
    assert economic_codes() == economic_codes()
    record = economic_codes()[0]
    with pytest.raises(AttributeError):
        record.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Helpers on code patterns
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level"),
    [("210", "类"), ("21015", "款"), ("2101501", "项"), ("2101", None), ("301", None), ("", None)],
)
def test_function_level(code, level):
    assert function_level(code) == level


@pytest.mark.parametrize(
    ("code", "system"),
    [
        ("301", "econ_department"),
        ("30101", "econ_department"),
        ("50101", "econ_government"),
        ("599", "econ_government"),
        ("210", None),
        ("3010", None),
        ("301011", None),
    ],
)
def test_economic_system(code, system):
    assert economic_system(code) == system


# --------------------------------------------------------------------------------------------
# Normalisation and resolution
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("十、卫生健康支出", "卫生健康支出"),
        ("二十四、预备费", "预备费"),
        ("1、机关工资福利支出", "机关工资福利支出"),
        ("(1)工资福利支出", "工资福利支出"),
        ("（一）工资福利支出", "工资福利支出"),
        ("①公务用车购置费", "公务用车购置费"),
        ("其中：（1）公务用车购置费", "公务用车购置费"),
        ("2.医疗救助", "医疗救助"),
        ("维修（护）费", "维修(护)费"),
        ("机关事业单位基本养老 保险缴费", "机关事业单位基本养老保险缴费"),
        ("社会保障和就业支出（类）", "社会保障和就业支出"),
        ("资本性支出（一）", "资本性支出(一)"),
    ],
)
def test_normalize_name(raw, normal):
    assert normalize_name(raw) == normal


def test_resolve_economic_name_concrete():
    assert resolve_economic_name("基本工资", "econ_department") == "30101"
    assert resolve_economic_name("基本工资") == "30101"
    assert resolve_economic_name("工资奖金津补贴", "econ_government") == "50101"
    assert resolve_economic_name("工资奖金津补贴") == "50101"
    assert resolve_economic_name("维修(护)费", "econ_department") == "30213"
    assert resolve_economic_name("维修（护）费", "econ_department") == "30213"
    assert resolve_economic_name("维修（护）费", "econ_government") == "50209"
    assert resolve_economic_name("对个人和家庭补助", "econ_department") == "303"
    assert resolve_economic_name("对个人和家庭的补助", "econ_government") == "509"
    assert resolve_economic_name("城镇职工基本医疗保险缴费", "econ_department") == "30110"
    assert resolve_economic_name("其他交通费用", "econ_department") == "30239"
    assert resolve_economic_name("(3)对个人和家庭的补助", "econ_department") == "303"
    assert resolve_economic_name("3、机关资本性支出（一）", "econ_government") == "503"
    assert resolve_economic_name("资本性支出（基本建设）", "econ_department") == "309"
    assert resolve_economic_name("资本性支出", "econ_department") == "310"


def test_resolve_economic_name_ambiguity():
    # Same name in both systems: only the system argument decides.
    assert resolve_economic_name("住房公积金") is None
    assert resolve_economic_name("住房公积金", "econ_department") == "30113"
    assert resolve_economic_name("住房公积金", "econ_government") == "50103"
    assert resolve_economic_name("工资福利支出") is None
    assert resolve_economic_name("工资福利支出", "econ_department") == "301"
    assert resolve_economic_name("工资福利支出", "econ_government") == "50501"
    assert resolve_economic_name("商品和服务支出", "econ_department") == "302"
    assert resolve_economic_name("商品和服务支出", "econ_government") == "50502"
    # 类 over its own 款 of the same name.
    assert resolve_economic_name("其他支出", "econ_department") == "399"
    assert resolve_economic_name("其他支出", "econ_government") == "599"
    # Same 款 name under two 类 of one system: no guess.
    assert resolve_economic_name("办公设备购置", "econ_department") is None
    assert resolve_economic_name("其他对企业补助", "econ_department") is None
    # Unknown names and bad systems.
    assert resolve_economic_name("合计", "econ_department") is None
    assert resolve_economic_name("", "econ_department") is None
    with pytest.raises(ValueError):
        resolve_economic_name("基本工资", "function")


def test_resolve_function_name():
    assert resolve_function_name("十、卫生健康支出") == "210"
    assert resolve_function_name("卫生健康支出") == "210"
    assert resolve_function_name("医疗卫生与计划生育支出") == "210"
    assert resolve_function_name("十、医疗卫生与计划生育支出") == "210"
    assert resolve_function_name("7、文化旅游体育与传媒支出") == "207"
    assert resolve_function_name("文化体育与传媒支出") == "207"
    assert resolve_function_name("二十三、灾害防治及应急管理支出") == "224"
    assert resolve_function_name("二十四、预备费") == "227"
    assert resolve_function_name("二十五、其他支出") == "229"
    assert resolve_function_name("三十、抗疫特别国债安排的支出") == "234"
    assert resolve_function_name("九、社会保险基金支出") == "209"
    assert resolve_function_name("住房改革支出") == "22102"
    assert resolve_function_name("财政对城乡居民基本医疗保险基金的 补助") == "2101202"
    assert resolve_function_name("其他卫生健康支出") == "21099"
    # 行政运行 exists under many 款.
    assert resolve_function_name("行政运行") is None
    assert resolve_function_name("事业运行") is None
    assert resolve_function_name("合计") is None


# --------------------------------------------------------------------------------------------
# The sample reports
# --------------------------------------------------------------------------------------------


def _lines(name: str) -> list[str]:
    path = next(RAW.glob(f"{name}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


def _economic_table_002() -> list[tuple[str, str]]:
    """(部门 name, 政府 name) rows of 002's basic-expenditure table, which prints no codes."""
    lines = _lines("002")
    start = next(i for i, line in enumerate(lines) if line.startswith("部门预算支出经济科目名称"))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        cells = line.split("\t")
        if cells[0] in ("", "合计"):
            continue
        rows.append((cells[0], cells[1]))
    return rows


def test_002_economic_table_resolves():
    rows = _economic_table_002()
    assert len(rows) >= 18
    for dept_name, gov_name in rows:
        dept = resolve_economic_name(dept_name, "econ_department")
        assert dept is not None, dept_name
        if not gov_name:
            assert economic_level(dept) == "类", dept_name
            continue
        gov = resolve_economic_name(gov_name, "econ_government")
        assert gov is not None, gov_name
        record = economic_record(dept)
        assert gov in (record.government_code, record.government_code_institution), (dept, gov)
    names = dict(rows)
    assert resolve_economic_name("公务用车运行维护费", "econ_department") == "30231"
    assert resolve_economic_name(names["公务用车运行维护费"], "econ_government") == "50208"
    assert resolve_economic_name(names["其他交通费用"], "econ_government") == "50201"
    for gov_name in ("办公经费", "培训费", "公务用车运行维护费", "社会保障缴费", "住房公积金",
                     "其他工资福利支出"):
        assert resolve_economic_name(gov_name, "econ_government") is not None, gov_name


def _function_codes_in_samples() -> dict[str, set[str]]:
    """Function codes with the names printed next to them, from all five samples."""
    found: dict[str, set[str]] = {}
    pair = re.compile(
        r"(?<![\d.,])(2\d{2}(?:\d{2}){1,2})(?![\d.,])\s*[|\t\-）)]?\s*\|?\s*([\u4e00-\u9fff][^\d|\t]*)"
    )
    for path in sorted(RAW.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            for code, name in pair.findall(line):
                found.setdefault(code, set()).add(name.strip())
            # 003: the code alone on a line, its name on the next line.
            bare = re.fullmatch(r"\s*(2\d{2}(?:\d{2}){0,2})\s*", line)
            if bare and i + 1 < len(lines) and re.search(r"[\u4e00-\u9fff]", lines[i + 1]):
                found.setdefault(bare.group(1), set()).add(lines[i + 1].strip())
    # 004: split 类 | 款 | 项 columns, carried down.
    lei = kuan = None
    for line in _lines("004"):
        cells = line.split("\t")
        if len(cells) < 4:
            continue
        if re.fullmatch(r"2\d{2}", cells[0]) and not cells[1] and not cells[2]:
            lei, kuan = cells[0], None
            found.setdefault(lei, set()).add(cells[3])
        elif lei and not cells[0] and re.fullmatch(r"\d{2}", cells[1]) and not cells[2]:
            kuan = lei + cells[1]
            found.setdefault(kuan, set()).add(cells[3])
        elif kuan and not cells[0] and not cells[1] and re.fullmatch(r"\d{2}", cells[2]):
            found.setdefault(kuan + cells[2], set()).add(cells[3])
    return found


def test_every_sample_function_item_is_catalogued():
    found = _function_codes_in_samples()
    items = {code for code in found if len(code) == 7}
    assert {"2101501", "2080505", "2296013", "2019999", "2081199", "2083099", "2101201"} <= items
    for code in sorted(c for c in found if len(c) in (5, 7)):
        record = function_record(code)
        assert record is not None, code
        known = {normalize_name(n) for n in (record.name, *record.aliases)}
        # Every name printed beside the code is the catalogue name (prose may follow it).
        for printed in found[code]:
            text = normalize_name(printed)
            assert any(text.startswith(k) for k in known), (code, printed)


def test_every_sample_economic_code_is_catalogued_and_mapped():
    pairs: set[tuple[str, str, str, str]] = set()
    # 000: | 30101 | 基本工资 | 50501 | 工资福利支出 |
    for line in _lines("000"):
        m = re.match(r"\|\s*(3\d{4})\s*\|\s*([^|]+?)\s*\|\s*(5\d{4})\s*\|\s*([^|]+?)\s*\|", line)
        if m:
            pairs.add(m.groups())
    # 004: 301 <tab> 01 <tab> 基本工资 <tab> 501 <tab> 01 <tab> 工资奖金津补贴
    for line in _lines("004"):
        cells = line.split("\t")
        if len(cells) > 5 and re.fullmatch(r"3\d{2}", cells[0]) and re.fullmatch(r"5\d{2}", cells[3]):
            pairs.add((cells[0] + cells[1], cells[2], cells[3] + cells[4], cells[5]))
    assert len(pairs) > 30
    for dept, dept_name, gov, gov_name in pairs:
        assert resolve_economic_name(dept_name, "econ_department") in (dept, dept[:3]), dept_name
        assert resolve_economic_name(gov_name, "econ_government") == gov, gov_name
        record = economic_record(dept)
        if len(dept) == 5:
            assert gov in (record.government_code, record.government_code_institution), (dept, gov)
        else:
            assert gov == record.government_code, (dept, gov)
    # 001 and 003: 部门 codes with names (tab-separated, or on consecutive lines).
    seen = 0
    for name in ("001", "003"):
        lines = _lines(name)
        for i, line in enumerate(lines):
            m = re.fullmatch(r"\s*(3\d{2}|3\d{4})\s*(?:\t([^\t\d]+)\t.*)?", line)
            if not m:
                continue
            label = m.group(2) or (lines[i + 1].strip() if i + 1 < len(lines) else "")
            if not re.search(r"[\u4e00-\u9fff]", label):
                continue
            seen += 1
            code = m.group(1)
            record = economic_record(code)
            assert record is not None and record.system == "econ_department", (name, line)
            assert normalize_name(label) in {
                normalize_name(n) for n in (record.name, *record.aliases)
            }, (name, line)
            # By name alone it resolves to this code, unless the name is shared by two 类
            # (办公设备购置 is 30902 and 31002).
            assert resolve_economic_name(label, "econ_department") in (code, None), (name, line)
    assert seen > 40


@pytest.mark.parametrize(
    "label",
    [
        "(1)工资福利支出", "(2)商品和服务支出", "(3)对个人和家庭的补助", "(4)资本性支出",
        "(4)债务利息及费用支出", "(5)资本性支出（基本建设）", "(7)对企业补助（基本建设）",
        "(8)对企业补助", "(9)对社会保障基金补助", "(10)其他支出", "债务付息及费用支出",
    ],
)
def test_000_department_summary_labels(label):
    assert resolve_economic_name(label, "econ_department") is not None


@pytest.mark.parametrize(
    "label",
    [
        "1、机关工资福利支出", "2、机关商品和服务支出", "3、机关资本性支出（一）",
        "4、机关资本性支出（二）", "5、对事业单位经常性补助", "6、对事业单位资本性补助",
        "7、对企业补助", "8、对企业资本性支出", "9、对个人和家庭的补助", "10、对社会保障基金补助",
        "11、其他支出",
    ],
)
def test_000_government_summary_labels(label):
    assert resolve_economic_name(label, "econ_government") is not None


# Labels of the 收支总表 economic / funding columns that are not classification names.
_NOT_CLASSIFICATIONS = {"人员经费和公用经费支出", "专项业务经费支出", "上缴上级支出",
                        "事业单位经营支出", "对附属单位补助支出"}


def test_summary_function_labels_in_samples_resolve():
    labels = []
    for path in sorted(RAW.glob("*.txt")):
        for cell in re.split(r"[\t|\n]", path.read_text(encoding="utf-8")):
            cell = cell.strip()
            if not re.fullmatch(r"[一二三四五六七八九十]+、\S+支出|[一二三四五六七八九十]+、预备费", cell):
                continue
            if normalize_name(cell) in _NOT_CLASSIFICATIONS:
                continue
            if normalize_name(cell).startswith(("机关", "对企业资本性")):
                # 政府经济分类 类 names from the economic panel of the same tables.
                assert resolve_economic_name(cell, "econ_government") is not None, cell
                continue
            labels.append(cell)
    assert len(labels) > 60
    for label in labels:
        code = resolve_function_name(label)
        assert code is not None and function_level(code) == "类", label


def test_module_exposes_documented_api():
    for name in ("economic_codes", "function_codes", "resolve_economic_name",
                 "resolve_function_name", "function_level", "economic_system"):
        assert callable(getattr(catalogs, name))
