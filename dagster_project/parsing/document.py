"""Who published a report, for which year and scope: read from captions, titles and narrative.

The department key folds the ways one department is named (中国共产党 = 中共, 委员会 = 委,
full-width forms, spacing, scope suffixes such as 本级/机关/（汇总）), so that its reports of
different years and files join into one department.

Where a publisher prints its own name, most trusted first:

1. a labelled caption above or inside a table (编制部门：/编制单位：/预算单位：/单位名称：/
   部门（单位）：/部门：/部门名称：, ASCII or full-width colon; `部门名称 X` needs none), or a
   budget-unit code caption (`362001XX局本级`);
2. a label | value row of a grid (`部门名称 | | X` in the last page's 绩效目标表);
3. the same labels on a narrative line (the cover, the last page);
4. the cover's title lines (`2026年度` / `XX局` / `部门预算`), a name broken over lines joined;
5. the signature on the last lines;
6. the name the narrative prints before a year most often (`XX局2019年度收入…`).

Names from captions and rows are returned as printed (display_label); names from narrative
lines in their folded form (fold), as they always were.

A name is accepted only when it reads as an organisation: Chinese text ending in an
organisation word (局, 委员会, 办事处, 中心, 学校, 支队, 监狱 …), optionally followed by a scope
remark (本级, 机关, （汇总）). Labels that name another body (预算主管部门：, 资金主管部门：
the parent; 所属单位：, 实施单位： a sub-unit) are not the publisher, and a name in a data row
(the parent department a 三公 table lists) is no label at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache, lru_cache

from dagster_project.parsing.vocabulary import year_in
from dagster_project.text.cells import display_label, fold
from dagster_project.text.patterns import CN_NUMERALS

# -- what an organisation name looks like -------------------------------------------------------
# Words a government body's name ends in. Single characters cover their compounds (管理局 局,
# 办公厅 厅, 检察院 院, 指挥部 部, 戒毒所 所, 支队 队, 档案馆 馆, 办事处 处, 出版社 社, 气象台 台,
# 办公室 and 政策研究室 室); words whose last character is no organisation word on its own
# (学 园 宫 场 狱 府) are listed whole. 公司 is left out: companies publish no 部门预算, while
# narratives name many (contractors, suppliers).
_ORG_WORD = re.compile(
    r"(?:中心|政府|监狱|大学|中学|小学|幼儿园|植物园|动物园|公园|陵园|少年宫|文化宫|林场|农场"
    r"|[局厅委院部署会所站队馆办处社台校室])$"
)
# Everyday words that end in an organisation character but name no organisation.
_NOT_ORG = re.compile(
    r"(?:社会|机会|体会|都会|不会|晚会|聚会|例会|年会|峰会|展会|宴会|博览会|运动会|座谈会|研讨会|培训会"
    r"|交流会|发布会|推介会|见面会|动员会|全部|内部|外部|局部|干部|本部|总部|底部|顶部|东部|西部|南部|北部"
    r"|中部|场所|住所|厕所|处所|网站|平台|舞台|讲台|出台|前台|后台|柜台|阳台|窗台|站台|好处|到处|之处|用处"
    r"|益处|住处|出处|相处|各处|此处|难处|长处|团队|排队|梯队|大局|格局|布局|结局|开局|全局|时局|变局|僵局"
    r"|部署|签署|承办|主办|协办|督办|交办|创办|举办|开办|兴办|代办|包办|操办|申办|领办|查办|转办|经办|合办"
    r"|筹办|照办|餐厅|大厅|客厅|展厅|常委|本校|全校|母校|院校|高校|名校|科室|处室|股室|教室|会议室|卧室"
    r"|浴室|温室|居室|阅览室|值班室)$"
)
# Scope remarks printed after a name: part of the name as printed, not of the organisation word.
_SCOPE_REMARK = re.compile(r"(?:[(（](?:本级|汇总|本部|机关)[)）]|本级|机关|汇总)$")
# Chinese text (a digit may follow the first character: 北京市第101中学), brackets for
# 中国（上海）自由贸易试验区… and scope remarks; no punctuation, so no sentence.
_NAME_TEXT = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff〇\d()（）]*")
# A sentence fragment, not a name, when it starts with a conjunction or particle ('与技术保障中心'
# is the second line of '…综合监测 / 与技术保障中心'), or is a date in Chinese numerals.
_NOT_NAME_START = re.compile(rf"^(?:[与及并或的]|[{CN_NUMERALS}]+年)")


def is_org_name(text: str) -> bool:
    """True when `text` reads as the full name of an organisation: 3–40 characters of Chinese
    text, ending in an organisation word (plus an optional scope remark) that at least two
    characters precede ('本中心', '我局' are references, not names), and no everyday word."""
    name = fold(text)
    if not 3 <= len(name) <= 40 or not _NAME_TEXT.fullmatch(name) or _NOT_NAME_START.match(name):
        return False
    if "的" in name:  # '…唯一的监测中心' is a phrase
        return False
    core = name
    while (remark := _SCOPE_REMARK.search(core)) and remark.start() > 0:
        core = core[: remark.start()]
    word = _ORG_WORD.search(core)
    return bool(word) and word.start() >= 2 and not _NOT_ORG.search(core)


# -- labels ---------------------------------------------------------------------------------------
# 部门：/单位：/编制部门：/编制单位：/填报单位：/预算单位：/部门（单位）：/部门名称：/单位名称：…
_LABEL = r"(?:编制|填报|预算)?(?:部门|单位)(?:[(（](?:单位|部门)[)）])?"
# A label begins a line, follows a space, or follows the table title it is printed beside
# ('收支预算总表 部门：…' once layout spaces between Chinese characters are gone). Starting the
# match there keeps 预算主管部门： / 资金主管部门： (the parent) and 所属单位： out.
_LABELLED = re.compile(
    rf"(?:^|(?<=\s)|(?<=表))(?:{_LABEL}(?:名称)?\s*[:：]|{_LABEL}名称(?![:：]))\s*(?P<value>.+)$"
)
_BARE_LABEL = re.compile(rf"{_LABEL}(?:名称)?\s*[:：]?")
# Where a caption's value ends: the next caption on the same line, a year, a seal remark.
_VALUE_END = re.compile(
    r"\s*(?:(?:金额|计量)?单位\s*[:：]|预算年度|年度\s*[:：]|(?:填报|编制)?日期|\d{4}\s*年|[(（](?:盖章|公章|章)[)）]).*$"
)
_UNIT_CODE_CAPTION = re.compile(r"^(\d{6,})([\u4e00-\u9fff].+)$")
_MONEY_UNIT = re.compile(r"^(?:人民币)?[千万亿]?元")  # '单位：万元' labels the unit of amounts


def _value_text(value: str) -> str:
    """What a label's value prints before the next caption, year or seal remark on its line."""
    return _VALUE_END.sub("", display_label(value)).strip().split(" ")[0]


