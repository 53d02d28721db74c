"""From a grid of cell strings to line items: headers, column meanings, row codes, amounts.

The interpreter reads a budget table the way an accountant does. Header rows are the rows
above the first row that carries an amount or a classification code. Each column's meaning is
the path of header words above it (group headers spread over the columns they span), read
from the innermost word outwards. Each row's meaning comes from its code columns (full
7-digit codes, `2101501-行政运行` labels, or split 类|款|项 columns carried down from the
rows above), or, in summary tables without codes, from its label resolved against the
classification catalogs. A table may hold several label/value panels side by side (收支总表:
revenue | function | economic), so columns are grouped into panels, each with its own labels.

Every numeric cell ends up either as a line item or as an unparsed cell with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from dagster_project import catalogs
from dagster_project.parsing.cells import display_label, fold, is_blank_amount, parse_amount
from dagster_project.parsing.model import LineItem, TableResult, UnparsedCell
from dagster_project.parsing.vocabulary import (
    TOTAL_ROW,
    UNIT_MULTIPLIERS,
    fund_of,
    measure_of,
    three_public_item,
    unit_in,
    year_in,
)

_CODE_FULL = re.compile(r"^(\d{3}(?:\d{2}){0,2})$")
_CODE_PART = re.compile(r"^\d{2,3}$")
_UNIT_CODE = re.compile(r"^\d{3,}$")
_LABEL_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})(?![\d年])\s*[-－—–_:：]?\s*(\S.*)$")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|[①-⑳]|其中[:：]?)+"
)
_NUMBERING_DISPLAY = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|[①-⑳]|其中[:：]?)+\s*"
)
_CAPTION = re.compile(
    r"^(单位|金额单位|计量单位)[:：]|预算年度|^(部门|单位)(\(单位\))?(名称)?[:：]|^编制单位|^\d{6,}[\u4e00-\u9fff]"
)


# The spending category a whole table is about, and tables whose values are not spending.
_KIND_MEASURE = {"basic_expenditure": "basic", "project_expenditure": "project"}
_KIND_DEFAULT_MEASURE = {"asset_holdings": "amount"}


@dataclass
class Column:
    index: int
    role: str  # seq | code | unit_code | label | amount | note
    path: list[str]
    code_part: str | None = None  # 类 | 款 | 项 for split code columns
    code_system: str | None = None  # from the header (部门/政府经济分类, 功能分类)
    measure: str = "total"
    fund: str | None = None
    year: int | None = None
    item: str | None = None  # 三公 item named by the column
    unit: str | None = None

    @property
    def header(self) -> str:
        return " / ".join(self.path)


@dataclass
class Panel:
    columns: list[Column] = field(default_factory=list)

    @property
    def label_cols(self) -> list[Column]:
        return [c for c in self.columns if c.role == "label"]

    @property
    def code_cols(self) -> list[Column]:
        return [c for c in self.columns if c.role == "code"]

    @property
    def amount_cols(self) -> list[Column]:
        return [c for c in self.columns if c.role == "amount"]


def strip_numbering(label: str) -> str:
    return _NUMBERING.sub("", fold(label))


def lift_captions(rows: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Leading rows that are really captions (单位：万元, 预算年度：2021, a unit name alone)."""
    captions: list[str] = []
    while rows:
        cells = [c for c in rows[0] if c]
        if not cells:
            rows = rows[1:]
            continue
        has_amount = any(parse_amount(c) is not None for c in cells)
        is_caption = any(_CAPTION.search(fold(c)) for c in cells) and not has_amount
        if len(rows[0]) > 2 and len(cells) == 1 and not has_amount and len(rows) > 1:
            is_caption = is_caption or bool(unit_in(cells[0]) or year_in(cells[0]))
        if not is_caption:
            break
        captions.extend(cells)
        rows = rows[1:]
    return rows, captions


