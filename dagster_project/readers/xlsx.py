"""XLSX workbooks (openpyxl): every worksheet, in workbook order, as text lines and tables.

Numbers come from the cell values (made exact by readers/numbers.py, with the decimals of the
cell's number format), never from display text. Formulas are read as the values the file
cached when it was last calculated; a formula without a cached value (a file written by a
program that cannot calculate) reads as blank and is noted. Merged cells keep their value in
the top-left cell only, which is what text dumps of the same tables show. Hidden sheets and
rows are read like the others (their amounts are part of the totals) and noted.

Before openpyxl parses anything, the parts are scanned (`_prescan`): the sheet count of
xl/workbook.xml against BUDGETWH_MAX_PAGES, and the cells the worksheets store and the cells
their merged ranges cover (openpyxl creates an object for every cell of a merged range, so
`<mergeCell ref="A1:XFD1048576"/>` would ask for 17 billion) against MAX_TABLE_CELLS: a
workbook over a limit is refused in milliseconds, not after minutes of parsing.
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

from dagster_project.readers.base import (
    MAX_TABLE_CELLS,
    ReaderError,
    ReadResult,
    check_page_count,
    raise_if_out_of_memory,
)
from dagster_project.readers.containers import open_zip, zip_kind
from dagster_project.readers.flow import FlowItem, assemble
from dagster_project.readers.numbers import number_text
from dagster_project.readers.sheets import sheet_flow

_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet[\s/>]")
# what the worksheet scan counts: cells, formulas and merged ranges (each under 300 bytes long)
_SCANNED = re.compile(rb"<(?:\w+:)?(c|f|mergeCell)[\s>/]([^>]{0,250}?ref=\"([A-Z]{1,3})([0-9]{1,7})"
                      rb"(?::([A-Z]{1,3})([0-9]{1,7}))?\")?")
_OVERLAP = 300
_CHUNK = 8 << 20


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
        raise_if_out_of_memory(exc)
        raise ReaderError(f"damaged XLSX: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad parts
        raise_if_out_of_memory(exc)
        raise ReaderError(f"damaged or unsupported XLSX: {type(exc).__name__}: {exc}") from exc


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _sheet_count(archive: zipfile.ZipFile) -> int | None:
    """Sheets listed in xl/workbook.xml (a small part), or None when it cannot be read."""
    try:
        with archive.open("xl/workbook.xml") as member:
            return len(_SHEET_ENTRY.findall(member.read(64 << 20)))
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None


def _prescan(archive: zipfile.ZipFile) -> bool:
    """Check the limits on the parts themselves, before openpyxl parses them (module
    docstring); returns whether any worksheet has formulas. Worksheets are read in chunks."""
    sheets = _sheet_count(archive)
    if sheets is not None:
        check_page_count(sheets, "sheets")
    cells = merged = 0
    formulas = False
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        try:
            with archive.open(name) as member:
                buffer = b""
                while True:
                    chunk = member.read(_CHUNK)
                    buffer += chunk
                    end = len(buffer) - _OVERLAP if chunk else len(buffer)  # matches starting before end
                    for match in _SCANNED.finditer(buffer, 0, len(buffer)):
                        if match.start() >= end:
                            break
                        tag = match.group(1)
                        if tag == b"c":
                            cells += 1
                        elif tag == b"f":
                            formulas = True
                        elif match.group(3):
                            first_col, first_row = _column(match.group(3)), int(match.group(4))
                            last_col = _column(match.group(5)) if match.group(5) else first_col
                            last_row = int(match.group(6)) if match.group(6) else first_row
                            merged += (abs(last_row - first_row) + 1) * (abs(last_col - first_col) + 1)
                    if not chunk:
                        break
                    buffer = buffer[max(end, 0):]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            continue  # a damaged part: openpyxl says what is wrong with it
        if cells > MAX_TABLE_CELLS or merged > MAX_TABLE_CELLS:
            what = f"holds {cells:,} cells" if cells > MAX_TABLE_CELLS else f"merges ranges covering {merged:,} cells"
            raise ReaderError(f"XLSX workbook {what} (up to {name}), over the limit of {MAX_TABLE_CELLS:,}")
    return formulas


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
        has_formulas = _prescan(archive)
        wb = _load(data, data_only=True)
        formulas = _load(data, data_only=False) if has_formulas else None
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
