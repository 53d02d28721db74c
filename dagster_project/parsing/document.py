"""Who published a report, for which year and scope: read from captions, titles and narrative.

The department key folds the ways one department is named (中国共产党 = 中共, 委员会 = 委,
full-width forms, spacing, scope suffixes such as 本级/机关/（汇总）), so that its reports of
different years and files join into one department.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache

from dagster_project.parsing.cells import display_label, fold
from dagster_project.parsing.vocabulary import year_in

_DEPT_CAPTION = re.compile(
    r"(?:部门|单位|预算单位|编制单位)(?:\(单位\))?(?:名称)?[:：]\s*(.+)$|^(\d{6,})([\u4e00-\u9fff].+)$"
)
_ORG_SUFFIX = re.compile(r"(局|厅|委员会|委|办公室|办公厅|院|中心|部|署|会|所|站|队|馆|办)(本级|机关|\(汇总\)|汇总)?$")
_SCOPE_WORDS = (("汇总", "汇总"), ("本级", "本级"), ("单位预算", "单位"), ("部门预算", "部门"))
_NAME_BEFORE_YEAR = re.compile(r"^([\u4e00-\u9fff]{3,30}?)\d{4}年")
_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


_PARTY_COMMITTEE = re.compile(r"^[\u4e00-\u9fff]{2,8}?(省|市|县|区|州|盟|旗)委")


def department_key(name: str) -> str:
    """One key per department however its name is printed.

    Party organs are printed with or without the party's name (中国共产党江苏省委员会办公厅,
    中共江苏省委办公厅, 江苏省委办公厅: a place's 省委/市委/县委 is always the party committee),
    and a CPPCC committee by its full name or as 政协 (中国人民政治协商会议江苏省委员会 = 江苏省政协).
    """
    key = fold(name)
    key = re.sub(r"\(汇总\)|（汇总）|汇总$|本级$|机关$", "", key)
    key = key.replace("中国共产党", "中共").replace("委员会", "委")
    key = re.sub(r"^中国人民政治协商会议(.+?)委", r"\1政协", key)
    if _PARTY_COMMITTEE.match(key) and not key.startswith("中共"):
        key = "中共" + key
    return key


def find_department(captions: list[str], narrative: list[str]) -> tuple[str | None, str | None]:
    """(department name, budget-unit code) — the most frequent caption wins over narrative."""
    names: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    for caption in captions:
        match = _DEPT_CAPTION.search(display_label(caption))
        if not match:
            continue
        if match.group(2):
            codes[match.group(2)] += 1
            names[display_label(match.group(3))] += 1
        else:
            value = display_label(match.group(1)).split(" ")[0]
            if _ORG_SUFFIX.search(fold(value)):
                names[value] += 1
    if names:
        return names.most_common(1)[0][0], (codes.most_common(1)[0][0] if codes else None)
    for line in narrative[:15]:
        text = fold(line)
        text = re.sub(r"^\d{4}年|\d{4}年?(度)?(部门|单位)?预算.*$|(部门|单位)?预算(公开)?.*$", "", text)
        text = re.sub(r"\d{4}年度?$", "", text)  # a title broken after its year: '某某厅2018年度' / '部门预算'
        if 3 <= len(text) <= 30 and _ORG_SUFFIX.search(text):
            return text, None
    # no title line: the name the narrative puts before a year most often
    # ('江苏省政协办公厅2019年度收入、支出预算总计…')
    named = Counter(
        m.group(1) for line in narrative
        if (m := _NAME_BEFORE_YEAR.match(fold(line))) and _ORG_SUFFIX.search(m.group(1))
    )
    if named:
        return named.most_common(1)[0][0], None
    return None, None


def table_department(title: str, captions: list[str]) -> str | None:
    """The department one table names: a 部门/单位 caption above it, else its title's
    'XX局2024年…表' prefix. None when it names none (most tables only say 单位：万元)."""
    for caption in captions:
        match = _DEPT_CAPTION.search(display_label(caption))
        if match and not match.group(2):
            value = display_label(match.group(1)).split(" ")[0]
            if _ORG_SUFFIX.search(fold(value)):
                return value
    match = _NAME_BEFORE_YEAR.match(fold(title or ""))
    return match.group(1) if match and _ORG_SUFFIX.search(match.group(1)) else None


def departments_in_one_file(tables: list[tuple[str, str | None]]) -> dict[str, list[str]] | None:
    """(table kind, department named by the table) of every budget table with amounts →
    {department: kinds} when the file holds two or more departments' reports: distinct
    departments (by key) that each print a table of the same kind. A consolidated report
    whose single tables name sub-units (a 部门 report listing units' projects) is not that."""
    kinds: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for kind, name in tables:
        if name:
            key = department_key(name)
            names.setdefault(key, name)
            kinds.setdefault(key, set()).add(kind)
    if len(kinds) < 2:
        return None
    keys = sorted(kinds)
    shared = any(kinds[a] & kinds[b] for i, a in enumerate(keys) for b in keys[i + 1:])
    return {names[k]: sorted(kinds[k]) for k in keys} if shared else None


def find_scope(titles: list[str], name: str | None) -> str:
    folded = fold(name or "")
    for word, scope in _SCOPE_WORDS[:2]:
        if word in folded:
            return scope
    counts: Counter[str] = Counter()
    for title in titles:
        for word, scope in _SCOPE_WORDS[2:]:
            if word in fold(title):
                counts[scope] += 1
    return counts.most_common(1)[0][0] if counts else "部门"


def find_published_date(narrative: list[str]) -> str | None:
    for line in reversed(narrative):
        match = _DATE.search(fold(line))
        if match:
            y, m, d = (int(g) for g in match.groups())
            if 1 <= m <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def narrative_year(narrative: list[str]) -> int | None:
    """The year the narrative talks about: the most frequent 'NNNN年' in budget sentences."""
    counts: Counter[int] = Counter()
    for line in narrative:
        if "预算" not in line:
            continue
        for match in re.finditer(r"(20\d{2})\s*年", line):
            counts[int(match.group(1))] += 1
    return counts.most_common(1)[0][0] if counts else None


def fiscal_year(table_years: list[int], narrative: list[str]) -> tuple[int | None, str | None]:
    """Tables (titles, 预算年度) win over narrative; a disagreement is reported, not hidden."""
    counts = Counter(y for y in table_years if y)
    year = counts.most_common(1)[0][0] if counts else None
    told = narrative_year(narrative)
    if year is None:
        return told, None
    if told and told != year:
        return year, f"narrative says {told}, tables say {year}; tables win"
    return year, None


@cache
def _cpca():
    import cpca  # heavy import (pandas): only when a region is actually resolved

    return cpca


@cache
def _counties() -> dict[str, tuple[str, str, str]]:
    """Counties whose full name is unique in the country, with their province and city, from
    the administrative-division codes cpca ships (PPCCXX nests province PP0000, city PPCC00)."""
    import csv
    from importlib import resources

    with resources.files("cpca.resources").joinpath("adcodes.csv").open(encoding="utf-8") as handle:
        names = {row["adcode"][:6]: row["name"] for row in csv.DictReader(handle)}
    counts = Counter(name for code, name in names.items() if not code.endswith("00"))
    out = {}
    for code, name in names.items():
        province, city = names.get(code[:2] + "0000"), names.get(code[:4] + "00")
        if not code.endswith("00") and counts[name] == 1 and province and city:
            out[name] = (province, city, name)
    return out


@lru_cache(maxsize=4096)  # one department's reports of several years ask the same question
def region(name: str | None) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) of a department, by the maintained `cpca` place-name library.

    cpca matches place names inside the text and can take a shorter name for a longer one
    (五大连池市 read as 大连市); when a county's full, unambiguous name is printed in the
    department's name and cpca settles on another place, the printed county wins."""
    if not name:
        return None, None, None
    frame = _cpca().transform([name])
    row = frame.iloc[0]

    def value(column: str) -> str | None:
        item = row.get(column)
        return item if isinstance(item, str) and item else None

    found = value("省"), value("市"), value("区")
    printed = [county for county in _counties() if county in name]
    if printed:
        county = max(printed, key=len)
        if found[2] != county:
            province, city, _ = _counties()[county]
            return province, (city if city not in ("市辖区", "县") else found[1]), county
    return found


def table_year(title: str, captions: list[str]) -> int | None:
    for text in [*captions, title]:
        if "预算年度" in text:
            year = year_in(text)
            if year:
                return year
    return year_in(title) if title else None
