"""绩效目标表: indicators (一级/二级/三级指标 → 指标值), the money lines above them, and the
project each form is about.

Performance tables are forms rather than grids: a few label/value rows (项目名称, 项目编码,
资金总额) followed by an indicator grid whose first two levels are printed once and left blank
below. Every project form also states a project: its name, its code where printed and its
money. Some reports list a project only there (003 prints 23 project forms and no 项目支出表
rows), so each form yields a `Project`; the marts keep it when no 项目支出表 row of the same
disclosure prints the same project (`project_name_key`, or the code).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from dagster_project.parsing.cells import is_blank_amount, parse_amount

from dagster_project.parsing.model import LineItem, PerformanceIndicator, Project, TableResult, UnparsedCell
from dagster_project.parsing.vocabulary import fund_of, measure_of, unit_in, unit_multipliers
from dagster_project.text.cells import display_label, fold

_TARGET = re.compile(r"^\s*(≥|≤|>=|<=|＞＝|＜＝|>|<|＞|＜|=|＝|大于等于|小于等于|不低于|不高于|不少于|不超过|大于|小于|等于)?\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*(.*)$")
_OPERATORS = {
    ">=": "≥", "＞＝": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥",
    "<=": "≤", "＜＝": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤",
    "＞": ">", "大于": ">", "＜": "<", "小于": "<", "＝": "=", "等于": "=",
}
_UNIT = re.compile(
    r"^(%|‰|个?百分点|百分比|[万亿千百]?(人次|人|次|户|家|个|元|天|月|年|日|小时|件|项|台|套|辆|所|份|场|期|批|篇"
    r"|条|张|册|平方米|米|公里|分|岁|本|座|床|例|分钟|工作日))(/[\u4e00-\u9fff]{1,3})?$"
)
_LEVEL1 = re.compile(r"一级指标")
_LEVEL1_WORD = re.compile(r"^(产出|效益|满意度|成本|效果|影响)指标$")
_LEVEL2_WORD = re.compile(
    r"^(数量|质量|时效|成本|经济成本|社会成本|生态环境成本|经济效益|社会效益|生态效益|可持续影响|可持续发展影响"
    r"|服务对象满意度|满意度)指标$|^服务对象满意度$"
)
_ONLY_RULE = re.compile(r"^[-—_.·=]+$")
_LEVEL2 = re.compile(r"二级指标")
_LEVEL3 = re.compile(r"三级指标|指标内容|指标名称")
_LEVEL3_BARE = re.compile(r"^绩效指标$")  # the indicator column of a form that names no better one
_VALUE = re.compile(r"指标值(?!类型|内容|说明|解释)|目标值")
# Columns some forms add beside the indicator: the comparison printed apart from the value
# (指标性质 ≥ | 指标值 95), the value's unit (计量单位), the indicator's weight in the project's
# score (指标权重(%), 分值) and the project a row belongs to (项目名称 in a column of its own).
_OPERATOR_COL = re.compile(r"指标性质|指标值类型|指标方向|比较符|运算符|符号")
_UNIT_COL = re.compile(r"计量单位|度量单位|^单位$")
_WEIGHT_COL = re.compile(r"权重|分值")
_SUBJECT_COL = re.compile(r"^(项目名称|项目)$")
_LABELLED_AMOUNT = re.compile(r"^(\D+?)[:：]\s*([-\d,.]+)$")
_FOOTER = re.compile(r"经办人|联系电话|填报日期|填报人|审核人|负责人|联系人")
_IDENTIFIER = re.compile(r"编码|代码|编号|序号|电话|年度$|年份")
_SEQUENCE = re.compile(r"序号|编号|编码|代码")
_SUBJECT_LABEL = re.compile(r"^(项目名称|项目)$")
_CODE_LABEL = re.compile(r"^项目(?:编码|代码|编号)$")
_CODE_VALUE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_]{3,}$")
# A form's money: the yearly amount before the amount over the whole implementation period
# (实施期资金总额 spans several years; 年度资金总额 / 预算数 is this budget's).
_PERIOD_AMOUNT = re.compile(r"实施期|总投资|累计")
# Brackets of every width and shape fold to ( ), quotes and spaces go: 【】〔〕［］（） are
# printed interchangeably around a document number or a remark inside one project's name.
_OPEN_BRACKETS = "(（[［【〔〖〈《「『｛{"
_CLOSE_BRACKETS = ")）]］】〕〗〉》」』｝}"
_BRACKETS = str.maketrans({**{c: "(" for c in _OPEN_BRACKETS}, **{c: ")" for c in _CLOSE_BRACKETS}})
_NAME_NOISE = re.compile(r"[\s\"'“”‘’·]")


def project_name_key(name: str | None) -> str | None:
    """The form of a project's name that joins its printings: NFKC (full-width to half-width),
    every bracket shape folded to ( ), no spaces or quotes. '2024年…补助资金（医疗保障服务能力
    建设部分）' in the 项目支出表 and '…补助资金(医疗保障服务能力建设部分)' above its 绩效目标表
    are one project; '冀财社〔2020〕147号' = '冀财社[2020]147号'."""
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    return _NAME_NOISE.sub("", text) or None


def _line(lines: list[list[int | None]], row: int, col: int | None) -> int | None:
    if row >= len(lines) or col is None or not lines[row]:
        return None
    return lines[row][min(col, len(lines[row]) - 1)]


def parse_target(text: str) -> tuple[str | None, str | None, str | None]:
    """'≥95%' -> ('≥', '95', '%'); '明显改善' -> (None, '明显改善', None)."""
    cleaned = display_label(text)
    match = _TARGET.match(cleaned)
    if not match or not match.group(2):
        return None, cleaned or None, None
    rest = match.group(3).strip()
    if re.match(r"^年.*[月日]|^年底|^年\d", rest) and len(match.group(2)) == 4:
        return None, cleaned, None  # '2024年12月底前' is a date, not 2024 of some unit
    operator = match.group(1)
    operator = _OPERATORS.get(operator, operator) if operator else None
    # a unit is short ('%', '万元', '元/人', '万人次'); longer trailing text is a description
    # glued to the number ('≥95服务满意程度') and is kept only in raw_text
    unit = rest if _UNIT.match(rest) else None
    return operator, match.group(2).replace(",", ""), unit


def _title_subject(title: str) -> str | None:
    """'2.宣传印刷费绩效目标表' -> '宣传印刷费'; a 部门整体 table measures the whole department,
    and so does a 专项资金总体 table (all special funds together, no one project)."""
    if re.search(r"整体|总体", fold(title)):
        return "overall"
    stem = re.sub(r"^\d+[.、．]", "", display_label(title))
    stem = re.sub(r"(项目)?(支出)?绩效目标表$", "", stem)
    return stem or None


# Header words of an indicator grid's columns, most specific first (指标权重 before 指标名称,
# 指标性质 before 指标值).
_HEADER_WORDS = (
    ("l1", _LEVEL1.search), ("l2", _LEVEL2.search), ("weight", _WEIGHT_COL.search),
    ("operator", _OPERATOR_COL.search), ("unit", _UNIT_COL.search), ("l3", _LEVEL3.search),
    ("value", _VALUE.search), ("subject", _SUBJECT_COL.match),
)


def _indicator_columns(row: list[str]) -> dict[str, int | None] | None:
    """Column positions of an indicator header row (一级指标 | 二级指标 | 三级指标 | 指标值, or
    指标名称 | 指标性质 | 指标值 | 计量单位 | 指标权重 without the levels)."""
    joined = fold("".join(row))
    if not (_LEVEL1.search(joined) and _LEVEL2.search(joined)
            or any(_LEVEL3.search(fold(c)) or _LEVEL3_BARE.match(fold(c)) for c in row)):
        return None
    cols: dict[str, int | None] = {"l1": None, "l2": None, "l3": None, "value": None,
                                   "operator": None, "unit": None, "weight": None, "subject": None}
    for c, cell in enumerate(row):
        text = fold(cell)
        # the first header word (in this order) whose column is not placed yet names the cell
        key = next((k for k, names in _HEADER_WORDS if cols[k] is None and names(text)), None)
        if key is not None:
            cols[key] = c
    if cols["l3"] is None:
        cols["l3"] = next((c for c, cell in enumerate(row) if _LEVEL3_BARE.match(fold(cell))), None)
    return cols if cols["value"] is not None else None


def _implicit_columns(row: list[str]) -> dict[str, int | None] | None:
    """An indicator row whose form printed no 一级指标 header: the level-1 word (产出指标 …)
    fixes the columns, the next three cells are level 2, level 3 and the target."""
    for c, cell in enumerate(row):
        if _LEVEL1_WORD.match(fold(cell)) and c + 3 < len(row):
            return {"l1": c, "l2": c + 1, "l3": c + 2, "value": c + 3}
    return None


def _weight(text: str) -> Decimal | None:
    """'12', '12%', '12.5' -> Decimal; a blank or a word -> None."""
    value = parse_amount(re.sub(r"[(（]?[%％][)）]?", "", fold(text)).strip()) if text else None
    return value if value is not None and value >= 0 else None


def _leftover(row: list[str], cols: dict[str, int | None], headings: list[str]) -> list[str] | None:
    """The cells of an indicator row left of its indicator columns, when they hold numbers
    (the project's 项目总额 | 财政资金 printed on its first indicator row): those are read as
    form amounts, like the rows above the indicator grid. Cells right of the first indicator
    column describe the indicator (scores, notes) and are not money, nor are whole numbers
    under a 单位编码 / 序号 heading."""
    first = min(c for key, c in cols.items() if c is not None and key != "subject")
    rest = [cell if c < first and not (c < len(headings) and _SEQUENCE.search(headings[c])
                                       and parse_amount(cell) is not None and "." not in cell)
            else "" for c, cell in enumerate(row)]
    if any(cell and not is_blank_amount(cell) and parse_amount(cell) is not None for cell in rest):
        return rest
    return None


def _realign(row: list[str], cols: dict[str, int | None]) -> list[str]:
    """Rows whose leading row-span cells were dropped arrive shifted left. The level-1 word
    shows by how much; failing that, the target (≥95%) belongs in the value column. Level
    columns hold level words only: free text that lands there is the level-3 indicator."""
    l1, l2, l3, value = cols["l1"], cols["l2"], cols["l3"], cols["value"]
    for c, cell in enumerate(row):
        word = fold(cell)
        if _LEVEL1_WORD.match(word):
            if l1 is not None and c < l1:
                row = [""] * (l1 - c) + row
            break
        if _LEVEL2_WORD.search(word) and l2 is not None:
            if c < l2:  # a level-2 word (时效指标) in the level-1 column
                row = [""] * (l2 - c) + row
            break
    if value is not None and not (value < len(row) and _is_target(row[value])):
        targets = [c for c in range(min(value, len(row))) if row[c] and _is_target(row[c])]
        if targets:
            row = [""] * (value - targets[-1]) + row
    row = row + [""] * max(0, (value or 0) + 1 - len(row))
    for level, pattern in ((l1, _LEVEL1_WORD), (l2, _LEVEL2_WORD)):
        if level is not None and l3 is not None and row[level] and not pattern.search(fold(row[level])) \
                and not row[l3]:
            row = list(row)
            row[l3], row[level] = row[level], ""
    return row


def _is_target(text: str) -> bool:
    """'≥98%', '100%', '5元/人': a number with an operator or a unit."""
    operator, value, unit = parse_target(text)
    return value is not None and (operator is not None or unit is not None)


def _row_subject(row: list[str]) -> str | None:
    cells = [c for c in row if c]
    for i, cell in enumerate(cells[:-1]):
        if _SUBJECT_LABEL.match(fold(cell)):
            return display_label(cells[i + 1])
    return None


def interpret_performance(
    result: TableResult,
    rows: list[list[str]],
    lines: list[list[int | None]],
    default_unit: str | None,
    previous_subject: str | None = None,
) -> str | None:
    """Indicators from indicator grids; label/value money cells from the form rows.

    One grid may hold several project forms one after another (a 项目名称 row starts each),
    and one form may break into two grids (money, then indicators) with no title between
    them: the indicators then belong to the subject of the grid before. Returns the subject
    in force at the end, for the grid that may continue this one.
    """
    subject = _title_subject(result.title) or previous_subject or "overall"
    cols: dict[str, int | None] | None = None
    headings: list[str] = []  # each column's header words, once an indicator header is found
    level1 = level2 = None
    form_rows: list[int] = []
    form_view = list(rows)  # what the form reading sees of each row
    subject_at: list[str] = []  # the subject in force on each row
    named_rows: dict[int, str] = {}  # rows that print a 项目名称
    code_rows: dict[int, str] = {}  # rows that print a 项目编码
    for i, row in enumerate(rows):
        subject_at.append(subject)
        if code := _row_code(row):
            code_rows[i] = code
        header = _indicator_columns(row)
        if header:
            cols, level1, level2 = header, None, None
            headings = ["".join(fold(r[c]) for r in rows[: i + 1] if c < len(r)) for c in range(len(row))]
            continue
        named = _row_subject(row)
        if named:
            subject, cols = named, None
            subject_at[i] = subject
            named_rows[i] = subject
        if cols is None:
            cols = _implicit_columns(row)
            if cols is None:
                form_rows.append(i)
                continue
        row = _realign(row, cols)

        def get(key: str, row: list[str] = row) -> str:
            c = cols.get(key)
            return display_label(row[c]) if c is not None and c < len(row) else ""

        if get("subject"):  # 项目名称 in a column: the project of this row and those below
            subject = get("subject")
            subject_at[i] = subject
        if (rest := _leftover(row, cols, headings)) is not None:
            form_view[i] = rest
            form_rows.append(i)
        level1 = get("l1") or level1
        level2 = get("l2") or level2
        raw = get("value")
        if not raw or _ONLY_RULE.match(fold(raw)) or _FOOTER.search(fold(get("l1") + get("l2"))):
            continue  # template rows (指标1: …) and form footers (经办人, 填报日期) are not indicators
        operator, value, unit = parse_target(raw)
        printed_operator = fold(get("operator"))
        operator = operator or _OPERATORS.get(printed_operator, printed_operator if printed_operator in (
            "≥", "≤", ">", "<", "=") else None)
        unit = unit or get("unit") or None
        result.indicators.append(
            PerformanceIndicator(result.order, i, _line(lines, i, cols["value"]), subject,
                                 level1, level2, get("l3") or None, operator, value, unit, raw,
                                 weight=_weight(get("weight")))
        )
    first_item = len(result.line_items)
    _form_amounts(result, form_view, lines, default_unit, form_rows)
    result.projects.extend(_form_projects(result, result.line_items[first_item:], subject_at, named_rows,
                                          code_rows, lines))
    return subject


def _row_code(row: list[str]) -> str | None:
    """The code a '项目编码 | 130822213QR79I7RXI65C' label/value pair prints, else None."""
    cells = [c for c in (display_label(c) for c in row) if c]
    for i, cell in enumerate(cells[:-1]):
        if _CODE_LABEL.match(fold(cell)) and _CODE_VALUE.match(fold(cells[i + 1])):
            return fold(cells[i + 1])
    return None


def _form_projects(
    result: TableResult,
    items: list[LineItem],
    subject_at: list[str],
    named_rows: dict[int, str],
    code_rows: dict[int, str],
    lines: list[list[int | None]],
) -> list[Project]:
    """One project per project form of the grid: the subject named by its 项目名称 row (or the
    table's title), the code its 项目编码 row prints, and its money — the all-funds amount of
    the form's money rows, the year's amount before the implementation period's. A 部门整体 /
    总体 form measures the whole department and is no project; a form that prints no money
    still names its project (amount None: the 项目支出表 may print it)."""
    codes: dict[str, str] = {}
    for r, code in code_rows.items():
        # the code belongs to the project named on its row, else the one named right below it
        # (项目编码 printed above 项目名称), else the one in force
        near = next((named_rows[j] for j in (r, r + 1, r + 2) if j in named_rows), None)
        codes.setdefault(near or subject_at[r], code)
    first_row: dict[str, int] = {}
    for r, subject in enumerate(subject_at):
        if subject != "overall" and (r in named_rows or r in code_rows or subject not in first_row):
            first_row.setdefault(subject, r)
    projects = []
    for subject, row in first_row.items():
        money = [li for li in items if subject_at[li.source_row] == subject and li.fund_source == "all"
                 and li.measure in ("total", "project") and li.amount_yuan is not None]
        money.sort(key=lambda li: (bool(_PERIOD_AMOUNT.search(fold(li.row_label or ""))), li.source_row,
                                   li.source_col))
        if not money and subject not in named_rows.values() and subject not in codes:
            continue  # a grid that continues a form of the previous one without naming it again
        amount = money[0] if money else None
        projects.append(Project(
            result.order, row, _line(lines, row, 0), subject, codes.get(subject), None, None,
            "all", result.year, amount.amount_yuan if amount else None,  # type: ignore[arg-type]
        ))
    return projects


def _form_amounts(
    result: TableResult,
    rows: list[list[str]],
    lines: list[list[int | None]],
    default_unit: str | None,
    form_rows: list[int],
) -> None:
    """A money cell in a form is named by the text to its left (the row's item) and the text
    above it (the column's heading, e.g. 总额 / 财政拨款); a unit declared in a form label
    ('资金金额（万元）') holds for the rows below it."""
    unit = default_unit
    for r in form_rows:
        row = rows[r]
        unit = next((unit_in(c) for c in row if unit_in(c)), unit)
        label = ""
        measure = None
        for c, cell in enumerate(row):
            if not cell or is_blank_amount(cell):
                continue
            value = parse_amount(cell)
            glued = _LABELLED_AMOUNT.match(display_label(cell)) if value is None else None
            if glued and parse_amount(glued.group(2)) is not None:
                label, value = glued.group(1), parse_amount(glued.group(2))  # '资金总额: 460,036.8'
            elif value is None:
                label = display_label(cell)
                measure = measure_of(fold(cell)) or measure  # '本年基本支出 | 保运转 | 446.43'
                continue
            line = _line(lines, r, c)
            heading = next(
                (display_label(rows[above][c]) for above in range(r - 1, -1, -1)
                 if c < len(rows[above]) and rows[above][c] and parse_amount(rows[above][c]) is None),
                "",
            )
            if _IDENTIFIER.search(fold(label)) and "." not in cell:
                label = ""
                continue  # 项目编码 371502241002060800023 is an identifier, not money
            if not label or "%" in label:
                result.unparsed.append(UnparsedCell(result.order, r, c, line, cell, "number without a label"))
                continue
            multiplier = unit_multipliers().get(unit or "元", 1)
            column_label = heading if heading and heading != label else label
            fund = fund_of(fold(column_label)) or fund_of(fold(label)) or "all"
            result.line_items.append(
                LineItem(
                    table_order=result.order, table_kind=result.kind, source_row=r, source_col=c,
                    source_line=line, row_label=label, budget_unit_code=None, code=None,
                    code_system="none", code_level=None, paired_code=None, paired_code_system=None,
                    measure=measure or "total",
                    fund_source=fund, value_year=result.year, amount=value,
                    amount_yuan=(value * multiplier).quantize(Decimal("0.01")), raw_text=cell,
                    unit_multiplier=multiplier, column_label=column_label,
                )
            )
