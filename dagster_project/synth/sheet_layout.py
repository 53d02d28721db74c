"""Where a report's paragraphs and tables go in a workbook, shared by the XLSX and XLS renderers.

Either one table per sheet (the sheet named after the table's title, the paragraphs since the
previous table as rows above it: the title merged across the table, the unit line in the last
column) or every table on one sheet, one below the other with a blank row between and page
breaks where the report has them. Every cell of a table has a border, blank ones included,
as in published workbooks. Header cells are merged where the text printed a group header
(synth/merges.py). Body cells that print a number hold the number, with a number format that
shows the printed decimals ('#,##0.00'), percentages as fractions with a percent format,
zero-padded codes ('01') with a zero-padded format, so a reader has to rebuild the printed
text from values. Blank rows inside tables are left out: in a sheet a blank row ends a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dagster_project.synth.blocks import Block, Grid, PageBreak, Paragraph
from dagster_project.synth.merges import header_spans

_DECIMAL = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.(\d+)$")
_GROUPED_INT = re.compile(r"^-?\d{1,3}(?:,\d{3})+$")
_INT = re.compile(r"^-?(?:0|[1-9]\d*)$")
_PADDED = re.compile(r"^0\d+$")
_PERCENT = re.compile(r"^(-?\d+)(?:\.(\d+))?%$")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_SIGNIFICANT = 15  # digits a spreadsheet number holds


@dataclass(frozen=True)
class CellSpec:
    value: int | float | str
    number_format: str = "General"
    role: str = "body"  # title, unit, text, header, body


@dataclass
class SheetSpec:
    """One worksheet; rows and columns 1-based, merges as (first row, first col, last row, last col)."""

    name: str
    cells: dict[tuple[int, int], CellSpec] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bordered: set[tuple[int, int]] = field(default_factory=set)
    row_breaks: list[int] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    state: str = "visible"  # visible, hidden, veryHidden


def excel_value(text: str) -> tuple[int | float | str, str]:
    """(value, number format) a publisher's spreadsheet would hold for a printed body cell."""
    digits = len(re.sub(r"\D", "", text).lstrip("0"))
    if digits > _SIGNIFICANT:
        return text, "@"  # identifiers longer than a spreadsheet number stay text
    if m := _DECIMAL.match(text):
        return float(text.replace(",", "")), "#,##0." + "0" * len(m.group(1))
    if _GROUPED_INT.match(text):
        return int(text.replace(",", "")), "#,##0"
    if _INT.match(text):
        return int(text), "General"
    if _PADDED.match(text):
        return int(text), "0" * len(text)
    if m := _PERCENT.match(text):
        decimals = len(m.group(2) or "")
        return float(text[:-1]) / 100, "0" + ("." + "0" * decimals if decimals else "") + "%"
    return text, "General"


def _segments(blocks: list[Block]) -> tuple[list[tuple[list[str], Grid, bool]], list[str]]:
    """(paragraphs before, grid, page break before) per table, and the paragraphs after the last."""
    out, paragraphs, page_break = [], [], False
    for block in blocks:
        if isinstance(block, Paragraph):
            paragraphs.append(block.text)
        elif isinstance(block, PageBreak):
            page_break = True
        else:
            out.append((paragraphs, block, page_break))
            paragraphs, page_break = [], False
    return out, paragraphs


def _put_paragraphs(sheet: SheetSpec, row: int, paragraphs: list[str], width: int) -> int:
    for i, text in enumerate(paragraphs):
        caption = i >= len(paragraphs) - 3 and len(text) <= 40 and width > 1
        if caption and "单位" in text:
            sheet.cells[(row, width)] = CellSpec(text, role="unit")  # at the right edge
        elif caption:
            sheet.cells[(row, 1)] = CellSpec(text, role="title")
            sheet.merges.append((row, 1, row, width))
        else:
            sheet.cells[(row, 1)] = CellSpec(text, role="text")
        row += 1
    return row


def _put_grid(sheet: SheetSpec, row: int, grid: Grid) -> int:
    """The grid from `row` on; returns the next free row."""
    kept = [i for i, r in enumerate(grid.rows) if any(r)]
    position = {i: row + k for k, i in enumerate(kept)}
    for i in kept:
        for c in range(1, grid.n_cols + 1):
            sheet.bordered.add((position[i], c))
        for c, text in enumerate(grid.rows[i], start=1):
            if not text:
                continue
            if i >= grid.header_rows:
                value, number_format = excel_value(text)
                sheet.cells[(position[i], c)] = CellSpec(value, number_format)
            else:
                sheet.cells[(position[i], c)] = CellSpec(text, role="header")
    for span in header_spans(grid):
        rows = [position[r] for r in range(span.row, span.last_row + 1) if r in position]
        if rows and (len(rows) > 1 or span.cols > 1):
            sheet.merges.append((rows[0], span.col + 1, rows[-1], span.last_col + 1))
    return row + len(kept)


def _sheet_name(paragraphs: list[str], number: int, used: set[str]) -> str:
    candidates = [p for p in reversed(paragraphs[-3:]) if len(p) <= 40 and "单位" not in p]
    name = _SHEET_NAME_BAD.sub("", candidates[0])[:28] if candidates else f"Sheet{number}"
    base, k = name, 2
    while name in used:
        name, k = f"{base[:26]}({k})", k + 1
    used.add(name)
    return name


def layout_workbook(blocks: list[Block], *, one_sheet: bool = False) -> list[SheetSpec]:
    segments, trailing = _segments(blocks)
    if one_sheet or not segments:
        sheet = SheetSpec("预算公开表")
        row = 1
        for paragraphs, grid, page_break in segments:
            if page_break and row > 1:
                sheet.row_breaks.append(row - 1)
            row = _put_paragraphs(sheet, row, paragraphs, grid.n_cols)
            row = _put_grid(sheet, row, grid) + 1
        _put_paragraphs(sheet, row, trailing, 1)
        return [sheet]
    sheets, used = [], set()
    for number, (paragraphs, grid, _) in enumerate(segments, start=1):
        sheet = SheetSpec(_sheet_name(paragraphs, number, used))
        row = _put_paragraphs(sheet, 1, paragraphs, grid.n_cols)
        row = _put_grid(sheet, row, grid)
        sheets.append(sheet)
    _put_paragraphs(sheets[-1], row + 1, trailing, 1)
    return sheets
