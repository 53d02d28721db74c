"""The PDF reader's parts on small, generated PDFs and on hand-made geometry; bad PDFs.

Every PDF here is made by the test itself (reportlab, Pillow): no file is shipped.
"""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from dagster_project.cli import main
from dagster_project.ingest import run_ingest
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.base import ReaderError
from dagster_project.readers.pdf import _Found, _fill_cid_cells, read_pdf
from dagster_project.readers.pdf_cells import clean_pdf_cell, join_wrapped, split_glued
from dagster_project.readers.pdf_layer import Char, _displayed, group_lines, is_page_furniture
from dagster_project.readers.pdf_unruled import build_grid, column_edges, find_blocks
from dagster_project.staging.store import StagingStore
from dagster_project.synth.blocks import Grid, PageBreak, Paragraph
from dagster_project.synth.render_pdf import FONT, _register_font, render_pdf

from tests.conftest import RAW

ROWS = (
    ("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
    ("", "合计", "1,867.77", "74.55", "1,793.22"),
    ("2101501", "行政运行", "559.80", "74.55", "485.25"),
    ("2101599", "其他医疗保障管理事务支出（含长期护理保险试点经费）", "1,307.97", "", "1,307.97"),
)
BLOCKS = [Paragraph("2024年一般公共预算支出表"), Paragraph("单位：万元"), Grid(ROWS, header_rows=1)]


@pytest.mark.parametrize(
    ("printed", "read"),
    [
        ("2.政府性基金预\n算", "2.政府性基金预算"),
        ("因公出国\n（境）费", "因公出国（境）费"),
        ("24,458.\n43", "24,458.43"),
        ("实施期资金总额: 2024006\n130", "实施期资金总额: 2024006130"),
        ("PC server\nroom", "PC server room"),
        ("合  计", "合 计"),
        ("", ""),
    ],
)
def test_wrapped_cell_lines_join_back(printed, read):
    assert join_wrapped(printed) == read


def test_amount_glued_to_the_next_label_is_split():
    assert split_glued(["24,458.43二、财政专户管理资金", ""]) == ["24,458.43", "二、财政专户管理资金"]
    assert split_glued(["", "24,458.43 二、外交支出"]) == ["24,458.43", "二、外交支出"]
    assert split_glued(["7443200.00元", ""]) == ["7443200.00元", ""]  # an amount with its unit
    assert split_glued(["2024年预算", ""]) == ["2024年预算", ""]  # no amount: a year
    assert split_glued(["1,000.00一般公共预算", "500.00"]) == ["1,000.00一般公共预算", "500.00"]  # no room


def test_cell_cleaning_folds_radicals_and_cid_glyphs():
    assert clean_pdf_cell("部\u2ed4预算\n(cid:12)") == "部门预算"


def test_cid_cells_are_read_again_from_pdfium_characters():
    chars = [Char(ch, 10 + 8 * i, 100, 18 + 8 * i, 108) for i, ch in enumerate("行政运行")]
    table = _Found(1, (0, 90, 200, 120), [["(cid:3)(cid:4)", "5.00"]], "lattice",
                   [[(0, 90, 100, 120), (100, 90, 200, 120)]])
    _fill_cid_cells(table, chars)
    assert table.rows == [["行政运行", "5.00"]]


def test_rotated_page_boxes_are_turned_upright():
    # /Rotate 90 on a 842 x 1191 mediabox: shown 1191 wide, the top of the text is its left
    assert _displayed(90, 842, 1191, (48.6, 478.8, 68.5, 498.7)) == (478.8, 842 - 68.5, 498.7, 842 - 48.6)
    assert _displayed(0, 842, 1191, (1, 2, 3, 4)) == (1, 2, 3, 4)


def test_page_numbers_are_furniture_but_other_short_lines_are_not():
    assert all(is_page_furniture(t) for t in ("- 3 -", "3", "第3页", "第 3 页 共 12 页", "3/12"))
    assert not any(is_page_furniture(t) for t in ("合计", "单位：万元", "2024年", "3.5"))


def _chars(text: str, x: float, y: float, size: float = 8.0) -> list[Char]:
    """One run of text set in a CJK font: every glyph one `size` wide (digits half)."""
    out = []
    for ch in text:
        width = size / 2 if ch.isascii() else size
        out.append(Char(ch, x, y, x + width, y + size))
        x += width
    return out


def test_unruled_table_from_geometry_alone():
    """Columns from gutters, a label wrapped over two lines beside amounts centred on it,
    a header over two lines: rebuilt from character boxes only."""
    chars = []
    chars += _chars("项目", 40, 200) + _chars("合计", 150, 200) + _chars("基本支出", 210, 200)
    chars += _chars("行政运行", 40, 184) + _chars("559.80", 158, 184) + _chars("74.55", 222, 184)
    # a label wrapped in its cell (leading 9.6), amounts centred vertically on the two lines
    chars += _chars("其他医疗保障", 40, 168) + _chars("1,307.97", 150, 163.2) + _chars("", 0, 0)
    chars += _chars("管理事务", 40, 158.4)
    chars += _chars("合计", 40, 142) + _chars("1,867.77", 150, 142) + _chars("74.55", 222, 142)
    lines = group_lines(chars)
    (block,) = find_blocks(lines)
    edges = column_edges(block.lines, block.size)
    assert len(edges) == 2
    grid = [[join_wrapped(c) for c in row] for row in build_grid(block.lines, edges, block.size)]
    assert grid == [
        ["项目", "合计", "基本支出"],
        ["行政运行", "559.80", "74.55"],
        ["其他医疗保障管理事务", "1,307.97", ""],
        ["合计", "1,867.77", "74.55"],
    ]


def test_prose_is_not_an_unruled_table():
    chars = _chars("本部门2024年收入预算1,867.77万元，比上年减少36.58万元，主要原因是医疗救助", 40, 300)
    chars += _chars("上级拨款减少。支出预算1,867.77万元，其中基本支出74.55万元。", 40, 286)
    assert find_blocks(group_lines(chars)) == []


@pytest.mark.parametrize("style", ["lattice", "stream"])
def test_small_report_reads_back(style):
    result = read_pdf(render_pdf(BLOCKS, style))
    (table,) = result.tables
    assert table.rows == ROWS
    assert table.context == ("2024年一般公共预算支出表", "单位：万元")
    assert table.layout == style and table.page_from == 1
    assert result.format == "pdf" and result.pages == 1 and result.pages_without_text == 0


def test_extracted_amounts_are_exact_yuan():
    extraction = extract_document(render_pdf(BLOCKS, "lattice"), "small.pdf")
    (table,) = extraction.tables
    assert table.kind == "general_budget_expenditure" and table.unit == "万元" and table.year == 2024
    got = {(li.code, li.measure): li.amount_yuan for li in extraction.line_items}
    assert got[("2101599", "total")] == Decimal("13079700.00")
    assert got[("2101501", "project")] == Decimal("4852500.00")


def test_one_glyph_strings_pdfium_drops_are_recovered():
    """PDFium loses a string of one glyph in a non-embedded CID font (STSong-Light, as
    reportlab and iText write it); on a page with a table the page is read again through
    pdfplumber, so the lone '水' still arrives in its cell."""
    _register_font()
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont(FONT, 10)
    for y, label, amount in ((700, "科目", "金额"), (680, "水", "12.00"), (660, "电费", "34.00"), (640, "合计", "46.00")):
        page.drawString(100, y, label)
        page.drawRightString(300, y, amount)
    page.save()
    (table,) = read_pdf(buf.getvalue()).tables
    assert table.rows == (("科目", "金额"), ("水", "12.00"), ("电费", "34.00"), ("合计", "46.00"))


def _grid_image_pdf() -> bytes:
    """A page whose rules are pixels of a full-page image (as in a scan with a text layer)
    and whose text is real text: the vector engine sees no rules, the raster engine does."""
    _register_font()
    rows = [("科目编码", "科目名称", "金额"), ("201", "一般公共服务支出", "1,234.50"), ("", "合计", "1,234.50")]
    widths, height, left, top, scale = (80, 160, 90), 24, 100, 700, 2
    image = Image.new("L", (595 * scale, 842 * scale), 255)
    draw = ImageDraw.Draw(image)
    right, bottom = left + sum(widths), top - height * len(rows)
    for i in range(len(rows) + 1):
        y = (842 - (top - i * height)) * scale
        draw.line([(left * scale, y), (right * scale, y)], fill=0, width=3)
    x = left
    for w in (0, *widths):
        x += w
        draw.line([(x * scale, (842 - top) * scale), (x * scale, (842 - bottom) * scale)], fill=0, width=3)
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=(595, 842))
    page.drawImage(ImageReader(image), 0, 0, 595, 842)
    page.setFont(FONT, 10)
    page.drawString(left, top + 10, "一般公共预算支出表")
    for r, row in enumerate(rows):
        x = left
        for w, text in zip(widths, row):
            page.drawString(x + 4, top - (r + 1) * height + 8, text)
            x += w
    page.save()
    return buf.getvalue()


