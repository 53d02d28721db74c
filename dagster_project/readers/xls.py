"""Legacy XLS workbooks (BIFF5/BIFF8 in an OLE2 container), read with xlrd.

xlrd is limited to exactly this format and keeps what the reader needs besides the values:
number formats (for the decimals shown), merged ranges, hidden rows and sheet visibility.
Formula cells of an XLS always carry their last calculated result, which is what is read.
The sheet-to-tables rules are those of XLSX (readers/sheets.py).

The sheet count is checked against BUDGETWH_MAX_PAGES from the workbook's sheet list, before a
sheet is parsed (xlrd's on_demand mode loads one sheet at a time), and rows are kept as long
as their last cell (ragged rows): one cell in the last column (IV65536) does not pad every row
to 256 cells. Merged ranges are applied to the cells present, not expanded cell by cell.
"""

from __future__ import annotations

import io
from bisect import bisect_left

import xlrd
from xlrd.biffh import XL_CELL_BOOLEAN, XL_CELL_DATE, XL_CELL_ERROR, XL_CELL_NUMBER, XL_CELL_TEXT

from dagster_project.readers.base import ReaderError, ReadResult, check_page_count, raise_if_out_of_memory
from dagster_project.readers.containers import ole_kind
from dagster_project.readers.flow import FlowItem, assemble
from dagster_project.readers.numbers import number_text
from dagster_project.readers.sheets import sheet_flow

_VISIBILITY = {1: "hidden", 2: "veryHidden"}


def _format_code(book: xlrd.Book, xf_index: int) -> str | None:
    try:
        xf = book.xf_list[xf_index]
        return book.format_map[xf.format_key].format_str
    except (IndexError, KeyError):
        return None


def _cell_text(book: xlrd.Book, sheet: xlrd.sheet.Sheet, row: int, col: int) -> str:
    cell = sheet.cell(row, col)
    if cell.ctype == XL_CELL_TEXT:
        return cell.value
    if cell.ctype == XL_CELL_NUMBER:
        return number_text(cell.value, _format_code(book, cell.xf_index))
    if cell.ctype == XL_CELL_DATE:
        try:
            moment = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return number_text(cell.value)
        return moment.date().isoformat() if moment.time().isoformat() == "00:00:00" else moment.isoformat(sep=" ")
    if cell.ctype == XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return ""


def _bordered(book: xlrd.Book, xf_index: int) -> bool:
    try:
        border = book.xf_list[xf_index].border
    except IndexError:
        return False
    return any((border.left_line_style, border.right_line_style, border.top_line_style,
                border.bottom_line_style))


def _sheet_cells(book: xlrd.Book, sheet: xlrd.sheet.Sheet) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
    """(text of filled cells, empty cells with borders) by (row, column), 1-based."""
    covered = _covered(sheet)
    cells, formatted = {}, set()
    for r in range(sheet.nrows):
        for c in range(sheet.row_len(r)):
            text = "" if (r, c) in covered else _cell_text(book, sheet, r, c)  # merged: top-left only
            if text:
                cells[(r + 1, c + 1)] = text
            elif _bordered(book, sheet.cell_xf_index(r, c)):
                formatted.add((r + 1, c + 1))
    return cells, formatted


def _covered(sheet: xlrd.sheet.Sheet) -> set[tuple[int, int]]:
    """Cells present in the sheet that a merged range covers (all but its top-left): at most
    as many as the sheet holds, whatever area the ranges claim."""
    rows = [r for r in range(sheet.nrows) if sheet.row_len(r)]
    covered: set[tuple[int, int]] = set()
    for rlo, rhi, clo, chi in sheet.merged_cells:
        for r in rows[bisect_left(rows, rlo):bisect_left(rows, rhi)]:
            covered.update((r, c) for c in range(clo, min(chi, sheet.row_len(r))) if (r, c) != (rlo, clo))
    return covered


class XlsReader:
    """Excel 97–2003 workbooks, told from Word files by their Workbook stream."""

    format = "xls"

    def sniff(self, data: bytes) -> bool:
        return ole_kind(data) == "xls"

    def read(self, data: bytes) -> ReadResult:
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, ragged_rows=True,
                                      logfile=io.StringIO())  # xlrd prints its warnings otherwise
        except Exception as exc:  # noqa: BLE001 - xlrd raises many kinds on damaged files
            raise_if_out_of_memory(exc)
            raise ReaderError(f"damaged or unsupported XLS: {type(exc).__name__}: {exc}") from exc
        try:
            check_page_count(book.nsheets, "sheets")
            return self._read(book)
        finally:
            book.release_resources()

    def _read(self, book: xlrd.Book) -> ReadResult:
        items: list[FlowItem] = []
        notes: list[str] = []
        any_cell = False
        for number in range(1, book.nsheets + 1):
            try:
                sheet = book.sheet_by_index(number - 1)
            except Exception as exc:  # noqa: BLE001 - xlrd raises many kinds on damaged files
                raise_if_out_of_memory(exc)
                raise ReaderError(f"damaged or unsupported XLS: {type(exc).__name__}: {exc}") from exc
            cells, formatted = _sheet_cells(book, sheet)
            any_cell = any_cell or bool(cells)
            if sheet.visibility in _VISIBILITY:
                notes.append(f"sheet '{sheet.name}' is {_VISIBILITY[sheet.visibility]}; read like the others")
            used_rows = {row for row, _ in cells}
            hidden = sorted(r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden and r + 1 in used_rows)
            if hidden:
                notes.append(f"sheet '{sheet.name}': {len(hidden)} hidden rows read "
                             f"({', '.join(map(str, hidden[:10]))})")
            wide = {(rlo + 1, clo + 1) for rlo, _, clo, chi in sheet.merged_cells if chi - clo > 1}
            items.extend(sheet_flow(cells, sheet.name, number, self.format, wide, formatted))
            book.unload_sheet(number - 1)
        if not any_cell:
            raise ReaderError(f"empty workbook: no cell has content in its {book.nsheets} worksheet(s)")
        tables, narrative = assemble(items)
        return ReadResult(format=self.format, tables=tables, text_lines=narrative,
                          pages=book.nsheets, warnings=notes)
