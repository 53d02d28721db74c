"""绩效目标表: indicators (一级/二级/三级指标 → 指标值) and the money lines above them.

Performance tables are forms rather than grids: a few label/value rows (项目名称, 资金总额)
followed by an indicator grid whose first two levels are printed once and left blank below.
"""

from __future__ import annotations

import re
from decimal import Decimal

from dagster_project.parsing.cells import display_label, fold, is_blank_amount, parse_amount
from dagster_project.parsing.model import LineItem, PerformanceIndicator, TableResult, UnparsedCell
from dagster_project.parsing.vocabulary import UNIT_MULTIPLIERS, fund_of, unit_in

_TARGET = re.compile(r"^\s*(≥|≤|>=|<=|＞＝|＜＝|>|<|＞|＜|=|＝|大于等于|小于等于|不低于|不高于|不少于|不超过|大于|小于|等于)?\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*(.*)$")
_OPERATORS = {
    ">=": "≥", "＞＝": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥",
    "<=": "≤", "＜＝": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤",
    "＞": ">", "大于": ">", "＜": "<", "小于": "<", "＝": "=", "等于": "=",
}
_LEVEL1 = re.compile(r"一级指标")
_LEVEL2 = re.compile(r"二级指标")
_LEVEL3 = re.compile(r"三级指标|指标内容|指标名称")
_VALUE = re.compile(r"指标值|目标值")
_FOOTER = re.compile(r"经办人|联系电话|填报日期|填报人|审核人|负责人|联系人")
_IDENTIFIER = re.compile(r"编码|代码|编号|序号|电话|年度$|年份")
_SUBJECT_LABEL = re.compile(r"^(项目名称|项目)$")


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
    operator = match.group(1)
    operator = _OPERATORS.get(operator, operator) if operator else None
    unit = match.group(3).strip() or None
    return operator, match.group(2).replace(",", ""), unit


def _title_subject(title: str) -> str | None:
    """'2.宣传印刷费绩效目标表' -> '宣传印刷费'; a 部门整体 table measures the whole department."""
    if re.search(r"整体", fold(title)):
        return "overall"
    stem = re.sub(r"^\d+[.、．]", "", display_label(title))
    stem = re.sub(r"(项目)?(支出)?绩效目标表$", "", stem)
    return stem or None


def _indicator_columns(row: list[str]) -> dict[str, int | None] | None:
    """Column positions of an indicator header row (一级指标 | 二级指标 | 三级指标 | 指标值)."""
    joined = fold("".join(row))
    if not (_LEVEL1.search(joined) and _LEVEL2.search(joined)):
        return None
    cols: dict[str, int | None] = {"l1": None, "l2": None, "l3": None, "value": None}
    for c, cell in enumerate(row):
        text = fold(cell)
        if cols["l1"] is None and _LEVEL1.search(text):
            cols["l1"] = c
        elif cols["l2"] is None and _LEVEL2.search(text):
            cols["l2"] = c
        elif cols["l3"] is None and _LEVEL3.search(text):
            cols["l3"] = c
        elif cols["value"] is None and _VALUE.search(text):
            cols["value"] = c
    return cols if cols["value"] is not None else None


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
    level1 = level2 = None
    form_rows: list[int] = []
    for i, row in enumerate(rows):
        named = _row_subject(row)
        if named:
            subject, cols = named, None
        header = _indicator_columns(row)
        if header:
            cols, level1, level2 = header, None, None
            continue
        if cols is None:
            form_rows.append(i)
            continue

        def get(key: str, row: list[str] = row) -> str:
            c = cols[key]
            return display_label(row[c]) if c is not None and c < len(row) else ""

        level1 = get("l1") or level1
        level2 = get("l2") or level2
        raw = get("value")
        if not raw or _FOOTER.search(fold(get("l1") + get("l2"))):
            continue  # template rows (指标1: …) and form footers (经办人, 填报日期) are not indicators
        operator, value, unit = parse_target(raw)
        result.indicators.append(
            PerformanceIndicator(result.order, i, _line(lines, i, cols["value"]), subject,
                                 level1, level2, get("l3") or None, operator, value, unit, raw)
        )
    _form_amounts(result, rows, lines, default_unit, form_rows)
    return subject


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
        for c, cell in enumerate(row):
            if not cell or is_blank_amount(cell):
                continue
            value = parse_amount(cell)
            if value is None:
                label = display_label(cell)
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
            multiplier = UNIT_MULTIPLIERS.get(unit or "元", 1)
            column_label = heading if heading and heading != label else label
            fund = fund_of(fold(column_label)) or fund_of(fold(label)) or "all"
            result.line_items.append(
                LineItem(
                    table_order=result.order, table_kind=result.kind, source_row=r, source_col=c,
                    source_line=line, row_label=label, budget_unit_code=None, code=None,
                    code_system="none", code_level=None, paired_code=None, paired_code_system=None,
                    measure="project" if result.title and "项目" in result.title else "total",
                    fund_source=fund, value_year=result.year, amount=value,
                    amount_yuan=(value * multiplier).quantize(Decimal("0.01")), raw_text=cell,
                    unit_multiplier=multiplier, column_label=column_label,
                )
            )