def test_rules_drawn_as_pixels_go_to_the_raster_engine():
    (table,) = read_pdf(_grid_image_pdf()).tables
    assert table.layout == "lattice-raster"
    assert table.rows == (("科目编码", "科目名称", "金额"), ("201", "一般公共服务支出", "1,234.50"), ("", "合计", "1,234.50"))


def _image_only_page(page) -> None:
    image = Image.new("L", (400, 300), 255)
    ImageDraw.Draw(image).rectangle([20, 20, 380, 280], outline=0, width=4)
    page.drawImage(ImageReader(image), 50, 300, 500, 400)


def _image_only_pdf() -> bytes:
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    _image_only_page(page)
    page.showPage()
    _image_only_page(page)
    page.save()
    return buf.getvalue()


def _half_scanned_pdf() -> bytes:
    """A readable table page followed by a scanned page."""
    text_pdf = render_pdf(BLOCKS, "lattice")
    from pypdfium2 import PdfDocument

    merged = PdfDocument(text_pdf)
    merged.import_pages(PdfDocument(_image_only_pdf()), [0])
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def _encrypted(user_password: str, can_copy: bool) -> bytes:
    _register_font()
    buf = io.BytesIO()
    page = canvas.Canvas(buf, encrypt=StandardEncryption(user_password, "owner-secret", canCopy=int(can_copy)))
    page.setFont(FONT, 12)
    page.drawString(100, 700, "2024年部门预算")
    page.save()
    return buf.getvalue()


