"""A report (or any sheet layout) as XLSX bytes, written with openpyxl.

The layout, shared with the XLS renderer, is synth/sheet_layout.py: one table per sheet or
all on one sheet, titles merged above tables, numbers stored as numbers with number formats.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from dagster_project.synth.blocks import Block
from dagster_project.synth.sheet_layout import SheetSpec, layout_workbook

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_xlsx(sheets: list[SheetSpec]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "budget-warehouse synth"
    wb.properties.created = datetime(2024, 1, 1)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        ws.sheet_state = spec.state
        for row, col in spec.bordered:
            ws.cell(row, col).border = _BORDER
        for (row, col), cell_spec in spec.cells.items():
            cell = ws.cell(row, col, cell_spec.value)
            cell.number_format = cell_spec.number_format
            if isinstance(cell_spec.value, str):
                cell.data_type = "s"  # '=104767人' is text, not a formula
            if cell_spec.role == "title":
                cell.font = Font(bold=True, size=14)
                cell.alignment = Alignment(horizontal="center")
            elif cell_spec.role == "unit":
                cell.alignment = Alignment(horizontal="right")
            elif cell_spec.role == "header":
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for first_row, first_col, last_row, last_col in spec.merges:
            ws.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col)
        for row in spec.row_breaks:
            ws.row_breaks.append(Break(id=row))
        for row in spec.hidden_rows:
            ws.row_dimensions[row].hidden = True
        for col in range(1, max((c for _, c in spec.cells), default=0) + 1):
            ws.column_dimensions[get_column_letter(col)].width = 14
    if wb.worksheets and all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"  # a workbook needs one visible sheet
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render_xlsx(blocks: list[Block], *, one_sheet: bool = False, general_numbers: bool = False) -> bytes:
    """The report as XLSX bytes: one table per sheet, or all tables on one sheet.

    general_numbers: every number (amounts and the codes of split 类/款/项 columns) in the
    General format, as many publishers' workbooks hold them: 50 for 50.00, 5 for 款 05. Only
    percentages keep their format, since a General 100% is the number 1."""
    sheets = layout_workbook(blocks, one_sheet=one_sheet)
    if general_numbers:
        for sheet in sheets:
            sheet.cells = {at: replace(cell, number_format="General")
                           if not isinstance(cell.value, str) and "%" not in cell.number_format else cell
                           for at, cell in sheet.cells.items()}
    return write_xlsx(sheets)