def _is_column_number_row(row: list[str]) -> bool:
    """栏次 rows (1 2 3 …) number the columns; they are header, not data."""
    cells = [fold(c) for c in row if c]
    if any(c in ("栏次", "序号") for c in cells):
        rest = [c for c in cells if c not in ("栏次", "序号")]
        return all(c.isdigit() for c in rest)
    nums = [int(c) for c in cells if c.isdigit()]
    return len(cells) >= 3 and len(nums) == len(cells) and nums == sorted(nums) and nums[0] <= 1 + 0 * nums[0]


def _is_body_row(row: list[str]) -> bool:
    """A row with an amount, a classification code, or a 合计 label with nothing but
    codes or sequence numbers to its left (a 合计 among header words is a column title)."""
    if _is_column_number_row(row):
        return False
    only_codes_so_far = True
    for cell in row:
        if not cell:
            continue
        text = fold(cell)
        if parse_amount(cell) is not None and not _CODE_PART.match(text):
            return True
        if _CODE_FULL.match(text) and len(text) in (3, 5, 7) and text[0] in "1235":
            return True
        if only_codes_so_far and TOTAL_ROW.search(strip_numbering(cell)) and len(text) <= 12:
            rest = row[row.index(cell) + 1:]
            if all(not c or is_blank_amount(c) or parse_amount(c) is not None for c in rest):
                return True
        only_codes_so_far = only_codes_so_far and text.isdigit()
    return False


def split_header(rows: list[list[str]]) -> int:
    """Number of header rows: everything above the first row with data."""
    for i, row in enumerate(rows):
        if _is_body_row(row):
            return i
    return len(rows)


def header_paths(header: list[list[str]], width: int) -> list[list[str]]:
    """Header words above each column; a group header spreads right over the columns that
    have their own sub-header below it and nothing of their own in its row."""
    grid = [r + [""] * (width - len(r)) for r in header if not _is_column_number_row(r)]
    filled = [list(r) for r in grid]
    for r in range(len(grid) - 1):
        for c in range(1, width):
            if filled[r][c] or not filled[r][c - 1]:
                continue
            if any(grid[below][c] for below in range(r + 1, len(grid))):
                filled[r][c] = filled[r][c - 1]
    paths = []
    for c in range(width):
        path: list[str] = []
        for r in range(len(filled)):
            text = display_label(filled[r][c])
            if text and (not path or path[-1] != text) and not fold(text).isdigit() and fold(text) != "栏次":
                path.append(text)
        paths.append(path)
    return paths


def _innermost(path: list[str], fn) -> str | None:
    """The most specific meaning in a header path: innermost first, generic words skipped.

    A header word wrapped inside its cell arrives as two path entries ('公务用车运' / '行维护费',
    '因公出国' / '（境）费'), so each entry is also read joined to the one above it.
    """
    texts = []
    for i in range(len(path) - 1, -1, -1):
        texts.append(path[i])
        if i:
            texts.append(path[i - 1] + path[i])
    for text in texts:
        value = fn(fold(text))
        if value and value != "total":
            return value
    for text in texts:
        value = fn(fold(text))
        if value:
            return value
    return None


@lru_cache(maxsize=4096)  # pure; asked for every column of every table
def _code_system_hint(text: str) -> str | None:
    if re.search(r"部门.*经济|部门预算支出经济", text):
        return "econ_department"
    if re.search(r"政府.*经济|政府预算支出经济", text):
        return "econ_government"
    if re.search(r"经济", text):
        return "econ_department"
    if re.search(r"功能", text):
        return "function"
    if re.search(r"收入科目", text):
        return "revenue"
    return None