def test_bad_pdfs_raise_reader_errors_with_plain_reasons():
    good = render_pdf(BLOCKS, "lattice")
    with pytest.raises(ReaderError, match=r"^corrupt PDF: "):
        read_pdf(good[: len(good) // 2])
    with pytest.raises(ReaderError, match=r"^encrypted PDF: a password is needed"):
        read_pdf(_encrypted("user-secret", True))
    with pytest.raises(ReaderError, match=r"^encrypted PDF: its permissions forbid extracting text"):
        read_pdf(_encrypted("", False))
    assert read_pdf(_encrypted("", True)).text_lines == ["2024年部门预算"]  # encrypted, but readable


@pytest.fixture(scope="module")
def bad_pdf_run(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw_pdf")
    good = render_pdf(BLOCKS, "lattice")
    (raw / "truncated.pdf").write_bytes(good[: len(good) // 2])
    (raw / "locked.pdf").write_bytes(_encrypted("user-secret", True))
    (raw / "scan.pdf").write_bytes(_image_only_pdf())
    (raw / "half_scan.pdf").write_bytes(_half_scanned_pdf())
    shutil.copy(RAW / "004_c7edf4338a4ef304.txt", raw / "004.txt")
    summary = run_ingest(raw, raw.parent / "staging_pdf")
    docs = StagingStore(raw.parent / "staging_pdf").read("documents")
    return summary, {r["source_path"]: r for r in docs.iter_rows(named=True)}


@pytest.mark.parametrize(
    ("name", "status", "reason"),
    [
        ("truncated.pdf", "quarantined", "corrupt PDF: "),
        ("locked.pdf", "quarantined", "encrypted PDF: a password is needed to open it"),
        ("scan.pdf", "quarantined", "needs OCR: 2 of 2 pages have no text layer"),
        ("half_scan.pdf", "partial", "needs OCR: 1 of 2 pages have no text layer"),
        ("004.txt", "ok", None),
    ],
)
def test_each_bad_pdf_gets_a_status_and_the_others_load(bad_pdf_run, name, status, reason):
    _, docs = bad_pdf_run
    assert docs[name]["status"] == status
    if reason is None:
        assert docs[name]["status_reason"] is None
    else:
        assert reason in docs[name]["status_reason"]
    if name == "half_scan.pdf":
        assert docs[name]["n_line_items"] == 8  # the text page's table still loads


def test_extract_command_shows_pdf_tables(tmp_path, capsys):
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf([*BLOCKS, PageBreak(), Paragraph("第二部分 说明")], "stream"))
    assert main(["extract", str(path)]) == 0
    out = capsys.readouterr().out
    assert "general_budget_expenditure" in out and "2024年一般公共预算支出表" in out
    assert "13079700.00" in out and "1,307.97" in out


def _header_cut_from_its_rows() -> bytes:
    """An unruled table whose header is the last line of page 1 and whose one row (and note)
    opens page 2, as publishers' PDFs print an empty table near a page end."""
    _register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(842, 595))
    centres = (80, 200, 340, 460, 580)
    pdf.setFont(FONT, 10)
    for i in range(22):  # narrative filling page 1
        pdf.drawString(60, 540 - 18 * i, f"第{i + 1}段说明文字，部门预算情况说明。")
    pdf.setFont(FONT, 14)
    pdf.drawString(60, 112, "2023年度政府性基金预算拨款支出预算表")
    pdf.setFont(FONT, 10)
    pdf.drawString(60, 92, "单位：万元")
    for x, name in zip(centres, ("科目编码", "科目名称", "合计", "基本支出", "项目支出")):
        pdf.drawCentredString(x, 74, name)
    pdf.drawCentredString(421, 30, "- 1 -")
    pdf.showPage()
    pdf.setFont(FONT, 10)
    pdf.drawString(60, 540, "合计")  # flush left in the first column, as the header's 科目编码
    for x in centres[2:]:
        pdf.drawCentredString(x, 540, "0.00")
    pdf.drawString(60, 522, "注：本表无数据。")
    pdf.drawCentredString(421, 30, "- 2 -")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_header_cut_from_its_rows_by_a_page_break_is_one_table():
    extraction = extract_document(_header_cut_from_its_rows(), "cut.pdf")
    (table,) = [t for t in extraction.tables if t.kind != "other"]
    assert table.kind == "gov_fund" and (table.page_from, table.page_to) == (1, 2)
    got = {(li.measure, li.fund_source): li.amount_yuan for li in extraction.line_items}
    assert got == {("total", "gov_fund"): Decimal("0.00"), ("basic", "gov_fund"): Decimal("0.00"),
                   ("project", "gov_fund"): Decimal("0.00")}
