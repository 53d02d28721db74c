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
from dagster_project.parsing.cells import amount_problem, is_blank_amount, parse_amount, why_not_amount
from dagster_project.parsing.classify import is_table_title
from dagster_project.parsing.document import is_org_name
from dagster_project.parsing.model import LineItem, TableResult, UnparsedCell
from dagster_project.parsing.vocabulary import (
    NOT_THREE_PUBLIC,
    TOTAL_ROW,
    fund_of,
    is_change,
    measure_of,
    relative_year,
    three_public_item,
    unit_in,
    unit_multipliers,
    year_in,
    year_label,
)
from dagster_project.text.cells import display_label, fold
from dagster_project.text.patterns import AMOUNT, LIST_NUMBER, OF_WHICH

_CODE_FULL = re.compile(r"^(\d{3}(?:\d{2}){0,2})$")
_CODE_PART = re.compile(r"^\d{2,3}$")
_UNIT_CODE = re.compile(r"^\d{3,}$")
_LABEL_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})(?![\d年])\s*[-－—–_:：]?\s*(\S.*)$")
# List numbers and '其中' in front of a row label ('（一）其中：工资福利支出'): not part of its name.
_NUMBERING = re.compile(rf"^(?:{LIST_NUMBER}|{OF_WHICH})+")
_NUMBERING_DISPLAY = re.compile(rf"^(?:{LIST_NUMBER}|{OF_WHICH})+\s*")
# A lone cell over a grid's columns that dates them ('2026年预算数', '本年预算数'): header.
_COLUMN_GROUP = re.compile(r"^((19|20)\d{2}年度?|上年度?|本年度?|当年度?)?(预算|决算|执行)数$")
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
    year_offset: int | None = None  # 上年… -1, 本年/当年 0: the year relative to the table's
    change: bool = False  # 增减 / 比上年增减: the change from the previous year, not a value
    not_three_public: bool = False  # 会议费, 培训费 … beside the 三公 items
    budget_unit: str | None = None  # a column per sub-unit, headed by the unit's name

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
            # '2026 年预算数' over all columns is a column group header, not a caption
            is_caption = is_caption or bool(unit_in(cells[0]) or year_in(cells[0])) \
                and not _COLUMN_GROUP.match(fold(cells[0]))
        # the table's own title printed as the grid's first row (预算03表 支出总表)
        if len(cells) == 1 and not has_amount and len(rows) > 1 and len(rows[0]) > 1:
            is_caption = is_caption or is_table_title(cells[0])
        if not is_caption:
            break
        captions.extend(cells)
        rows = rows[1:]
    return rows, captions


# Cells a column-number row prints beside its numbers: placeholders (** over the label
# columns), the row's own name (栏次, 行次, 序号) and the letters 决算 templates give label
# columns (甲 乙).
_COLUMN_MARK = re.compile(r"^(?:[*＊×xX#\-—–/]+|栏次|行次|列次|序号|编号|[甲乙丙丁戊己庚辛A-Ha-h])$")
# A column number, possibly with the identity it satisfies ('3=4+5', '1=2+3+4').
_COLUMN_NUMBER = re.compile(r"^(\d{1,2})(?:=[\d+\-×*()（）=]+)?$")


def _is_column_number_row(row: list[str]) -> bool:
    """栏次 rows (1 2 3 …) number the columns; they are header, not data.

    The row's cells are column numbers counting up by one in column order (at least three,
    from 1), or any column numbers beside a word naming the row (栏次, 行次, 序号); every other
    cell is blank or a placeholder (`**`, `—`, 甲/乙). Read as amounts they would be
    1, 2, 3 … 万元 of spending in every column."""
    numbers: list[int] = []
    named = False
    for cell in row:
        text = fold(cell)
        if not text:
            continue
        match = _COLUMN_NUMBER.match(text)
        if match:
            numbers.append(int(match.group(1)))
        elif _COLUMN_MARK.match(text):
            named = named or text in ("栏次", "行次", "列次", "序号", "编号")
        else:
            return False
    if not numbers:
        return False
    if named:
        return True
    counting = all(b == a + 1 for a, b in zip(numbers, numbers[1:]))
    return len(numbers) >= 3 and counting and numbers[0] <= 1