def _column_role(path: list[str], cells: list[str]) -> tuple[str, str | None]:
    head = fold("".join(path))
    last = fold(path[-1]) if path else ""
    if re.search(r"序号|栏次", head) and not re.search(r"名称|项目", last):
        return "seq", None
    if re.search(r"单位(编码|代码)", head):
        return "unit_code", None
    if last in ("类", "款", "项"):
        return "code", last
    if re.search(r"编码|代码", last) and not re.search(r"名称", last):
        return "code", None
    if re.search(r"备注|说明|简介|依据|用途|内容$|理由", last):
        return "note", None
    filled = [c for c in cells if c and not is_blank_amount(c)]
    numeric = [c for c in filled if parse_amount(c) is not None]
    if filled and len(numeric) * 2 < len(filled):
        return "label", None
    if numeric:
        if all(_CODE_FULL.match(fold(c)) and "." not in c for c in numeric) and re.search(r"科目|编码", head):
            return "code", None
        return "amount", None
    if re.search(r"名称|项目$|^项目|科目|单位$", last):
        return "label", None
    return "amount", None


def describe_columns(header: list[list[str]], body: list[list[str]], width: int) -> list[Column]:
    paths = header_paths(header, width)
    columns = []
    for c in range(width):
        cells = [row[c] if c < len(row) else "" for row in body]
        role, part = _column_role(paths[c], cells)
        joined = fold("".join(paths[c]))
        col = Column(index=c, role=role, path=paths[c], code_part=part)
        col.code_system = _code_system_hint(joined)
        col.measure = _innermost(paths[c], measure_of) or "total"
        col.fund = _innermost(paths[c], fund_of)
        col.item = _innermost(paths[c], three_public_item)
        col.year = next((year_in(p) for p in reversed(paths[c]) if year_in(p)), None)
        col.unit = next((unit_in(p) for p in reversed(paths[c]) if unit_in(p)), None)
        columns.append(col)
    _name_bare_subtotals(columns)
    return columns


def _name_bare_subtotals(columns: list[Column]) -> None:
    """A second total column (小计) directly followed by 人员/公用 columns is their subtotal,
    i.e. 基本支出: exports that lose the group header over 小计|人员经费|公用经费 leave exactly
    this shape, and counting it as a second grand total would double the row."""
    amounts = [c for c in columns if c.role == "amount"]
    for i, col in enumerate(amounts[1:-1], start=1):
        if col.measure != "total" or amounts[i - 1].measure != "total" or col.fund != amounts[i - 1].fund:
            continue
        following = [c.measure for c in amounts[i + 1 : i + 3]]
        if following and following[0] in ("personnel", "public_admin"):
            col.measure = "basic"
    # the same shape in 三公 tables: a 小计 right before the 购置 / 运行 columns is 公务用车购置及运行费
    for i, col in enumerate(amounts[:-1]):
        if col.item == "total" and amounts[i + 1].item in ("vehicle_purchase", "vehicle_operation"):
            col.item = "vehicle_total"


def panels_of(columns: list[Column]) -> list[Panel]:
    """A new panel starts at a label or code column that follows an amount column."""
    panels: list[Panel] = [Panel()]
    seen_amount = False
    for col in columns:
        if col.role in ("label", "code", "unit_code") and seen_amount:
            panels.append(Panel())
            seen_amount = False
        if col.role == "amount":
            seen_amount = True
        panels[-1].columns.append(col)
    return [p for p in panels if p.columns]


def _panel_side(panel: Panel, body: list[list[str]]) -> str:
    """revenue | expenditure | economic side of a summary-table panel, from header and labels."""
    head = fold("".join("".join(c.path) for c in panel.columns))
    system = next((c.code_system for c in panel.columns if c.code_system), None)
    if system in ("econ_department", "econ_government"):
        return system
    labels = [fold(row[c.index]) for c in panel.label_cols for row in body if c.index < len(row)]
    income = sum(1 for x in labels if x.endswith("收入") or "拨款" in x and "支出" not in x)
    spend = sum(1 for x in labels if x.endswith("支出"))
    if "收入" in head and "支出" not in head:
        return "revenue"
    if "支出" in head and "收入" not in head:
        return "expenditure"
    return "revenue" if income > spend else "expenditure"


@dataclass
class RowMeaning:
    label: str
    code: str | None = None
    code_system: str = "none"
    paired_code: str | None = None
    paired_code_system: str | None = None
    unit_code: str | None = None
    measure: str | None = None
    fund: str | None = None
    item: str | None = None
    is_total: bool = False


