"""Readers of XLSX, XLS, DOCX and HTML on small hand-made files: exact numbers, merged cells,
formulas, hidden content, encodings, layout tables, and sniffing by content."""

from __future__ import annotations

import io
import random
import zipfile
from decimal import Decimal

import pytest
from docx import Document

from dagster_project.parsing.cells import parse_amount
from dagster_project.readers.base import ReaderError
from dagster_project.readers.html import HtmlReader, decode_html, looks_like_html
from dagster_project.readers.numbers import number_text
from dagster_project.readers.registry import reader_for, sniff_format
from dagster_project.readers.xls import XlsReader
from dagster_project.readers.xlsx import XlsxReader
from dagster_project.synth.render_xls import Formula, ole_container, write_xls
from dagster_project.synth.render_xlsx import write_xlsx
from dagster_project.synth.sheet_layout import CellSpec, SheetSpec, excel_value

# --- numbers: exact to the fen -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (16390.41, "#,##0.00", "16390.41"),
        (16390.409999999999, "#,##0.00", "16390.41"),  # 17 digits, as Excel writes some values
        (0.1 + 0.2, "General", "0.3"),  # 0.30000000000000004
        (0.1 + 0.2, "0.00", "0.30"),
        (1.1 * 3, "General", "3.3"),  # 3.3000000000000003
        (2.675, "0.00", "2.68"),  # the float is 2.67499999…; spreadsheets show 2.68
        (98765432109.87, "#,##0.00", "98765432109.87"),  # a large amount in yuan
        (4464272.0, '"¥"#,##0.00_);[Red]("¥"#,##0.00)', "4464272.00"),
        (-1234.5, "#,##0.00;[Red]-#,##0.00", "-1234.50"),
        (-0.001, "0.00", "0.00"),
        (2101501, "General", "2101501"),  # codes stay codes
        (2101501.0, "General", "2101501"),
        (1, "00", "01"),  # 款 code with a zero-padded format
        (0.955, "0.0%", "95.5%"),
        (0.25, "0.00%", "25.00%"),
        (1, "0%", "100%"),
        (1867.77, "0.00_ ", "1867.77"),
        (12345678, "#,##0", "12345678"),
        (1e20, "General", "100000000000000000000"),
        (1.5e-7, "General", "0.00000015"),
        (5, "@", "5"),
    ],
)
def test_number_text(value, number_format, text):
    assert number_text(value, number_format) == text


def test_numbers_no_cell_can_print_are_named_for_the_interpreter_to_report():
    assert (number_text(float("nan"), "0.00"), number_text(float("inf")), number_text(float("-inf"))) == \
        ("NaN", "Infinity", "-Infinity")
    assert number_text(1e300, "0.00") == "1" + "0" * 300  # too many digits to show decimals


def test_every_fen_value_survives_the_float_round_trip():
    """Amounts written as floats read back to the same fen, across magnitudes."""
    rng = random.Random(20240101)
    samples = [f"{cents // 100}.{cents % 100:02d}" for cents in range(0, 20_000)]
    samples += [f"{rng.randrange(10**12)}.{rng.randrange(100):02d}" for _ in range(5_000)]
    for text in samples:
        value, number_format = excel_value(text)
        assert number_text(value, number_format) == text
        assert parse_amount(number_text(value, number_format)) == Decimal(text)


def test_excel_value_keeps_identifiers_as_text():
    assert excel_value("13082221G266T03IG97WE") == ("13082221G266T03IG97WE", "General")
    assert excel_value("1308222100000000001")[0] == "1308222100000000001"  # 19 digits
    assert excel_value("01") == (1, "00")
    assert excel_value("1,234.50") == (1234.5, "#,##0.00")


# --- XLSX ----------------------------------------------------------------------------------


