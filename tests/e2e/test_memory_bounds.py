"""Memory bounds: each reader refuses or bounds the common memory bombs before it allocates,
and an extraction worker's memory is capped by the operating system (BUDGETWH_MAX_MB_PER_DOC).

The bombs are those of tests/badinputs/generate.py (a few kilobytes each that read naively
took gigabytes: BENCHMARKS.md, "Memory bounds on hostile inputs"). Nothing here measures time
or memory; the tests check the rules: the grid sizes, the pixel count, the reasons.
"""

from __future__ import annotations

import io
import re
import zipfile

import lxml.html
from lxml import etree
import pytest

from dagster_project.parallel import memory_reason, stage_documents
from dagster_project.parsing.extract import extract_document
from dagster_project.readers import base, xlsx
from dagster_project.readers.base import MAX_TABLE_CELLS, ReaderError, page_limit
from dagster_project.readers.docx import table_grid as docx_grid
from dagster_project.readers.html import HtmlReader, decode_html, table_grid as html_grid
from dagster_project.readers.pdf import MAX_RASTER_PIXELS, _BoundedRender, raster_scale, read_pdf
from dagster_project.readers.sheets import sheet_flow
from dagster_project.readers.flow import GridItem, TextLine
from dagster_project.readers.xls import XlsReader
from dagster_project.readers.xlsx import XlsxReader
from dagster_project.settings import Settings
from dagster_project.staging.store import StagingStore
from tests.badinputs.generate import (
    S000,
    far_cell_xlsx,
    huge_page_pdf,
    many_sheets_xlsx,
    mini_report,
    span_bomb_html,
    utf16_declared_html,
)

from tests.conftest import RAW


# --- HTML: the HTML table model's span limits, row groups, and a cell cap ---------------------

def _html_table(markup: str):
    return lxml.html.fragment_fromstring(markup)


def test_html_spans_follow_the_html_table_model():
    rows, _ = html_grid(_html_table(
        "<table><thead><tr><th rowspan=0>a</th><th>b</th></tr><tr><th>c</th></tr></thead>"
        "<tbody><tr><td>1</td><td>2</td></tr><tr><td colspan=0>3</td><td rowspan='2px'>4</td></tr>"
        "<tr><td>5</td></tr></tbody></table>"))
    # rowspan=0 spans to the end of its row group (thead), not into tbody; colspan=0 is 1;
    # '2px' parses as 2 (HTML's rules for non-negative integers)
    assert rows == [["a", "b"], ["", "c"], ["1", "2"], ["3", "4"], ["5", ""]]


def test_html_colspan_is_clamped_to_1000_and_rowspan_to_its_group():
    rows, _ = html_grid(_html_table(
        "<table><tr><td colspan=5000 rowspan=99999>x</td><td>y</td></tr><tr><td>z</td></tr></table>"))
    assert len(rows) == 2 and len(rows[0]) == 1001
    assert rows[0][0] == "x" and rows[0][1000] == "y" and rows[1][1000] == "z"


def test_html_span_bomb_is_refused_before_the_grid_is_built():
    with pytest.raises(ReaderError, match=r"table 1 of the page: an HTML table would expand to 151 rows × "
                                          r"at least [\d,]+ columns .* over the limit of 1,000,000 cells per table"):
        HtmlReader().read(span_bomb_html())


def test_html_declaring_utf16_without_a_bom_is_read_as_utf8():
    page = utf16_declared_html("东山县林业局")
    text, encoding, notes = decode_html(page)
    assert encoding == "utf-8" and "东山县林业局" in text
    assert notes == ["page declares charset utf-16 without a UTF-16 byte-order mark: read as UTF-8, as browsers do"]
    extraction = extract_document(page, "utf16_declared.html")
    assert extraction.document.status == "ok"
    assert extraction.document.department_name == "东山县林业局"


# --- DOCX: spans bounded by the declared grid -------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_table(grid_cols: int | None, rows: str):
    grid = "" if grid_cols is None else "<w:tblGrid>" + "<w:gridCol/>" * grid_cols + "</w:tblGrid>"
    return etree.fromstring(f'<w:tbl xmlns:w="{_W}">{grid}{rows}</w:tbl>')