def _system_of_code(code: str, hint: str | None) -> str:
    if hint in ("econ_department", "econ_government", "function", "revenue"):
        if hint.startswith("econ") and code[0] in "35":
            return "econ_department" if code[0] == "3" else "econ_government"
        return hint
    if code[0] == "2":
        return "function"
    if code[0] == "3":
        return "econ_department"
    if code[0] == "5":
        return "econ_government"
    if code[0] == "1":
        return "revenue"
    return "none"


def code_level(code: str | None, system: str) -> str | None:
    if not code or system not in ("function", "econ_department", "econ_government", "revenue"):
        return None
    return {3: "类", 5: "款", 7: "项"}.get(len(code))


class _CodeCarry:
    """Split 类|款|项 columns print a parent part once and leave it blank below."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[str, str]] = {}

    def compose(self, group: str, part: str, value: str) -> str | None:
        state = self.parts.setdefault(group, {})
        if part == "类":
            state.clear()
            state["类"] = value
            return value
        if part == "款":
            state.pop("项", None)
            state["款"] = state.get("类", "") + value
            return state["款"] if len(state["款"]) == 5 else None
        state["项"] = state.get("款", "") + value
        return state["项"] if len(state["项"]) == 7 else None


def _row_codes(row: list[str], panel: Panel, carry: _CodeCarry) -> list[tuple[str, str | None]]:
    """(code, system hint) for each code group of the row: the 部门 code first, 政府 second."""
    found: list[tuple[str, str | None]] = []
    groups: list[list[Column]] = []
    for col in panel.code_cols:
        if col.code_part:
            # each 类 column starts a code group: 部门 类|款 then 政府 类|款 side by side
            if col.code_part == "类" or not groups:
                groups.append([])
            groups[-1].append(col)
            continue
        text = fold(row[col.index]) if col.index < len(row) else ""
        if _CODE_FULL.match(text):
            found.append((text, col.code_system))
    for number, cols in enumerate(groups):
        code = None
        for col in cols:
            text = fold(row[col.index]) if col.index < len(row) else ""
            if text.isdigit():
                code = carry.compose(str(number), col.code_part or "类", text) or code
        if code:
            found.append((code, cols[0].code_system))
    return found


def interpret_row(
    row: list[str], panel: Panel, side: str | None, kind: str, carry: _CodeCarry
) -> RowMeaning:
    labels = [display_label(row[c.index]) for c in panel.label_cols if c.index < len(row)]
    labels = [x for x in labels if x and not is_blank_amount(x)]
    if not labels:  # '合 计' printed across the code columns
        labels = [display_label(row[c.index]) for c in panel.code_cols
                  if c.index < len(row) and row[c.index] and not fold(row[c.index]).isdigit()]
    label = labels[0] if labels else ""
    meaning = RowMeaning(label=label)
    for col in panel.columns:
        if col.role == "unit_code" and col.index < len(row):
            text = fold(row[col.index])
            if _UNIT_CODE.match(text):
                meaning.unit_code = text
    codes = _row_codes(row, panel, carry)
    if not codes and label:
        match = _LABEL_CODE.match(fold(label))
        if match:
            codes = [(match.group(1), None)]
            meaning.label = display_label(match.group(2))
    bare = strip_numbering(meaning.label)
    meaning.label = _NUMBERING_DISPLAY.sub("", meaning.label).strip() or meaning.label
    meaning.is_total = bool(TOTAL_ROW.search(bare)) and not codes
    if kind == "three_public":
        meaning.item = three_public_item(bare)
    if codes:
        code, hint = codes[0]
        meaning.code, meaning.code_system = code, _system_of_code(code, hint)
        if len(codes) > 1:
            paired, paired_hint = codes[1]
            meaning.paired_code = paired
            meaning.paired_code_system = _system_of_code(paired, paired_hint)
        return meaning
    if meaning.is_total or not bare:
        meaning.fund = fund_of(bare) if meaning.is_total and "收入" in bare else None
        return meaning
    if side == "revenue":
        meaning.fund = fund_of(bare)
        if meaning.fund or re.search(r"收入|拨款", bare):
            meaning.code_system = "revenue"
            if re.search(r"^(部门预算|预算收入)$", bare):
                meaning.is_total = True
            return meaning
    measure = measure_of(bare)
    # a row of a 项目支出表 is a project, whatever its name says ("两癌筛查项目经费" is one
    # project's money, not a spending category)
    if measure and not re.search(r"^\(?\d", bare) and kind != "project_expenditure":
        meaning.measure = measure
    system_hint = next((c.code_system for c in panel.label_cols if c.code_system), None)
    econ_labels = [display_label(row[c.index]) for c in panel.label_cols if c.index < len(row)]
    if system_hint in ("econ_department", "econ_government") or kind in ("basic_expenditure",) and not system_hint:
        dept = catalogs.resolve_economic_name(econ_labels[0], "econ_department") if econ_labels else None
        gov = None
        if len(econ_labels) > 1 and econ_labels[1]:
            gov = catalogs.resolve_economic_name(econ_labels[1], "econ_government")
        if system_hint == "econ_government" and not gov:
            gov = catalogs.resolve_economic_name(econ_labels[0], "econ_government") if econ_labels else None
            dept = None
        if dept:
            meaning.code, meaning.code_system = dept, "econ_department"
            if gov:
                meaning.paired_code, meaning.paired_code_system = gov, "econ_government"
        elif gov:
            meaning.code, meaning.code_system = gov, "econ_government"
        if meaning.code:
            meaning.measure = meaning.measure if meaning.measure != "personnel" else None
            return meaning
    if side in ("econ_department", "econ_government"):
        code = catalogs.resolve_economic_name(bare, side)
        if code:
            meaning.code, meaning.code_system = code, side
            meaning.measure = None if meaning.measure == "personnel" else meaning.measure
            return meaning
    if meaning.measure is None and kind not in ("three_public", "project_expenditure"):
        code = catalogs.resolve_function_name(bare)
        if code and len(code) == 3:
            meaning.code, meaning.code_system = code, "function"
    if meaning.fund is None and side == "revenue":
        meaning.fund = fund_of(bare)
    return meaning


def _line_side(panel_side: str | None, kind: str) -> str:
    """Revenue or expenditure: from the panel of a 收支 table, else from the table's kind."""
    if panel_side is not None:
        return "revenue" if panel_side == "revenue" else "expenditure"
    return "revenue" if kind == "revenue_summary" else "expenditure"