def _is_amount_cell(cell: str) -> bool:
    """An amount, or a cell that tries to print one and is malformed ('1e400', '60亿元',
    '1.234,56'): data either way, to be read or reported, never a header word or a label."""
    return parse_amount(cell) is not None or amount_problem(cell) is not None


def _is_body_row(row: list[str]) -> bool:
    """A row with an amount (readable or malformed), a classification code, or a 合计 label
    with nothing but codes or sequence numbers to its left (a 合计 among header words is a
    column title)."""
    if _is_column_number_row(row):
        return False
    only_codes_so_far = True
    for cell in row:
        if not cell:
            continue
        text = fold(cell)
        if _is_amount_cell(cell) and not _CODE_PART.match(text):
            return True
        if _CODE_FULL.match(text) and len(text) in (3, 5, 7) and text[0] in "1235":
            return True
        if only_codes_so_far and TOTAL_ROW.search(strip_numbering(cell)) and len(text) <= 12:
            rest = row[row.index(cell) + 1:]
            if all(not c or is_blank_amount(c) or _is_amount_cell(c) for c in rest):
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


# Header words of a column of names: its cells are labels, whatever they look like.
_LABEL_HEAD = re.compile(r"名称|科目|^项目$|^(?:预算)?单位$|摘要|内容|说明|备注")


def _column_role(path: list[str], cells: list[str]) -> tuple[str, str | None]:
    head = fold("".join(path))
    last = fold(path[-1]) if path else ""
    if re.search(r"序号|栏次|^序$", head) and not re.search(r"名称|项目", last):
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
    # percentages (增减%, 占比) describe the amounts beside them; they are neither amounts
    # nor row labels (a label column there would start a panel of its own)
    if re.search(r"[(（]%[)）]|%$|百分比|比例$|率$", last) and not re.search(r"名称|项目", last) or (
        filled and sum(1 for c in filled if fold(c).endswith("%")) * 2 > len(filled)
    ):
        return "note", None
    numeric = [c for c in filled if parse_amount(c) is not None or _glued_amount(c)]
    if not _LABEL_HEAD.search(last) or measure_of(last):
        # malformed amounts ('1e400', '60亿元', '1.234,56') are still the column's amounts,
        # to be reported cell by cell: a column of nothing else is not a label column, and
        # its table does not lose it (only a column headed as a label keeps them as text)
        numeric += [c for c in filled if amount_problem(c) is not None]
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
        col.year, col.year_offset = _column_year(paths[c])
        col.change = any(is_change(fold(p)) for p in paths[c])
        col.not_three_public = _not_three_public(paths[c])
        col.unit = next((unit_in(p) for p in reversed(paths[c]) if unit_in(p)), None)
        if role == "amount" and paths[c] and is_org_name(paths[c][-1]) and not measure_of(fold(paths[c][-1])):
            # per-unit blocks printed side by side (合计 | 东郊监狱 | 西郊监狱): each column is
            # its unit's figure, not a second total of the same fact
            col.budget_unit = display_label(paths[c][-1])
        columns.append(col)
    _name_bare_subtotals(columns)
    return columns


def _column_year(path: list[str]) -> tuple[int | None, int | None]:
    """(year, offset) of a column: the innermost header word that dates it, a printed year
    (2025年预算数) or one relative to the table's year (上年预算数 -1, 本年 / 当年 0)."""
    for word in reversed(path):
        if year := year_in(word):
            return year, None
        if (offset := relative_year(fold(word))) is not None:
            return None, offset
    return None, None


def _not_three_public(path: list[str]) -> bool:
    """A column of a 三公 table headed by something else (会议费, 培训费, 机关运行经费): the
    innermost header word naming either a 三公 item or such a thing decides."""
    for word in reversed(path):
        if three_public_item(fold(word)):
            return False
        if NOT_THREE_PUBLIC.search(fold(word)):
            return True
    return False