def _tc(text: str, span: int | None = None) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_docx_grid_before_fills_only_the_columns_its_cells_leave_free():
    table = _docx_table(3, (
        f'<w:tr><w:trPr><w:gridBefore w:val="50000000"/></w:trPr>{_tc("a")}{_tc("b")}</w:tr>'
        f'<w:tr><w:trPr><w:gridAfter w:val="50000000"/></w:trPr>{_tc("c")}</w:tr>'
        f'<w:tr>{_tc("d")}{_tc("e")}{_tc("f")}</w:tr>'))
    assert docx_grid(table) == [["", "a", "b"], ["c", "", ""], ["d", "e", "f"]]


def test_docx_grid_span_is_bounded_by_the_grid_or_words_63_columns():
    assert docx_grid(_docx_table(2, f"<w:tr>{_tc('a', 1_000_000)}</w:tr>")) == [["a", ""]]
    (row,) = docx_grid(_docx_table(None, f"<w:tr>{_tc('a', 1_000_000)}</w:tr>"))
    assert len(row) == 63


def test_docx_table_over_the_cell_cap_is_refused():
    table = _docx_table(1000, f"<w:tr>{_tc('a', 1000)}</w:tr>" * 1001)
    with pytest.raises(ReaderError, match="a DOCX table would expand to 1,001 rows × 1,000 columns"):
        docx_grid(table)


# --- spreadsheets: grids from the cells present, sheet counts before parsing -----------------

def test_sheet_grid_collapses_a_run_of_empty_columns():
    cells = {(1, 1): "科目", (1, 2): "合计", (2, 1): "行政运行", (2, 2): "60.00", (2, 16384): "x",
             (1048576, 16384): "stray"}
    items = list(sheet_flow(cells, "Sheet1", 1, "xlsx"))
    grids = [i for i in items if isinstance(i, GridItem)]
    assert [g.rows for g in grids] == [[["科目", "合计", "", ""], ["行政运行", "60.00", "", "x"]]]
    assert TextLine("stray") in items  # the lone cell far below is a caption, costing nothing


def test_a_single_empty_column_inside_a_table_is_kept():
    cells = {(1, 1): "a", (1, 3): "b", (2, 1): "c", (2, 3): "d"}
    (grid,) = [i for i in sheet_flow(cells, "Sheet1", 1, "xlsx") if isinstance(i, GridItem)]
    assert grid.rows == [["a", "", "b"], ["c", "", "d"]]


def test_sheet_table_over_the_cell_cap_is_refused(monkeypatch):
    monkeypatch.setattr(base, "MAX_TABLE_CELLS", 3)
    with pytest.raises(ReaderError, match="a table of sheet 'S' would expand to 2 rows × 2 columns"):
        list(sheet_flow({(1, 1): "a", (1, 2): "b", (2, 1): "c", (2, 2): "d"}, "S", 1, "xlsx"))


def test_xlsx_cell_in_column_xfd_loads_like_the_report():
    data = far_cell_xlsx(S000)
    read = XlsxReader().read(data)
    assert max(t.n_cols for t in read.tables) < 40  # not 16,384
    assert extract_document(data, "far_cell.xlsx").document.status in ("ok", "partial")


def _fail_if_parsed(*args, **kwargs):
    raise AssertionError("openpyxl was asked to parse a workbook over a limit")


def test_xlsx_sheet_count_is_checked_before_any_sheet_is_parsed(monkeypatch):
    monkeypatch.setattr(xlsx, "_load", _fail_if_parsed)
    with pytest.raises(ReaderError, match=r"too many sheets: 20000 > limit of 1000 \(BUDGETWH_MAX_PAGES\)"):
        XlsxReader().read(many_sheets_xlsx())
    with page_limit(5), pytest.raises(ReaderError, match="too many sheets: 6 > limit of 5"):
        XlsxReader().read(many_sheets_xlsx(6))


def _with_merge(data: bytes, ref: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/>'
                                                     "</mergeCells>".encode())
            target.writestr(info, body)
    return out.getvalue()