def _value_name(value: str) -> str | None:
    """The organisation name a label's value starts with, as printed; None when the value is no
    name (单位：万元, a column header after 单位名称)."""
    name = _value_text(value)
    return name if is_org_name(name) else None


def labelled_name(text: str) -> str | None:
    """The name a caption such as '编制部门：XX街道办事处' or '部门名称 XX办公室' gives, else None."""
    match = _LABELLED.search(display_label(text))
    return _value_name(match.group("value")) if match else None


def _row_name(row: Sequence[str]) -> str | None:
    """The name a grid row gives as label and value, '部门名称 | | XX办公室' (the 部门整体支出绩效
    目标表 of a tables-only file prints the department nowhere else), or a label cell with its
    value inside ('部门：XX局' lifted with its grid). A row that starts with a name and goes on with
    amounts is data (a 三公 table listing the parent department), not a label."""
    cells = [c for c in (display_label(c) for c in row if c) if c]
    if not cells:
        return None
    if len(cells) >= 2 and _BARE_LABEL.fullmatch(cells[0]):
        return _value_name(cells[1])
    return labelled_name(cells[0])


_SCOPE_WORDS = (("汇总", "汇总"), ("本级", "本级"), ("单位预算", "单位"), ("部门预算", "部门"))
_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


_PARTY_COMMITTEE = re.compile(r"^[\u4e00-\u9fff]{2,8}?(省|市|县|区|州|盟|旗)委")
# The standard abbreviations of organ names, applied in this order to the folded name (NFKC:
# full-width brackets and letters already half-width, no spaces). This table is the one place
# the rules live: extraction keys every document with it, and the marts group by that key.
# Each rule rewrites a full form into the short form publishers also print, so that both
# printings of one department land on one key:
#   中国共产党江苏省委员会办公厅 = 中共江苏省委办公厅; 中国人民政治协商会议江苏省委员会办公厅 = 江苏省政协办公厅;
#   江苏省人民代表大会常务委员会办公厅 = 江苏省人大常委会办公厅; 广州市人民政府办公厅 = 广州市政府办公厅;
#   上海市普陀区人民政府万里街道办事处 = 上海市普陀区万里街道办事处 (a 街道办事处 is the district
#   government's dispatched office, printed with or without it); 江苏省卫生健康委员会 = 江苏省卫生健康委.
DEPARTMENT_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^中国共产党"), "中共"),
    (re.compile(r"^中国人民政治协商会议(.+?)委员会"), r"\1政协"),
    (re.compile(r"人民代表大会常务委员会"), "人大常委会"),
    (re.compile(r"(?<=[省市区县州旗盟])(?:人民)?政府(?=.+街道办事处$)"), ""),
    (re.compile(r"人民政府"), "政府"),
    (re.compile(r"委员会"), "委"),
)
# What a printed name may carry after the organisation: a scope remark (本级, （本级）, 机关,
# (汇总), (本部)) or the word 部门 / (部门) left from a title ('XX局部门预算'); neither says which
# department it is.
_NAME_SUFFIX = re.compile(r"(?:[(](?:部门|单位)[)]|部门)$")