def _name_bare_subtotals(columns: list[Column]) -> None:
    """A second total column (小计) directly followed by 人员/公用 columns is their subtotal,
    i.e. 基本支出: exports that lose the group header over 小计|人员经费|公用经费 leave exactly
    this shape, and counting it as a second grand total would double the row."""
    amounts = [c for c in columns if c.role == "amount"]
    for i, col in enumerate(amounts[1:-1], start=1):
        if col.measure != "total" or amounts[i - 1].measure != "total" or col.fund != amounts[i - 1].fund:
            continue
        if any(c.role in ("label", "code") for c in columns[amounts[i - 1].index + 1 : col.index]):
            continue  # the total before it belongs to another panel (收入 | 支出 side by side)
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
    labels = [fold(row[c.index]) for c in panel.label_cols for row in body if c.index < len(row)]
    if system in ("econ_department", "econ_government"):
        # the header says economic; which system its labels name is counted, as a header
        # word wrapped into the next cell ('政' / '府预算支出经济科目') loses the 政府
        def named(system: str) -> int:
            return sum(1 for x in labels if x and catalogs.resolve_economic_name(strip_numbering(x), system))
        other = "econ_government" if system == "econ_department" else "econ_department"
        return other if named(other) > named(system) else system
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
    year: int | None = None  # a row labelled with a year (2025年 | 2026年 | 增减变化金额 rows)
    year_offset: int | None = None  # a row labelled 上年 (-1) or 本年 / 当年 (0)
    change: bool = False  # a row labelled 增减 / 比上年增减: changes, not values of a year
    not_three_public: bool = False  # 行政经费, 会议费 … rows of a 三公 table


def _row_dating(meaning: RowMeaning, labels: list[str]) -> None:
    """Years and changes a row's label cells state: a label column '年度' holding 2025年 /
    2026年 / 增减变化金额 beside the unit name makes each row a year's values (or changes)."""
    for text in labels:
        folded = fold(text)
        if meaning.year is None and (year := year_label(folded)):
            meaning.year = year
        elif meaning.year_offset is None and (offset := relative_year(folded)) is not None:
            meaning.year_offset = offset
        meaning.change = meaning.change or is_change(folded)


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
        if part != "类" and len(value) == 1:
            # 款 and 项 are two digits by the classification standard; a spreadsheet that stores
            # them as numbers without a '00' format shows 05 as 5
            value = value.zfill(2)
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


_SYSTEM_ORDER = {"function": 0, "econ_department": 1, "econ_government": 2}


def _label_codes(row: list[str], panel: Panel) -> list[tuple[str, str | None]]:
    """Codes printed in the label cells themselves (`2050803-培训支出`). A row may carry one in
    each of several label columns (支出总表 rows printed as function × 政府经济 × 部门经济
    pairs): the function code is the row's code and the finer economic code, 部门 before 政府,
    its paired code."""
    found: list[tuple[str, str | None]] = []
    for col in panel.label_cols:
        text = fold(row[col.index]) if col.index < len(row) else ""
        match = _LABEL_CODE.match(text) if text else None
        if match:
            found.append((match.group(1), col.code_system))
    if len(found) > 1:
        found.sort(key=lambda c: _SYSTEM_ORDER.get(_system_of_code(*c), 3))
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
    _row_dating(meaning, labels)
    for col in panel.columns:
        if col.role == "unit_code" and col.index < len(row):
            text = fold(row[col.index])
            if _UNIT_CODE.match(text):
                meaning.unit_code = text
    codes = _row_codes(row, panel, carry)
    if not codes and label:
        codes = _label_codes(row, panel)
        if codes:  # the row is named by the cell that gives its code
            named = next(x for c in panel.label_cols if c.index < len(row)
                         and (m := _LABEL_CODE.match(x := fold(row[c.index]))) and m.group(1) == codes[0][0])
            meaning.label = display_label(_LABEL_CODE.match(named).group(2))
    bare = strip_numbering(meaning.label)
    meaning.label = _NUMBERING_DISPLAY.sub("", meaning.label).strip() or meaning.label
    meaning.is_total = bool(TOTAL_ROW.search(bare)) and not codes
    if kind == "three_public":
        meaning.item = three_public_item(bare)
        meaning.not_three_public = meaning.item is None and bool(NOT_THREE_PUBLIC.search(bare))
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
    if side in ("econ_department", "econ_government") and system_hint in ("econ_department", "econ_government"):
        system_hint = side  # the system the panel's labels were found to name (_panel_side)
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
        # an economic panel names economic categories only; its header may name the wrong
        # system (or arrive garbled), so the other economic system is tried too, never the
        # function catalog (债务还本支出, 转移性支出 are names in both)
        other = "econ_government" if side == "econ_department" else "econ_department"
        for system in (side, other):
            code = catalogs.resolve_economic_name(bare, system)
            if code:
                meaning.code, meaning.code_system = code, system
                meaning.measure = None if meaning.measure == "personnel" else meaning.measure
                return meaning
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