def _labels_across_panels(row: list[str], panels: list[Panel]) -> dict[int, list[str]]:
    """Rows whose label is printed across panels ('支出合计' in a cell merged over the function
    panel into the economic one): a panel with amounts but neither label nor code in this row
    takes the label of the panel before it, when that panel has a label and no amount here.
    Returns the row as each such panel should read it."""
    def label(panel: Panel) -> str:
        return next((row[c.index] for c in panel.label_cols if c.index < len(row) and row[c.index]
                     and not is_blank_amount(row[c.index])), "")

    def has_amount(panel: Panel) -> bool:
        return any(c.index < len(row) and parse_amount(row[c.index]) is not None for c in panel.amount_cols)

    def has_code(panel: Panel) -> bool:
        return any(c.index < len(row) and row[c.index] for c in panel.code_cols)

    out: dict[int, list[str]] = {}
    for p in range(1, len(panels)):
        here, before = panels[p], panels[p - 1]
        if not here.label_cols or label(here) or has_code(here) or not has_amount(here):
            continue
        if label(before) and not has_amount(before):
            spanned = list(row)
            spanned[here.label_cols[0].index] = label(before)
            out[p] = spanned
    return out


def _multiplier(unit: str | None) -> int:
    return UNIT_MULTIPLIERS.get(unit or "元", 1)