def department_key(name: str) -> str:
    """One key per department however its name is printed, across files, years and renamings.

    The key is the folded name (NFKC, no spaces) without the remarks a name carries after the
    organisation (本级, （本级）, 机关, (汇总), 部门), with the standard abbreviations of
    DEPARTMENT_ABBREVIATIONS applied. A place's 省委/市委/县委 is always the party committee, so
    江苏省委办公厅 gets its 中共. The place stays part of the key: two departments match only
    within the same region (苏州市医疗保障局 is never 无锡市医疗保障局)."""
    key = fold(name)
    while True:
        remark = _SCOPE_REMARK.search(key) or _NAME_SUFFIX.search(key)
        if not remark or remark.start() == 0 or not is_org_name(key[: remark.start()]):
            break
        key = key[: remark.start()]
    for pattern, short in DEPARTMENT_ABBREVIATIONS:
        key = pattern.sub(short, key)
    if _PARTY_COMMITTEE.match(key) and not key.startswith("中共"):
        key = "中共" + key
    return key


# -- the name in the narrative ----------------------------------------------------------------------
_LEADING_YEAR = re.compile(r"^\d{4}年度?")
# What a cover title prints after the name: '2026年度部门预算', '部门预算公开', '单位预算', '部门'
# (when '预算' went to the next line), '2022年部门综合预算'.
_TITLE_TAIL = re.compile(r"\d{4}年.*$|(?:部门|单位)?(?:综合)?[预决]算.*$|(?:部门|单位)$")
_NAME_BEFORE_YEAR = re.compile(r"^([\u4e00-\u9fff]{3,30}?)\d{4}年")
_COVER_LINES = 15
_SIGNATURE_LINES = 6


def _title_part(line: str) -> str:
    """The name part of a cover title line: '2026年深圳市规划和自然资源局大鹏' -> the place and
    body, '管理局部门预算' -> '管理局', '2026年度' -> ''."""
    text = _LEADING_YEAR.sub("", fold(line))
    return _TITLE_TAIL.sub("", text)


def _unbroken(parts: Sequence[str], body: str) -> str | None:
    """The organisation name that `parts[0]` starts, joined with the next one or two parts when a
    line break cut it, else None. `body` is every narrative line folded and joined, so it holds
    a joined name once where the break was.

    A join is taken when the document prints the joined name elsewhere too, or when the first
    part is no name on its own ('泉州市市场监管综合监测' / '与技术保障中心') — unless the rest
    is a name the document prints more often than the join (a heading or a place printed above
    a full name). A first part that is a full name stays whole when nothing confirms a join
    ('国家信访局' / '二〇二六年三月')."""
    first = parts[0] if parts else ""
    if not first or not _NAME_TEXT.fullmatch(first):
        return None
    for size in (3, 2):
        chunk = list(parts[:size])
        if len(chunk) < size or not all(_NAME_TEXT.fullmatch(p or "") for p in chunk):
            continue
        joined, rest = "".join(chunk), "".join(chunk[1:])
        if not is_org_name(joined):
            continue
        if body.count(joined) >= 2:
            return joined
        if not is_org_name(first) and not (is_org_name(rest) and body.count(rest) > body.count(joined)):
            return joined
    return first if is_org_name(first) else None