def _value_year(meaning: RowMeaning, col: Column, table_year: int | None) -> tuple[int | None, int]:
    """(value_year, year_offset) of a cell: the year its row or column prints (a row label
    2025年 before a column's 2026年预算数 group), else the table's year moved by the row's or
    column's 上年 (-1). Without a table year the offset is handed on, for the document's year."""
    if meaning.year or col.year:
        return meaning.year or col.year, 0
    offset = meaning.year_offset if meaning.year_offset is not None else (col.year_offset or 0)
    if table_year is None:
        return None, offset
    return table_year + offset, 0


def _multiplier(unit: str | None) -> int:
    return unit_multipliers().get(unit or "元", 1)


# A label column naming the budget unit a row belongs to (预算单位, 单位名称, 资金使用单位).
_UNIT_COLUMN = re.compile(r"^(预算)?单位(名称)?$|资金使用单位|^单位名称")


def _first_amount(row: list[str], panel: Panel) -> Decimal | None:
    return next((v for c in panel.amount_cols if (v := parse_amount(row[c.index])) is not None), None)


def _unit_rows_by_repeated_codes(panel: Panel, body: list[list[str]], meanings: list[RowMeaning]) -> list[int]:
    """Rows that head per-unit blocks of one column (单位A, its 301/302/303 rows, 单位B, its
    301/302/303 rows …): uncoded, unmeasured rows between which the same codes come back, each
    equal (to the cent per row added) to the top-level coded rows of its block."""
    candidates = [r for r, m in enumerate(meanings)
                  if not m.code and not m.is_total and not m.measure and m.label
                  and _first_amount(body[r], panel) is not None]
    if len(candidates) < 2:
        return []
    blocks = []
    for start, end in zip(candidates, [*candidates[1:], len(body)]):
        coded = [r for r in range(start + 1, end) if meanings[r].code and not meanings[r].is_total]
        blocks.append((start, coded))
    keys_seen: dict[tuple, int] = {}
    repeated = False
    for n, (_, coded) in enumerate(blocks):
        for r in coded:
            m = meanings[r]
            key = (m.code, m.code_system, m.paired_code)
            if keys_seen.setdefault(key, n) != n:
                repeated = True
    if not repeated:
        return []
    for start, coded in blocks:
        if not coded:
            return []
        shortest = min(len(meanings[r].code) for r in coded)
        tops = [v for r in coded if len(meanings[r].code) == shortest
                and (v := _first_amount(body[r], panel)) is not None]
        head = _first_amount(body[start], panel)
        cent = Decimal("0.01")
        if head is None or abs(head - sum(tops, Decimal(0))) > cent * len(tops):
            return []
    return candidates


def mark_unit_rows(panel: Panel, body: list[list[str]], meanings: list[RowMeaning]) -> None:
    """Spending tables broken down by budget unit print a row naming each unit above that
    unit's rows, either in a unit column of its own (预算单位 | 科目编码 | 科目名称) or in the
    category column itself (支出项目类别（资金使用单位）: 单位A, 工资福利支出 … 单位B, 工资福利支出 …).
    Each unit's rows then carry the unit (its name where no unit code is printed), so that the
    same code of two units gives two facts. A lone unit row in a table without a 合计 row is
    the department's own total, printed on top."""
    unit_cols = [c for c in panel.label_cols if c.path and _UNIT_COLUMN.search(fold(c.path[-1]))]
    others = [c for c in panel.columns if c.role in ("label", "code") and c not in unit_cols]
    if unit_cols and others:
        col = unit_cols[0]
        rows = [r for r, m in enumerate(meanings) if not m.code and not m.is_total
                and fold(body[r][col.index]) and _first_amount(body[r], panel) is not None]
    else:
        rows = _unit_rows_by_repeated_codes(panel, body, meanings)
    if len(rows) == 1 and unit_cols and others and not any(m.is_total for m in meanings):
        meanings[rows[0]].is_total = True
        return
    if len(rows) < 2:
        return
    for r in rows:
        meanings[r].unit_code = meanings[r].unit_code or meanings[r].label