def _xlsx_zip(sheet_xml: str, styles_xml: str | None = None) -> bytes:
    """A minimal hand-built XLSX: formulas with cached values as a spreadsheet program saves them."""
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="收支总表" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": styles_xml or (
            '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            "</styleSheet>"),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet_xml}</sheetData></worksheet>"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _row(r: int, *cells: str) -> str:
    return f'<row r="{r}">{"".join(cells)}</row>'


def _s(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _n(ref: str, value: str, style: int = 1) -> str:
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


def _f(ref: str, formula: str, cached: str | None) -> str:
    value = f"<v>{cached}</v>" if cached is not None else ""
    return f'<c r="{ref}" s="1"><f>{formula}</f>{value}</c>'


FORMULA_SHEET = "".join([
    _row(1, _s("A1", "2024年收支总表")),
    _row(2, _s("A2", "项目"), _s("B2", "预算数")),
    _row(3, _s("A3", "一般公共预算"), _n("B3", "0.1")),
    _row(4, _s("A4", "政府性基金"), _n("B4", "0.2")),
    _row(5, _s("A5", "合计"), _f("B5", "SUM(B3:B4)", "0.30000000000000004")),
    _row(6, _s("A6", "上年结转"), _f("B6", "B5*0", None)),
])


def test_xlsx_formulas_read_as_cached_values_exactly():
    result = XlsxReader().read(_xlsx_zip(FORMULA_SHEET))
    (table,) = result.tables
    assert table.context == ("2024年收支总表",)
    assert table.rows == (("项目", "预算数"), ("一般公共预算", "0.10"), ("政府性基金", "0.20"),
                          ("合计", "0.30"), ("上年结转", ""))
    assert table.row_lines == (2, 3, 4, 5, 6) and table.page_from == 1
    assert result.warnings == [
        "sheet '收支总表': 1 formula cells have no cached value (file never recalculated), read as blank: B6"]


def test_xlsx_merged_hidden_and_several_tables_on_one_sheet():
    sheet = SheetSpec("预算表", hidden_rows={6})
    cells = {
        (1, 1): "部门收支总表", (2, 3): "单位：万元",
        (3, 1): "科目", (3, 2): "支出", (4, 2): "基本支出", (4, 3): "项目支出",
        (5, 1): "合计", (6, 1): "行政运行",
        (8, 1): "三公经费表", (9, 1): "项目", (9, 2): "2024年", (10, 1): "合计",
    }
    sheet.cells = {k: CellSpec(v) for k, v in cells.items()}
    sheet.cells.update({(5, 2): CellSpec(16390.41, "#,##0.00"), (5, 3): CellSpec(1, "0.00"),
                        (6, 2): CellSpec(0.1 + 0.2, "0.00"), (10, 2): CellSpec(19.5, "0.00")})
    sheet.merges = [(1, 1, 1, 3), (3, 1, 4, 1), (3, 2, 3, 3)]
    hidden = SheetSpec("说明", cells={(1, 1): CellSpec("本表为内部计算表")}, state="hidden")
    result = XlsxReader().read(write_xlsx([sheet, hidden]))
    first, second = result.tables
    assert first.context == ("部门收支总表", "单位：万元")
    assert first.rows == (("科目", "支出", ""), ("", "基本支出", "项目支出"),
                          ("合计", "16390.41", "1.00"), ("行政运行", "0.30", ""))
    assert second.context == ("三公经费表",) and second.rows == (("项目", "2024年"), ("合计", "19.50"))
    assert result.text_lines[-1] == "本表为内部计算表"
    assert result.warnings == ["sheet '预算表': 1 hidden rows read (6)",
                               "sheet '说明' is hidden; read like the others"]


def test_xlsx_sheet_name_titles_a_table_without_captions():
    named = SheetSpec("一般公共预算支出表", cells={(1, 1): CellSpec("科目"), (1, 2): CellSpec("金额"),
                                                (2, 1): CellSpec("合计"), (2, 2): CellSpec(5, "0.00")})
    default = SheetSpec("Sheet2", cells=dict(named.cells))
    first, second = XlsxReader().read(write_xlsx([named, default])).tables
    assert first.context == ("一般公共预算支出表",)
    assert second.context == ()


def test_xlsx_lone_cell_inside_the_table_is_a_row_not_a_caption():
    cells = {(1, 2): CellSpec("二十八、债务付息支出"), (2, 1): CellSpec("收入总计"), (2, 2): CellSpec("支出总计"),
             (2, 3): CellSpec(1867.77, "0.00")}
    (table,) = XlsxReader().read(write_xlsx([SheetSpec("Sheet1", cells=cells)])).tables
    assert table.rows == (("", "二十八、债务付息支出", ""), ("收入总计", "支出总计", "1867.77"))


def test_xlsx_empty_and_damaged_workbooks():
    with pytest.raises(ReaderError, match="empty workbook: no cell has content in its 2 worksheet"):
        XlsxReader().read(write_xlsx([SheetSpec("Sheet1"), SheetSpec("Sheet2")]))
    data = write_xlsx([SheetSpec("Sheet1", cells={(1, 1): CellSpec("x"), (1, 2): CellSpec("y")})])
    with pytest.raises(ReaderError, match="damaged XLSX: the zip container is truncated"):
        reader_for(data[:-100]).read(data[:-100])


# --- XLS -----------------------------------------------------------------------------------


def test_xls_numbers_merges_hidden_rows_and_formula_cache():
    sheet = SheetSpec("支出表", hidden_rows={4}, merges=[(1, 1, 1, 3), (2, 2, 2, 3)])
    sheet.cells = {
        (1, 1): CellSpec("2024年一般公共预算支出表"), (2, 1): CellSpec("科目编码"), (2, 2): CellSpec("金额"),
        (3, 1): CellSpec(2101501), (3, 2): CellSpec(16390.41, "#,##0.00"), (3, 3): CellSpec(0.955, "0.0%"),
        (4, 1): CellSpec(1, "00"), (4, 2): CellSpec(98765432109.87, "#,##0.00"),
        # B3+B4 (tRef B3, tRef B4, tAdd) with the cached result a spreadsheet would have saved
        (5, 1): CellSpec("合计"),
        (5, 2): CellSpec(Formula(b"\x24\x02\x00\x01\xc0\x24\x03\x00\x01\xc0\x03", 98765448500.28), "#,##0.00"),
    }
    sheet.bordered = {(r, c) for r in range(2, 6) for c in range(1, 4)}
    result = XlsReader().read(write_xls([sheet, SheetSpec("隐藏", {(1, 1): CellSpec("附注")}, state="hidden")]))
    (table,) = result.tables
    assert table.context == ("2024年一般公共预算支出表",)
    assert table.rows == (("科目编码", "金额", ""), ("2101501", "16390.41", "95.5%"),
                          ("01", "98765432109.87", ""), ("合计", "98765448500.28", ""))
    assert result.format == "xls" and result.text_lines[-1] == "附注"
    assert result.warnings == ["sheet '支出表': 1 hidden rows read (4)", "sheet '隐藏' is hidden; read like the others"]


def test_xls_damaged_and_doc_and_unknown_ole():
    data = write_xls([SheetSpec("Sheet1", {(1, 1): CellSpec("a"), (1, 2): CellSpec("b")})])
    assert sniff_format(data) == "xls"
    with pytest.raises(ReaderError, match="damaged or unsupported XLS"):
        reader_for(data[:1500]).read(data[:1500])
    with pytest.raises(ReaderError, match="legacy Word .doc is not supported: save it as DOCX"):
        reader_for(ole_container(b"\0" * 4096, name="WordDocument")).read(b"")
    with pytest.raises(ReaderError, match="neither XLS nor DOC"):
        reader_for(ole_container(b"\0" * 4096, name="Contents"))
    with pytest.raises(ReaderError, match="password-protected Office file"):
        reader_for(ole_container(b"\0" * 4096, name="EncryptedPackage"))


# --- DOCX ----------------------------------------------------------------------------------


def _docx() -> bytes:
    document = Document()
    document.add_paragraph("一、部门主要职责")
    document.add_paragraph("2024年部门支出总表")
    document.add_paragraph("单位：万元")
    table = document.add_table(rows=4, cols=4)
    texts = [["科目名称", "合计", "基本支出", ""], ["", "", "人员经费", "公用经费"],
             ["行政运行", "585.64", "500.00", "85.64"], ["合计", "585.64", "500.00", "85.64"]]
    for row, values in zip(table.rows, texts):
        for cell, text in zip(row.cells, values):
            cell.text = text
    table.cell(0, 0).merge(table.cell(1, 0))  # vMerge
    table.cell(0, 1).merge(table.cell(1, 1))
    table.cell(0, 2).merge(table.cell(0, 3))  # gridSpan
    table.cell(2, 0).paragraphs[0].add_run("（本级）")
    document.add_paragraph("注：本表无政府性基金。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_tables_in_order_with_the_text_above_and_merges_top_left():
    result = reader_for(_docx()).read(_docx())
    (table,) = result.tables
    assert result.format == "docx"
    assert table.context == ("一、部门主要职责", "2024年部门支出总表", "单位：万元")
    assert table.rows == (("科目名称", "合计", "基本支出", ""), ("", "", "人员经费", "公用经费"),
                          ("行政运行（本级）", "585.64", "500.00", "85.64"), ("合计", "585.64", "500.00", "85.64"))
    assert result.text_lines[-1] == "注：本表无政府性基金。"


def test_docx_layout_table_cells_flow_around_the_inner_table():
    document = Document()
    outer = document.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "2024年三公经费表"
    inner = cell.add_table(rows=2, cols=2)
    for r, values in enumerate([["项目", "金额"], ["合计", "19.50"]]):
        for c, text in enumerate(values):
            inner.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    (table,) = reader_for(out.getvalue()).read(out.getvalue()).tables
    assert table.context == ("2024年三公经费表",) and table.rows == (("项目", "金额"), ("合计", "19.50"))


def test_docx_damaged():
    data = _docx()
    with pytest.raises(ReaderError, match="damaged DOCX"):
        reader_for(data[: len(data) // 2]).read(data[: len(data) // 2])


# --- HTML ----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>站点</title>
<script>var x = "<table>";</script></head><body>
<div class="nav">首页 &gt; 财政预决算</div>
<table><tr><td><p>2024年部门收支总表</p><p>单位：万元</p>
<table border=1>
<caption>表一</caption>
<tr><th rowspan=2>项目</th><th colspan="2">支出</th></tr>
<tr><th>基本支出</th><th>项目支出</th></tr>
<tr><td>合计</td><td>1,867.77</td><td>&nbsp;</td></tr>
<tr style="display:none"><td>隐藏行</td><td>1</td><td>2</td></tr>
<tr><td>镕<br>基金</td><td rowspan="0">5</td><td>6</td></tr>
</table></td></tr></table>
<p>注：</p></body></html>"""


@pytest.mark.parametrize(("charset", "encoding"), [("utf-8", "utf-8"), ("gbk", "gbk"), ("GB2312", "gbk")])
def test_html_grid_with_spans_context_and_declared_encoding(charset, encoding):
    data = PAGE.format(charset=charset).encode(encoding)  # 镕 is GBK, not GB2312
    result = HtmlReader().read(data)
    (table,) = result.tables
    assert table.context == ("首页 > 财政预决算", "2024年部门收支总表", "单位：万元", "表一")
    assert table.rows == (("项目", "支出", ""), ("", "基本支出", "项目支出"), ("合计", "1,867.77", ""),
                          ("镕 基金", "5", "6"))
    assert table.row_lines[0] == 7 and result.text_lines[-1] == "注："
    assert result.encoding == ("utf-8" if charset == "utf-8" else "gb18030") and result.warnings == []


def test_html_cut_inside_a_character_reads_like_a_browser_shows_it():
    data = PAGE.format(charset="utf-8").encode("utf-8")
    cut = data[: data.index("注".encode()) + 1]  # the page ends one byte into a 3-byte character
    result = HtmlReader().read(cut)
    assert result.tables[0].rows[2] == ("合计", "1,867.77", "")
    assert result.warnings == ["1 bytes are not valid utf-8 (first at byte %d); replaced" % (len(cut) - 1)]


def test_html_wrong_declaration_is_overruled_and_noted():
    data = PAGE.format(charset="utf-8").encode("gbk")
    result = HtmlReader().read(data)
    assert result.encoding == "gb18030"
    assert result.warnings[0].startswith("page declares charset utf-8 but byte")
    assert result.tables[0].rows[3][0] == "镕 基金"


def test_html_saved_again_as_utf8_with_its_old_gb2312_declaration():
    data = PAGE.format(charset="gb2312").encode("utf-8")
    result = HtmlReader().read(data)
    assert result.encoding == "utf-8" and result.tables[0].rows[3][0] == "镕 基金"
    assert result.warnings == ["page declares charset gb2312 but its bytes are UTF-8"]


def test_html_sniffing_and_pages_without_tables():
    assert looks_like_html(b"\xef\xbb\xbf  <!doctype html><p>x</p>")
    assert looks_like_html("<html><body>预算</body></html>".encode("utf-16"))
    assert not looks_like_html("2024年预算\n<table>\n".encode())  # a text dump mentioning a tag
    assert sniff_format(b"<table><tr><td>1</td></tr></table>") == "html"
    result = HtmlReader().read(b"<html><body><p>only words</p></body></html>")
    assert result.tables == [] and result.warnings == ["the page has no <table> element"]
    with pytest.raises(ReaderError, match="empty HTML page"):
        HtmlReader().read(b"<html><body><script>x</script></body></html>")
    body = "<p>2024年部门预算收支总表，单位：万元。本部门负责全县医疗保障工作。</p>".encode("gbk")
    text, encoding, notes = decode_html(b"<meta charset='x-unknown'>" + body * 3)
    assert encoding == "gb18030" and "医疗保障" in text
    assert notes == ["page declares unknown charset x-unknown; read as gb18030"]
    text, encoding, notes = decode_html(b"<meta charset='iso-8859-1'>" + body * 3)
    assert encoding == "gb18030" and notes[0].startswith("page declares charset iso-8859-1")


# --- sniffing ------------------------------------------------------------------------------


def test_zip_containers_told_apart_by_members():
    xlsx = write_xlsx([SheetSpec("Sheet1", {(1, 1): CellSpec("a"), (1, 2): CellSpec("b")})])
    assert (sniff_format(xlsx), sniff_format(_docx())) == ("xlsx", "docx")
    assert sniff_format(xlsx[: len(xlsx) // 3]) == "xlsx"  # truncated: named by its parts
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\0")
    with pytest.raises(ReaderError, match="XLSB"):
        reader_for(out.getvalue())


def test_xlsx_infinite_number_cell_reaches_the_interpreter_as_text():
    """A hand-made number cell of 1e400 (openpyxl reads inf) must not vanish as a blank: it
    arrives as 'Infinity', which the interpreter reports as a malformed amount."""
    sheet = "".join([
        _row(1, _s("A1", "2024年收支总表")),
        _row(2, _s("A2", "项目"), _s("B2", "预算数")),
        _row(3, _s("A3", "一般公共预算"), _n("B3", "1e400")),
    ])
    (table,) = XlsxReader().read(_xlsx_zip(sheet)).tables
    assert table.rows[-1] == ("一般公共预算", "Infinity")