def _name_in_lines(lines: Sequence[str], body: str) -> str | None:
    """The first name the title lines print, broken lines joined."""
    parts = [_title_part(line) for line in lines]
    for i in range(len(parts)):
        name = _unbroken(parts[i:i + 3], body)
        if name:
            return name
    return None


def _labelled_in_narrative(narrative: Sequence[str], body: str) -> Counter[str]:
    """Names the narrative gives after a label (the cover's '预算单位：XX学校', the last page's
    '部门名称 XX办公室'), each value joined with the next line when a break cut it."""
    names: Counter[str] = Counter()
    for i, line in enumerate(narrative):
        match = _LABELLED.search(display_label(line))
        if not match:
            continue
        value = fold(_value_text(match.group("value")))
        if not value or _MONEY_UNIT.match(value):
            continue
        name = _unbroken([value, *(fold(n) for n in narrative[i + 1:i + 3])], body)
        if name:
            names[name] += 1
    return names


def _most_named(names: Counter[str]) -> str:
    """The department named most often, counting its printed forms together (中共XX委办公厅 and
    中国共产党XX委员会办公厅 are one), in its most frequent printed form."""
    by_key: Counter[str] = Counter()
    for name, count in names.items():
        by_key[department_key(name)] += count
    key = by_key.most_common(1)[0][0]
    return max((n for n in names if department_key(n) == key), key=lambda n: names[n])