# An amount cell that starts with the end of the label beside it ('助1839311.66' under
# '5、对事业单位经常性补'): a label wrapped in its cell whose second line the reader put into
# the next column.
_LABEL_TAIL = re.compile(rf"^(\D{{1,12}}?)\s*([+-]?{AMOUNT})$")
# … or after it ('1090.22出' under '其他社会保障和就业支'), the characters ordered by position.
_LABEL_TAIL_AFTER = re.compile(rf"^([+-]?{AMOUNT})\s*(\D{{1,12}})$")


def _glued_amount(text: str) -> bool:
    """A decimal amount with a label's tail glued before or after it (counts as an amount
    when deciding what a column holds)."""
    match = _LABEL_TAIL.match(text.strip()) or _LABEL_TAIL_AFTER.match(text.strip())
    if not match:
        return False
    number = match.group(2) if match.re is _LABEL_TAIL else match.group(1)
    return "." in number and bool(re.search(r"[\u4e00-\u9fff]", text))


def _split_label_tails(body: list[list[str]], panels: list[Panel]) -> dict[tuple[int, int], str]:
    """Give a label back the tail the reader glued to the amount beside it, and the amount
    cell its number. Only where the row has a label in that panel, so the tail has a label to
    end. Returns the cells as printed, for raw_text."""
    printed: dict[tuple[int, int], str] = {}
    for panel in panels:
        for col in panel.amount_cols:
            label_col = next((c for c in reversed(panel.label_cols) if c.index < col.index), None)
            if label_col is None:
                continue
            right = col.index + 1
            for r, row in enumerate(body):
                text = row[col.index]
                if not text or parse_amount(text) is not None or not row[label_col.index]:
                    continue
                if amount_problem(text) is not None:
                    continue  # '60亿元' is a malformed amount, not 60 and the label's tail 亿元
                tail, number = None, None
                if match := _LABEL_TAIL.match(text.strip()):
                    tail, number = match.group(1), match.group(2)
                elif (match := _LABEL_TAIL_AFTER.match(text.strip())) and not (
                    # words after the number that begin the next column's empty label
                    right < len(row) and not row[right] and any(c.index == right for c in (
                        c for p in panels for c in p.label_cols))
                ):
                    tail, number = match.group(2), match.group(1)
                if tail is None or is_blank_amount(tail) or parse_amount(number) is None \
                        or not re.search(r"[\u4e00-\u9fff]|^\s*[)）]+\s*$", tail):
                    continue
                printed[(r, col.index)] = text
                row[label_col.index] = row[label_col.index] + tail.strip()
                row[col.index] = number
    return printed


# Headers that qualify a figure the vocabulary already names: the same figure net of
# something (扣除基建投资后预算数), or a part of it (其中：…, the 政府采购 share of spending).
_VARIANT = re.compile(r"扣除|剔除|不含|^其中|政府采购")
# Tables whose amount columns become spending facts keyed by (code, measure, fund, year):
# two columns meaning the same would give two facts with one key.
_KEYED_KINDS = frozenset({
    "budget_summary", "expenditure_summary", "fiscal_appropriation_summary",
    "general_budget_expenditure", "basic_expenditure", "gov_fund", "soe_capital",
})


