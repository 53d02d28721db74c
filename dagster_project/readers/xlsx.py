"""XLSX workbooks (openpyxl): every worksheet, in workbook order, as text lines and tables.

Numbers come from the cell values (made exact by readers/numbers.py, with the decimals of the
cell's number format), never from display text. Formulas are read as the values the file
cached when it was last calculated; a formula without a cached value (a file written by a
program that cannot calculate) reads as blank and is noted. Merged cells keep their value in
the top-left cell only, which is what text dumps of the same tables show. Hidden sheets and
rows are read like the others (their amounts are part of the totals) and noted.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from datetime import date, datetime, time

import openpyxl
from openpyxl.styles import Border
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.readers.base import ReaderError, ReadResult
from dagster_project.readers.containers import open_zip, zip_kind
from dagster_project.readers.flow import FlowItem, assemble
from dagster_project.readers.numbers import number_text
from dagster_project.readers.sheets import sheet_flow

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def cell_text(value: object, number_format: str | None) -> str:
    """A cell value as the text a report prints (numbers exact, dates as ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(value, number_format)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _load(data: bytes, data_only: bool) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions, data validation, ...
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ReaderError(f"damaged XLSX: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad parts
        raise ReaderError(f"damaged or unsupported XLSX: {type(exc).__name__}: {exc}") from exc


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with archive.open(name) as member:
                if _FORMULA.search(member.read()):
                    return True
    return False


def _bordered(border: Border) -> bool:
    return any(side is not None and side.style for side in (border.left, border.right, border.top, border.bottom))


def _sheet_cells(ws: Worksheet) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
    """(text of filled cells, empty cells with formatting such as borders) by (row, column)."""
    cells, formatted = {}, set()
    for (row, col), cell in _stored_cells(ws):
        text = cell_text(cell.value, cell.number_format)
        if text:
            cells[(row, col)] = text
        elif cell.has_style and _bordered(cell.border):
            formatted.add((row, col))
    return cells, formatted


def _stored_cells(ws: Worksheet) -> list:
    """The cells the file holds. iter_rows() would create every cell of the bounding box, so a
    sheet with one stray cell at row 1,000,000 would cost a million empty cells."""
    return sorted(ws._cells.items())  # noqa: SLF001 - openpyxl keeps no public sparse view


def _uncached_formulas(formulas: Worksheet, values: Worksheet) -> list[str]:
    stored = values._cells  # noqa: SLF001 - see _stored_cells
    return [cell.coordinate for key, cell in _stored_cells(formulas)
            if cell.data_type == "f" and (key not in stored or stored[key].value is None)]


def _notes(ws: Worksheet, cells: dict[tuple[int, int], str]) -> list[str]:
    notes = []
    if ws.sheet_state != "visible":
        notes.append(f"sheet '{ws.title}' is {ws.sheet_state}; read like the others")
    used_rows = {r for r, _ in cells}
    hidden = sorted(r for r, dim in ws.row_dimensions.items() if dim.hidden and r in used_rows)
    if hidden:
        shown = ", ".join(map(str, hidden[:10])) + (" …" if len(hidden) > 10 else "")
        notes.append(f"sheet '{ws.title}': {len(hidden)} hidden rows read ({shown})")
    hidden_cols = sorted(k for k, dim in ws.column_dimensions.items() if dim.hidden)
    if hidden_cols:
        notes.append(f"sheet '{ws.title}': hidden columns read ({', '.join(hidden_cols[:10])})")
    return notes


class XlsxReader:
    """Excel 2007+ workbooks (.xlsx/.xlsm), told by their xl/workbook.xml member."""

    format = "xlsx"

    def sniff(self, data: bytes) -> bool:
        return zip_kind(data) == "xlsx"

    def read(self, data: bytes) -> ReadResult:
        archive = open_zip(data, "XLSX")
        wb = _load(data, data_only=True)
        formulas = _load(data, data_only=False) if _has_formulas(archive) else None
        items: list[FlowItem] = []
        warnings_: list[str] = []
        any_cell = False
        for number, ws in enumerate(wb.worksheets, start=1):
            cells, formatted = _sheet_cells(ws)
            any_cell = any_cell or bool(cells)
            warnings_.extend(_notes(ws, cells))
            if formulas is not None:
                missing = _uncached_formulas(formulas[ws.title], ws)
                if missing:
                    warnings_.append(
                        f"sheet '{ws.title}': {len(missing)} formula cells have no cached value "
                        f"(file never recalculated), read as blank: {', '.join(missing[:10])}"
                    )
            wide = {(m.min_row, m.min_col) for m in ws.merged_cells.ranges if m.max_col > m.min_col}
            items.extend(sheet_flow(cells, ws.title, number, self.format, wide, formatted))
        if not any_cell:
            raise ReaderError(f"empty workbook: no cell has content in its {len(wb.worksheets)} worksheet(s)")
        tables, narrative = assemble(items)
        return ReadResult(format=self.format, tables=tables, text_lines=narrative,
                          pages=len(wb.worksheets), warnings=warnings_)