def _caption_names(captions: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """(names, budget-unit codes) the captions print: labelled names, and the unit a code
    caption ('362001兴隆县医疗保障局本级') codes."""
    names: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    for caption in captions:
        text = display_label(caption)
        coded = _UNIT_CODE_CAPTION.match(text)
        if coded and is_org_name(coded.group(2)):  # not a 7-digit function code: '2010101行政运行'
            codes[coded.group(1)] += 1
            names[coded.group(2).strip()] += 1
        elif name := labelled_name(text):
            names[name] += 1
    return names, codes


def find_department(
    captions: Sequence[str],
    narrative: Sequence[str],
    rows: Sequence[Sequence[str]] = (),
) -> tuple[str | None, str | None]:
    """(department name, budget-unit code) of a report, from its table captions, the rows of its
    grids and its narrative lines, in the order of trust the module docstring gives: the first
    source that names anyone decides, and within it the name printed most often wins.

    Grid rows come after the captions: a consolidated report's project forms may name the
    implementing sub-unit ('单位名称 | XX中心') more often than its captions name the department."""
    names, codes = _caption_names(captions)
    code = codes.most_common(1)[0][0] if codes else None
    if names:
        return _most_named(names), code
    in_rows = Counter(name for row in rows if (name := _row_name(row)))
    if in_rows:
        return _most_named(in_rows), code
    body = "".join(fold(line) for line in narrative)
    labelled = _labelled_in_narrative(narrative, body)
    if labelled:
        return _most_named(labelled), code
    name = (_name_in_lines(narrative[:_COVER_LINES], body)
            or _name_in_lines(narrative[-_SIGNATURE_LINES:], body))
    if name:
        return name, code
    # no title line: the name the narrative puts before a year most often
    # ('江苏省政协办公厅2019年度收入、支出预算总计…')
    before_year = Counter(
        m.group(1) for line in narrative if (m := _NAME_BEFORE_YEAR.match(fold(line))) and is_org_name(m.group(1))
    )
    return (before_year.most_common(1)[0][0] if before_year else None), code


def table_department(title: str, captions: Sequence[str]) -> str | None:
    """The department one table names: a 部门/单位 caption above it, else its title's
    'XX局2024年…表' prefix. None when it names none (most tables only say 单位：万元)."""
    for caption in captions:
        if name := labelled_name(caption):
            return name
    match = _NAME_BEFORE_YEAR.match(fold(title or ""))
    return match.group(1) if match and is_org_name(match.group(1)) else None


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


# A date that bounds a period or states a situation ('截至2023年12月31日，共有车辆14辆',
# '自2022年1月1日起') is about the figures, not about when the report was published.
_DATE_BOUND_BEFORE = re.compile(r"(?:截至|截止|至|自|从|于|到)$")
_DATE_BOUND_AFTER = re.compile(r"^(?:起|前|后|以来|以前|以后|止|为止|之前|之后)")
# A line only a date (with 印发/发布/公开 after it, or a 发布日期： label before it): the date a
# cover or a signature prints.
_DATE_LINE = re.compile(r"^(?:(?:发布|公开|印发|编制|填报)(?:日期|时间)[:：]?)?(?P<date>.*?日)(?:印发|发布|公开)?$")
# Where the report ends and an attached document begins: a bare 附件 / 附件1 heading, or another
# organisation's letterhead ('汾阳市财政局文件') after the cover.
_ATTACHMENT = re.compile(r"^附件\d*[:：]?$|^附[:：]?$")
_LETTERHEAD = re.compile(r"^(?P<org>[\u4e00-\u9fff]{3,30})文件$")


def _attachment_start(lines: Sequence[str]) -> int:
    """Index of the first line of an attached document (a policy text, a notice forwarded by the
    finance bureau) after the cover, else len(lines)."""
    for i, line in enumerate(lines):
        if i < _COVER_LINES:
            continue
        if _ATTACHMENT.match(line):
            return i
        head = _LETTERHEAD.match(line)
        if head and is_org_name(head.group("org")):
            return i
    return len(lines)


def find_published_date(
    narrative: Sequence[str], fiscal_year: int | None = None, publisher: str | None = None
) -> str | None:
    """The date the report was published, or None when it prints none.

    Reports are published shortly before or during their budget year, and print that date on
    the cover or under the publisher's name at the end. Dates elsewhere are about something
    else and decide nothing (the date wins supersession between revisions, so a wrong one
    makes the wrong revision current):

    - only the report's own text counts: lines from an attachment on (a bare 附件 heading, or
      another organisation's letterhead 'XX局文件') belong to another document — 002 appends
      its finance bureau's 2022 policy notice to its 2024 budget;
    - a date must stand on its own line (a cover or signature date, '2024年1月15日印发',
      '发布日期：…') or follow the publisher's name ('XX局 2024年1月15日'); a date inside a
      sentence ('截至2023年12月31日，共有车辆…', '自2022年1月1日起') states a situation;
    - the year must be the fiscal year or the one before (the fiscal year is read from the
      narrative when the caller does not know it).
    Of the dates left, the cover's comes first, else the last one (the signature)."""
    lines = [fold(line) for line in narrative]
    end = _attachment_start(lines)
    year = fiscal_year or narrative_year(list(narrative))
    own = fold(publisher) if publisher else None
    found: list[tuple[int, str]] = []
    for i, line in enumerate(lines[:end]):
        for match in _DATE.finditer(line):
            y, m, d = (int(g) for g in match.groups())
            if not (1 <= m <= 12 and 1 <= d <= 31):
                continue
            if year is not None and y not in (year - 1, year):
                continue
            before, after = line[: match.start()], line[match.end():]
            if _DATE_BOUND_BEFORE.search(before) or _DATE_BOUND_AFTER.match(after):
                continue
            bare = _DATE_LINE.fullmatch(line)
            alone = bare is not None and bare.group("date") == match.group(0)
            signed = bool(own) and before.endswith(own) and not after
            if alone or signed:
                found.append((i, f"{y:04d}-{m:02d}-{d:02d}"))
    if not found:
        return None
    cover = [date for i, date in found if i < _COVER_LINES]
    return cover[0] if cover else found[-1][1]


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


_YEAR_CAPTION = re.compile(r"^[(（]?((?:19|20)\d{2})年度?[)）]?$")


def table_year(title: str, captions: list[str]) -> int | None:
    """A 预算年度 caption, else a caption that is only a year (a subtitle '（2026年度）' under a
    title that names none), else the title's year."""
    for text in [*captions, title]:
        if "预算年度" in text:
            year = year_in(text)
            if year:
                return year
    for text in captions:
        if match := _YEAR_CAPTION.match(fold(text).replace(" ", "")):
            return int(match.group(1))
    return year_in(title) if title else None