def _columns_without_facts(panels: list[Panel], sides: list[str | None], result: TableResult) -> dict[int, str]:
    """Amount columns of a spending table that state no budget figure of their own, with the
    reason their cells are reported instead of loaded: a variant or part of a figure an earlier
    column of the panel already states, which the vocabulary cannot tell apart from it
    (扣除中央基建投资后预算数 beside 年初预算数, the 2026年政府采购项目 小计 beside 支出总计): two
    facts with one key, and the first printing is the figure the table is about. Change
    columns (增减额) are not variants: their cells are loaded with measure `change`.

    Other columns that read alike are loaded as before, and noted on the table."""
    out: dict[int, str] = {}
    if result.kind not in _KEYED_KINDS:
        return out
    for panel, side in zip(panels, sides):
        if side == "revenue":
            continue
        seen: dict[tuple, Column] = {}
        # a column without a year of its own is of the table's year: the one year the other
        # columns print, when they print one (2026年政府采购项目 beside 支出总计)
        years = {c.year for c in panel.amount_cols if c.year}
        default_year = next(iter(years)) if len(years) == 1 else result.year
        for col in panel.amount_cols:
            if col.change:
                continue
            dated = col.year or (default_year if not col.year_offset else None)
            key = (col.measure, col.fund, dated, None if col.year else (col.year_offset or None))
            first = seen.setdefault(key, col)
            if first is col:
                continue
            if any(_VARIANT.search(fold(p)) for p in col.path):
                out[col.index] = (f"variant of column {first.index} ({first.header}) the vocabulary "
                                  f"does not distinguish: {col.header}")
            else:
                result.notes.append(f"columns {first.index} ({first.header}) and {col.index} "
                                    f"({col.header}) read alike")
    return out


def _without_repeated_headers(header: list[list[str]], body: list[list[str]]) -> list[list[str]]:
    """Body rows that reprint a header row (a page break inside one grid repeats the column
    heads) blanked: they are layout, neither data nor unparsed cells."""
    heads = {tuple(fold(c) for c in row) for row in header if sum(1 for c in row if c.strip()) >= 2}
    return [[""] * len(row) if tuple(fold(c) for c in row) in heads else row for row in body]


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
    body = _without_repeated_headers(header, body)
    printed = _split_label_tails(body, panels)
    sides = [_panel_side(p, body) if summary_like else None for p in panels]
    not_facts = _columns_without_facts(panels, sides, result)
    carries = [_CodeCarry() for _ in panels]
    meanings = []
    for row in body:
        spanned = _labels_across_panels(row, panels)
        meanings.append([interpret_row(spanned.get(p, row), panel, sides[p], result.kind, carries[p])
                         for p, panel in enumerate(panels)])
    for p, panel in enumerate(panels):
        if sides[p] != "revenue" and result.kind not in ("three_public", "project_expenditure"):
            mark_unit_rows(panel, body, [m[p] for m in meanings])
    row_measures: list[str | None] = [None] * len(panels)
    current_unit: list[str | None] = [unit_code] * len(panels)
    for r, row in enumerate(body):
        source_row = len(header) + r
        row_lines = body_lines[r] if r < len(body_lines) else []
        for p, panel in enumerate(panels):
            meaning = meanings[r][p]
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
                    problem = why_not_amount(text)
                    result.unparsed.append(
                        UnparsedCell(result.order, source_row, col.index, line, text,
                                     f"malformed amount: {problem}" if problem else "text in an amount column")
                    )
                    continue
                if col.index in not_facts:
                    result.unparsed.append(
                        UnparsedCell(result.order, source_row, col.index, line, text, not_facts[col.index])
                    )
                    continue
                measure = col.measure
                if measure == "total":
                    measure = meaning.measure or inherited or _KIND_DEFAULT_MEASURE.get(result.kind, "total")
                if col.change or meaning.change:
                    measure = "change"
                fund = col.fund or meaning.fund or default_fund
                code, system = meaning.code, meaning.code_system
                item = col.item if col.item not in (None, "total") else (meaning.item or col.item)
                if col.not_three_public or meaning.not_three_public:
                    item = None
                value_year, year_offset = _value_year(meaning, col, result.year)
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
                        budget_unit_code=col.budget_unit or meaning.unit_code
                        or (unit_code if meaning.is_total else current_unit[p]),
                        code=code,
                        code_system=system,
                        code_level=code_level(code, system),
                        paired_code=meaning.paired_code,
                        paired_code_system=meaning.paired_code_system,
                        measure=measure,
                        fund_source=fund,
                        value_year=value_year,
                        year_offset=year_offset,
                        amount=value,
                        amount_yuan=(value * multiplier).quantize(Decimal("0.01")),
                        raw_text=printed.get((r, col.index), text),
                        unit_multiplier=multiplier,
                        column_label=col.header,
                        is_total=meaning.is_total,
                        side=_line_side(sides[p], result.kind),
                    )
                )