def interpret_grid(
    result: TableResult,
    header: list[list[str]],
    body: list[list[str]],
    body_lines: list[list[int | None]],
    default_fund: str,
    unit_code: str | None,
) -> None:
    """Fill `result` with line items and unparsed cells for every numeric cell of `body`."""
    width = max([len(r) for r in header + body] or [0])
    body = [r + [""] * (width - len(r)) for r in body]
    columns = describe_columns(header, body, width)
    own = _KIND_MEASURE.get(result.kind)
    for col in columns:
        if col.measure == own:
            col.measure = "total"  # 基本支出 over the 合计 of a 基本支出表 restates the table, it is its total
    result.columns = [f"{c.role}:{c.header}" for c in columns]
    panels = panels_of(columns)
    # a 收入总表 read by fund rows (一般公共预算资金 | 小计, 财政专户管理资金 …) is a revenue panel too
    summary_like = len(panels) > 1 or result.kind in (
        "budget_summary", "fiscal_appropriation_summary", "revenue_summary"
    )
    sides = [_panel_side(p, body) if summary_like else None for p in panels]
    carries = [_CodeCarry() for _ in panels]
    row_measures: list[str | None] = [None] * len(panels)
    current_unit: list[str | None] = [unit_code] * len(panels)
    for r, row in enumerate(body):
        source_row = len(header) + r
        row_lines = body_lines[r] if r < len(body_lines) else []
        spanned = _labels_across_panels(row, panels)
        for p, panel in enumerate(panels):
            meaning = interpret_row(spanned.get(p, row), panel, sides[p], result.kind, carries[p])
            if meaning.unit_code:
                current_unit[p] = meaning.unit_code
                result.unit_rows.add(source_row)
            for col in panel.columns:
                if col.role in ("label", "code", "note") and row[col.index] and col.path:
                    result.row_attrs.setdefault(source_row, {})[fold(col.path[-1])] = display_label(row[col.index])
            if meaning.is_total:
                row_measures[p] = None
            elif meaning.measure and not meaning.code:
                row_measures[p] = meaning.measure
            inherited = row_measures[p] if meaning.code and meaning.code_system.startswith("econ") else None
            for col in panel.columns:
                text = row[col.index]
                if not text or is_blank_amount(text):
                    continue
                line = row_lines[col.index] if col.index < len(row_lines) else None
                value = parse_amount(text)
                if col.role != "amount":
                    if value is not None and col.role == "label" and "." in text:
                        result.unparsed.append(
                            UnparsedCell(result.order, source_row, col.index, line, text,
                                         "number in a label column")
                        )
                    continue
                if value is None:
                    result.unparsed.append(
                        UnparsedCell(result.order, source_row, col.index, line, text,
                                     "text in an amount column")
                    )
                    continue
                measure = col.measure
                if measure == "total":
                    measure = meaning.measure or inherited or _KIND_DEFAULT_MEASURE.get(result.kind, "total")
                fund = col.fund or meaning.fund or default_fund
                code, system = meaning.code, meaning.code_system
                item = col.item if col.item not in (None, "total") else (meaning.item or col.item)
                if result.kind == "three_public" and item:
                    code, system = item, "three_public"
                unit = col.unit or result.unit
                multiplier = _multiplier(unit)
                result.line_items.append(
                    LineItem(
                        table_order=result.order,
                        table_kind=result.kind,
                        source_row=source_row,
                        source_col=col.index,
                        source_line=line,
                        row_label=meaning.label,
                        budget_unit_code=meaning.unit_code
                        or (unit_code if meaning.is_total else current_unit[p]),
                        code=code,
                        code_system=system,
                        code_level=code_level(code, system),
                        paired_code=meaning.paired_code,
                        paired_code_system=meaning.paired_code_system,
                        measure=measure,
                        fund_source=fund,
                        value_year=col.year or result.year,
                        amount=value,
                        amount_yuan=(value * multiplier).quantize(Decimal("0.01")),
                        raw_text=text,
                        unit_multiplier=multiplier,
                        column_label=col.header,
                        is_total=meaning.is_total,
                        side=_line_side(sides[p], result.kind),
                    )
                )