def test_xlsx_merged_range_over_the_whole_sheet_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(xlsx, "_load", _fail_if_parsed)
    with pytest.raises(ReaderError, match=r"merges ranges covering 17,179,869,184 cells .* over the limit of 1,000,000"):
        XlsxReader().read(_with_merge(many_sheets_xlsx(1), "A1:XFD1048576"))


def test_xlsx_stored_cells_over_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_TABLE_CELLS", 0)
    monkeypatch.setattr(xlsx, "_load", _fail_if_parsed)
    with pytest.raises(ReaderError, match="XLSX workbook holds 1 cells"):
        XlsxReader().read(many_sheets_xlsx(1))


def test_xls_sheet_count_is_checked_from_the_sheet_list(monkeypatch):
    from dagster_project.synth.blocks import document_blocks
    from dagster_project.synth.render_xls import render_xls

    data = render_xls(document_blocks(mini_report("东岭县林业局")))  # one sheet per table: 3 sheets
    with page_limit(2), pytest.raises(ReaderError, match=r"too many sheets: \d+ > limit of 2 \(BUDGETWH_MAX_PAGES\)"):
        XlsReader().read(data)


# --- PDF: the raster engine's pixels are capped -------------------------------------------------

def test_raster_scale_keeps_300_dpi_up_to_the_pixel_cap():
    assert raster_scale(595, 842) == pytest.approx(300 / 72)  # A4
    assert raster_scale(842, 1191) == pytest.approx(300 / 72)  # A3
    for side in (5000, 14400):
        scale = raster_scale(side, side)
        assert (side * scale) ** 2 == pytest.approx(MAX_RASTER_PIXELS)


def test_huge_page_is_rendered_within_the_pixel_cap(tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(huge_page_pdf())
    image = _BoundedRender().to_array(str(path))
    assert image.shape[0] * image.shape[1] <= MAX_RASTER_PIXELS * 1.001
    read = read_pdf(huge_page_pdf())
    assert any("rendered at 64 dpi for ruled-table detection" in w for w in read.warnings)


# --- the worker's memory limit ------------------------------------------------------------------

def test_memory_limit_comes_from_the_settings():
    assert Settings.from_env({}).limits.megabytes_per_document == 2048
    assert Settings.from_env({"BUDGETWH_MAX_MB_PER_DOC": "0"}).limits.megabytes_per_document is None
    assert Settings.from_env({"BUDGETWH_MAX_MB_PER_DOC": "300"}).limits.megabytes_per_document == 300


def _large_table_page(rows: int = 999, columns: int = 1000) -> bytes:
    """A page with one table just under the cell cap: legal, but reading it takes ~0.5 GB."""
    assert rows * columns <= MAX_TABLE_CELLS
    row = "<tr>" + "<td>1</td>" * columns + "</tr>\n"
    return ("<html><head><meta charset='utf-8'></head><body><p>表</p><table>" + row * rows
            + "</table></body></html>").encode()


def test_worker_over_its_memory_limit_quarantines_only_that_document(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "large.html").write_bytes(_large_table_page())
    (raw / "sample.txt").write_bytes((RAW / S000).read_bytes())
    store = StagingStore(tmp_path / "staging")
    limits = Settings.from_env({"BUDGETWH_MAX_MB_PER_DOC": "300"}).limits  # sent to the worker with each document
    outcomes = {o.source_path: o for o in stage_documents(
        [("large.html", raw / "large.html"), ("sample.txt", raw / "sample.txt")], store, workers=1,
        seconds_per_document=300, limits=limits)}
    assert outcomes["sample.txt"].status == "ok"
    assert outcomes["large.html"].status == "quarantined"
    assert outcomes["large.html"].status_reason == memory_reason(300)
    assert memory_reason(300) == "extraction needed more than 300 MB (BUDGETWH_MAX_MB_PER_DOC)"
    manifest = store.load_manifest()
    assert manifest["large.html"].status == "quarantined"
    assert re.search("more than 300 MB", manifest["large.html"].status_reason)
