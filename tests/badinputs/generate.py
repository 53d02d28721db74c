"""The bad-input corpus: every case the reliability issue names, generated into a folder.

`generate(raw, outside)` writes the five sample reports plus one file (or link, or pipe) per
case into `raw` (links point into `outside`, a folder beside it) and returns the case list:
each case has the path it writes, the status the pipeline must give it, and the text its
reason (or its notes) must contain. tests/badinputs/test_badinputs.py runs `budgetwh run` on
the folder and asserts every case, the published marts and the command's output;
docs/bad-inputs.md is this list as a table (`render_table`), and a test keeps it current.

    python -m tests.badinputs.generate OUT_DIR          # the corpus, to look at
    python -m tests.badinputs.generate --doc docs/bad-inputs.md

Nothing is committed but this script: the PDFs come from reportlab, the spreadsheet from
openpyxl, the small reports from `mini_report` (a department's budget in the tab-separated
layout of sample 001, with the table structure every report has), and the encoding, line-ending
and copy cases from the samples themselves. Reports made up here use invented departments, so
that their revisions, contradictions and odd cells never touch the samples' disclosures.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO / "data" / "raw"
SAMPLES = sorted(p.name for p in SAMPLES_DIR.glob("*.txt"))
S000, S001, S002, S003, S004 = SAMPLES
# the limits the suite runs under (BUDGETWH_MAX_SECONDS_PER_DOC; file size and pages at their defaults)
SECONDS_PER_DOC = 10
SQL_TITLE = "'); drop table marts.dim_document; --“三公”经费支出预算表"
WEIRD_NAME = "预算 报告 $(touch pwned) `id`; rm -rf ~ & | > 'q' \"dq\" [red]...(1).txt"


@dataclass(frozen=True)
class Case:
    """One entry of the raw folder and what the pipeline must make of it."""

    path: str  # under the raw folder
    topic: str  # the words for the case
    status: str | None  # ok, partial, quarantined, duplicate, superseded; "skipped": not read; None: ignored
    message: str | None  # text the status reason (or the notes, see in_notes) must contain
    build: Callable[[Path, Path], None]  # (raw folder, outside folder) -> writes the entry
    in_notes: bool = False  # message is a note of a loaded document, not its status reason
    department: str | None = None  # for reports made up here: the department they print

    @property
    def reaches_marts(self) -> bool:
        return self.status in ("ok", "partial")


# --- small reports --------------------------------------------------------------------------

def mini_report(dept: str, year: int = 2024, *, date: str | None = None, total: str = "100.00",
                admin: str = "60.00", project: str = "40.00", summary_total: str | None = None,
                three_title: str = "一般公共预算“三公”经费支出预算表", extra_rows: str = "",
                narrative: tuple[str, ...] = (), parts: tuple[str, ...] = ("summary", "general", "three")) -> str:
    """A small but complete budget report in 万元: 收支预算总表, 一般公共预算支出表 (行政运行 +
    一般行政管理事务 under 213 农林水), 三公 table (and a 支出预算总表 when asked for); the
    narrative names the department and year."""
    lines = [f"{dept}{year}年部门预算公开", "", "第一部分 部门概况",
             f"{dept}负责本级林业和水利工作。", *narrative, ""]
    summary = summary_total or total
    if "summary" in parts:
        lines += ["表一", f"{dept}{year}年收支预算总表", "单位：万元",
                  "项目\t预算数\t项目\t预算数",
                  f"一、一般公共预算拨款收入\t{summary}\t一、农林水支出\t{summary}",
                  f"收入总计\t{summary}\t支出总计\t{summary}", ""]
    def spending(label: str, title: str, extra: str = "") -> list[str]:
        return [label, f"{dept}{year}年{title}", "单位：万元",
                "科目编码\t科目名称\t合计\t基本支出\t项目支出",
                f"2130101\t行政运行\t{admin}\t{admin}\t",
                f"2130102\t一般行政管理事务\t{project}\t\t{project}",
                *([extra] if extra else []),
                f"合计\t\t{total}\t{admin}\t{project}", ""]

    if "general" in parts:
        lines += spending("表二", "一般公共预算支出表", extra_rows)
    if "expenditure" in parts:
        lines += spending("表四", "支出预算总表")
    if "three" in parts:
        lines += ["表三", f"{dept}{year}年{three_title}", "单位：万元",
                  f"项目\t{year}年预算数", "合计\t3.00", "因公出国（境）费\t0.00",
                  "公务用车购置及运行费\t2.00", "公务接待费\t1.00", ""]
    if date:
        lines += [dept, date]
    return "\n".join(lines) + "\n"


def _text(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path, Path], None]:
    def build(raw: Path, outside: Path) -> None:
        target = raw / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode(encoding))
    return build


def _bytes(name: str, make: Callable[[], bytes]) -> Callable[[Path, Path], None]:
    def build(raw: Path, outside: Path) -> None:
        (raw / name).write_bytes(make())
    return build


def _sample(name: str) -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


def _with_mtime(build: Callable[[Path, Path], None], name: str, when: datetime) -> Callable[[Path, Path], None]:
    def wrapped(raw: Path, outside: Path) -> None:
        build(raw, outside)
        stamp = when.timestamp()
        os.utime(raw / name, (stamp, stamp))
    return wrapped


# --- PDFs (reportlab) -----------------------------------------------------------------------

def _canvas_pdf(pages: int, encrypt=None, lines_per_page: int = 6) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    for page in range(pages):
        pdf.setFont("STSong-Light", 11)
        for line in range(lines_per_page):
            pdf.drawString(72, 770 - 18 * line, f"第{page + 1}页：本部门负责全县林业工作，预算说明第{line + 1}段。")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption

    return _canvas_pdf(2, StandardEncryption("user-secret", ownerPassword="owner-secret"))


def copy_protected_pdf() -> bytes:
    """Opens without a password, but its permissions forbid copying text out."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    return _canvas_pdf(2, StandardEncryption("", ownerPassword="owner-secret", canCopy=0))


def truncated_pdf() -> bytes:
    whole = _canvas_pdf(4)
    return whole[: len(whole) // 2]


def image_only_pdf() -> bytes:
    """A scanned page: a picture of a ruled table, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (600, 400), "white")
    draw = ImageDraw.Draw(image)
    for y in range(20, 400, 40):
        draw.line([20, y, 580, y], fill="black", width=2)
    for x in (20, 300, 580):
        draw.line([x, 20, x, 380], fill="black", width=2)
    png = io.BytesIO()
    image.save(png, format="PNG")
    png.seek(0)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.drawImage(ImageReader(png), 50, 300, 500, 333)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


# --- other formats --------------------------------------------------------------------------

def zip_bomb_docx() -> bytes:
    """A DOCX whose parts expand to more than 512 MiB (zeros compress 200:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/image1.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(520):
                member.write(block)
    return out.getvalue()


def truncated_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["科目编码", "科目名称", "合计"])
    book.active.append(["2130101", "行政运行", 60])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()[:1500]


# --- memory bombs: small files that expand to gigabytes when read naively ---------------------

def huge_page_pdf(side: float = 5000) -> bytes:
    """A PDF of one page `side` points square (A4 is 595 × 842) with a line of text and four
    rules that form no grid: the vector engine finds no table, so the page goes to the raster
    engine, which renders it at 300 dpi (5000 pt: 20,833 px square, 1.7 GB a copy). Written
    by hand: under a kilobyte."""
    content = (b"BT /F1 12 Tf 72 72 Td (Budget table) Tj ET\n1 w 72 200 m 500 200 l S 72 300 m 500 300 l S "
               b"50 320 m 50 700 l S 600 320 m 600 700 l S\n")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % (side, side),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def span_bomb_html(cells: int = 60, rows: int = 150) -> bytes:
    """A 4.8 KB page whose table's first row holds `cells` cells of colspan=1000 rowspan=0
    (legal HTML: 1000 is the largest colspan, 0 spans to the end of the row group) above
    `rows` one-cell rows: 60,000 columns × 151 rows expanded."""
    head = "<tr>" + '<td colspan=1000 rowspan=0>x</td>' * cells + "</tr>\n"
    body = "".join(f"<tr><td>{i}</td></tr>\n" for i in range(rows))
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>预算</title></head><body>\n"
            f"<p>单位预算表</p>\n<table>\n{head}{body}</table>\n</body></html>\n").encode("utf-8")


def grid_before_docx(sample: str, grid_before: int = 50_000_000) -> bytes:
    """A sample report as DOCX where one table row declares w:gridBefore=50,000,000 (50 million
    blank grid columns before its first cell; the table's w:tblGrid declares a handful)."""
    import re

    from dagster_project.synth.blocks import document_blocks
    from dagster_project.synth.render_docx import render_docx

    docx = render_docx(document_blocks(_sample(sample)))
    marker = f'<w:trPr><w:gridBefore w:val="{grid_before}"/></w:trPr>'.encode()
    return _patch_zip(docx, "word/document.xml",
                      lambda xml: re.sub(rb"(<w:tr(?:\s[^>]*)?>)", lambda m: m.group(1) + marker, xml, count=1))


def far_cell_xlsx(sample: str, column: str = "XFD") -> bytes:
    """A sample report as XLSX (all tables on one sheet) plus one cell in the last column (XFD:
    column 16,384) on a row in the middle of its longest table, as a stray keystroke leaves it."""
    from openpyxl import load_workbook

    from dagster_project.synth.blocks import document_blocks
    from dagster_project.synth.render_xlsx import render_xlsx

    book = load_workbook(io.BytesIO(render_xlsx(document_blocks(_sample(sample)), one_sheet=True)))
    sheet = book.worksheets[0]
    blocks: list[list[int]] = []  # runs of consecutive filled rows: the sheet's tables
    for row in sorted({r for r, _ in sheet._cells}):  # noqa: SLF001 - the cells stored, not the bounding box
        if blocks and blocks[-1][-1] == row - 1:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    longest = max(blocks, key=len)
    sheet[f"{column}{longest[len(longest) // 2]}"] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def many_sheets_xlsx(sheets: int = 20_000) -> bytes:
    """A workbook of `sheets` worksheets, written part by part (openpyxl would take minutes):
    every sheet entry of xl/workbook.xml points at the same one-cell worksheet part."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = f"{rel}/worksheet"
    entries = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
    links = "".join(f'<Relationship Id="rId{i}" Type="{sheet_type}" Target="worksheets/sheet1.xml"/>'
                    for i in range(1, sheets + 1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            f"<sheets>{entries}</sheets></workbook>"))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{links}</Relationships>'))
        archive.writestr("xl/worksheets/sheet1.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>预算</t></is></c></row></sheetData></worksheet>'))
    return out.getvalue()


def utf16_declared_html(dept: str) -> bytes:
    """A report page saved as UTF-8 (no byte-order mark) that still declares
    <meta charset="utf-16">: browsers read it as UTF-8 (WHATWG: a meta charset of UTF-16
    means UTF-8, since a page the prescan can read is not UTF-16)."""
    from dagster_project.synth.blocks import document_blocks
    from dagster_project.synth.render_html import render_html

    return render_html(document_blocks(mini_report(dept)), encoding="utf-8", declared="utf-16")


def _patch_zip(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info, change(body) if info.filename == member else body)
    return out.getvalue()


def _sparse(name: str, size: int) -> Callable[[Path, Path], None]:
    """A file over the size limit without writing its bytes (a sparse file): the limit is
    checked on the size alone, before anything is read."""
    def build(raw: Path, outside: Path) -> None:
        with (raw / name).open("wb") as handle:
            handle.truncate(size)
    return build


def _symlink(name: str, target_name: str, folder: bool = False) -> Callable[[Path, Path], None]:
    def build(raw: Path, outside: Path) -> None:
        outside.mkdir(parents=True, exist_ok=True)
        target = outside / target_name
        if folder:
            target.mkdir(exist_ok=True)
            (target / "secret_report.txt").write_text(mini_report("外部县财政局"), encoding="utf-8")
        else:
            target.write_text(mini_report("外部县审计局"), encoding="utf-8")
        (raw / name).symlink_to(target, target_is_directory=folder)
    return build


def _fifo(name: str) -> Callable[[Path, Path], None]:
    def build(raw: Path, outside: Path) -> None:
        os.mkfifo(raw / name)
    return build


def _mixed_line_endings(text: str) -> bytes:
    endings = ("\r\n", "\n", "\r\n", "\n")
    return "".join(line + endings[i % 4] for i, line in enumerate(text.split("\n"))).encode("utf-8")


def _narrative_years(year: int, times: int = 6) -> tuple[str, ...]:
    return tuple(f"{year}年预算安排第{i + 1}项说明。" for i in range(times))


_MARCH, _JANUARY = datetime(2024, 3, 1, 9, 0), datetime(2024, 1, 10, 9, 0)


def cases() -> list[Case]:
    """Every case, in the order of the issue's list."""
    c = Case
    return [
        *(c(name, "the five sample reports", "ok", None, _text(name, _sample(name))) for name in SAMPLES),
        c("zero_bytes.txt", "zero bytes", "quarantined", "empty file", _bytes("zero_bytes.txt", bytes)),
        c("only_bom_and_blanks.txt", "zero bytes (a byte-order mark and blank lines only)", "quarantined",
          "empty file", _bytes("only_bom_and_blanks.txt", lambda: b"\xef\xbb\xbf \r\n\r\n  \n")),
        c("binary_garbage.txt", "binary garbage named .txt", "quarantined", "not a text file",
          _bytes("binary_garbage.txt", lambda: bytes(range(256)) * 40)),
        c("binary_garbage.pdf", "binary garbage named .pdf", "quarantined", "not a text file",
          _bytes("binary_garbage.pdf", lambda: bytes(reversed(range(256))) * 40)),
        c("png_image.txt", "a picture named .txt", "quarantined", "PNG image: no reader for this format",
          _bytes("png_image.txt", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)),
        c("truncated.pdf", "a truncated PDF", "quarantined", "corrupt PDF", _bytes("truncated.pdf", truncated_pdf)),
        c("encrypted.pdf", "an encrypted PDF (password to open)", "quarantined",
          "encrypted PDF: a password is needed to open it", _bytes("encrypted.pdf", encrypted_pdf)),
        c("copy_protected.pdf", "an encrypted PDF (no password, copying forbidden)", "quarantined",
          "encrypted PDF: its permissions forbid extracting text", _bytes("copy_protected.pdf", copy_protected_pdf)),
        c("image_only.pdf", "an image-only PDF", "quarantined", "needs OCR: 1 of 1 pages have no text layer",
          _bytes("image_only.pdf", image_only_pdf)),
        c("narrative_2000_pages.pdf", "a PDF of 2,000 narrative pages", "quarantined",
          "too many pages: 2000 > limit of 1000 (BUDGETWH_MAX_PAGES)",
          _bytes("narrative_2000_pages.pdf", lambda: _canvas_pdf(2000))),
        c("zip_bomb.docx", "a DOCX that expands past 512 MiB", "quarantined", "over the limit of 536870912",
          _bytes("zip_bomb.docx", zip_bomb_docx)),
        c("truncated.xlsx", "a truncated XLSX", "quarantined", "damaged XLSX",
          _bytes("truncated.xlsx", truncated_xlsx)),
        c("one_10mb_line.txt", "a hostile text file (one 10 MB line)", "quarantined",
          f"extraction took longer than the limit of {SECONDS_PER_DOC} s per document",
          _bytes("one_10mb_line.txt", lambda: ("预算 " * 1_500_000).encode("utf-8"))),  # superlinear to read
        # memory bombs (README, "limits"; BENCHMARKS.md, "Memory bounds on hostile inputs")
        c("huge_page.pdf", "a 677-byte PDF with one 5000 pt square page (raster fallback at 300 dpi: 434 million "
          "pixels; rendered at 64 dpi, 20 million)", "quarantined", "no budget tables found",
          _bytes("huge_page.pdf", huge_page_pdf)),
        c("span_bomb.html", "a 5 KB page whose table has 60 cells of colspan=1000 rowspan=0", "quarantined",
          "over the limit of 1,000,000 cells per table", _bytes("span_bomb.html", span_bomb_html)),
        c("grid_before.docx", "a DOCX (sample 003) with w:gridBefore=50000000 on a table row", "duplicate",
          f"same facts as {S003}", _bytes("grid_before.docx", lambda: grid_before_docx(S003))),
        c("far_cell.xlsx", "an XLSX (sample 000) with one cell in column XFD, the last, on a table row",
          "duplicate", f"same facts as {S000}", _bytes("far_cell.xlsx", lambda: far_cell_xlsx(S000))),
        c("sheets_20000.xlsx", "a workbook of 20,000 sheets (counted from xl/workbook.xml, none parsed)",
          "quarantined", "too many sheets: 20000 > limit of 1000 (BUDGETWH_MAX_PAGES)",
          _bytes("sheets_20000.xlsx", many_sheets_xlsx)),
        c("utf16_declared.html", "a UTF-8 page declaring `<meta charset=\"utf-16\">` (read as UTF-8, as browsers do)",
          "ok", None, _bytes("utf16_declared.html", lambda: utf16_declared_html("东山县林业局")),
          department="东山县林业局"),
        c("gbk.txt", "GBK text (sample 001 in GBK)", "duplicate", f"same facts as {S001}",
          _text("gbk.txt", _sample(S001), "gbk")),
        c("gb18030.txt", "GB18030 text (sample 002 in GB18030)", "duplicate", f"same facts as {S002}",
          _text("gb18030.txt", _sample(S002), "gb18030")),
        c("utf16.txt", "UTF-16 text (sample 003 in UTF-16 with BOM)", "duplicate", f"same facts as {S003}",
          _text("utf16.txt", _sample(S003), "utf-16")),
        c("mixed_line_endings.txt", "mixed line endings (sample 004, CRLF and LF alternating)", "duplicate",
          f"same facts as {S004}", _bytes("mixed_line_endings.txt", lambda: _mixed_line_endings(_sample(S004)))),
        c("over_size_limit.txt", "a file over the size limit (201 MiB, sparse)", "quarantined",
          "file too large: 210763776 bytes > limit of 209715200 bytes (BUDGETWH_MAX_FILE_MB)",
          _sparse("over_size_limit.txt", 201 * 1024 * 1024)),
        c("contradicting_tables.txt", "a report whose tables contradict each other (总表 110 vs 支出表 100)",
          "ok", None, _text("contradicting_tables.txt", mini_report(
              "白沙县林业局", summary_total="110.00", parts=("summary", "general", "expenditure", "three"))),
          department="白沙县林业局"),
        c("negative_and_bracketed.txt", "negative and bracketed amounts (-5.00, (1,234.00))", "ok", None,
          _text("negative_and_bracketed.txt", mini_report(
              "青石县水利局", extra_rows="2130105\t水利调减\t(1,234.00)\t-5.00\t")), department="青石县水利局"),
        c("dash_and_zero_cells.txt", "cells —, -, /, * and 0 in amount columns", "ok", None,
          _text("dash_and_zero_cells.txt", mini_report(
              "石门县林业局", extra_rows="2130103\t机关服务\t—\t-\t/\n2130104\t事业运行\t*\t0\t")),
          department="石门县林业局"),
        c("percent_in_amounts.txt", "a percentage in an amount column", "partial",
          "1 numeric cells could not be interpreted",
          _text("percent_in_amounts.txt", mini_report("云岭县林业局", extra_rows="2130106\t执行进度\t12.5%\t\t")),
          department="云岭县林业局"),
        c("copy_of_000.txt", "the same report twice under different names (byte-identical copy)", "duplicate",
          f"same facts as {S000}", _text("copy_of_000.txt", _sample(S000))),
        c("saved_as.pdf", "the same report under a .pdf name (text with a BOM inside)", "duplicate",
          f"same facts as {S001}; named .pdf but the content is text: read as text",
          _text("saved_as.pdf", "\ufeff" + _sample(S001))),
        c("revision_by_date_old.txt", "a revised report, older by its printed date", "superseded",
          "superseded by revision_by_date_new.txt: printed date 2024-03-01 is later than 2024-01-10",
          _with_mtime(_text("revision_by_date_old.txt", mini_report("金山县林业局", date="2024年1月10日")),
                      "revision_by_date_old.txt", _MARCH), department="金山县林业局"),
        c("revision_by_date_new.txt", "a revised report, newer by its printed date (file modified earlier)", "ok",
          None, _with_mtime(_text("revision_by_date_new.txt", mini_report(
              "金山县林业局", date="2024年3月1日", total="120.00", admin="80.00")),
              "revision_by_date_new.txt", _JANUARY), department="金山县林业局"),
        c("revision_by_mtime_old.txt", "a revised report without dates, modified earlier", "superseded",
          "superseded by revision_by_mtime_new.txt: file modified later",
          _with_mtime(_text("revision_by_mtime_old.txt", mini_report("银川县林业局")),
                      "revision_by_mtime_old.txt", _JANUARY), department="银川县林业局"),
        c("revision_by_mtime_new.txt", "a revised report without dates, modified later", "ok", None,
          _with_mtime(_text("revision_by_mtime_new.txt", mini_report("银川县林业局", total="120.00", admin="80.00")),
                      "revision_by_mtime_new.txt", _MARCH), department="银川县林业局"),
        c("revision_by_name_v1.txt", "a revised report, same time, earlier file name", "superseded",
          "superseded by revision_by_name_v2.txt: file name sorts later",
          _with_mtime(_text("revision_by_name_v1.txt", mini_report("铜陵县林业局")),
                      "revision_by_name_v1.txt", _MARCH), department="铜陵县林业局"),
        c("revision_by_name_v2.txt", "a revised report, same time, later file name", "ok", None,
          _with_mtime(_text("revision_by_name_v2.txt", mini_report("铜陵县林业局", total="120.00", admin="80.00")),
                      "revision_by_name_v2.txt", _MARCH), department="铜陵县林业局"),
        c("disclosure_part_narrative.txt", "one disclosure in two files: narrative and 三公 table", "ok", None,
          _text("disclosure_part_narrative.txt", mini_report("锡林县林业局", parts=("three",))),
          department="锡林县林业局"),
        c("disclosure_part_tables.txt", "one disclosure in two files: the main tables (no overlap: both stay)",
          "ok", None, _text("disclosure_part_tables.txt", mini_report("锡林县林业局", parts=("summary", "general"))),
          department="锡林县林业局"),
        c("two_departments.txt", "two departments in one file", "quarantined",
          "reports of several departments in one file",
          _text("two_departments.txt", mini_report("东湖县林业局") + "\n" + mini_report("西湖县水务局"))),
        c("narrative_year_2025.txt", "a narrative year that contradicts the tables", "ok",
          "narrative says 2025, tables say 2024; tables win",
          _text("narrative_year_2025.txt", mini_report("南岭县林业局", narrative=_narrative_years(2025))),
          in_notes=True, department="南岭县林业局"),
        c(WEIRD_NAME, "a file name with spaces, Chinese and shell metacharacters", "ok", None,
          _text(WEIRD_NAME, mini_report("北岭县林业局")), department="北岭县林业局"),
        c("sub dir/深 层/report.txt", "a report in nested folders with spaces and Chinese", "ok", None,
          _text("sub dir/深 层/report.txt", mini_report("中岭县林业局")), department="中岭县林业局"),
        c("sql_title.txt", "a table title that looks like SQL (\"'); drop table …\")", "ok", None,
          _text("sql_title.txt", mini_report("西岭县林业局", three_title=SQL_TITLE)), department="西岭县林业局"),
        c("link_outside.txt", "a symlink pointing outside data/raw/", "skipped",
          "symbolic link leading outside the raw folder: not followed", _symlink("link_outside.txt", "audit.txt")),
        c("linked_folder", "a symlinked folder pointing outside data/raw/", "skipped",
          "symbolic link leading outside the raw folder: not followed",
          _symlink("linked_folder", "finance", folder=True)),
        c("named_pipe.txt", "a named pipe (reading it would block the load)", "skipped",
          "not a regular file (named pipe, socket or device): not read", _fifo("named_pipe.txt")),
        c(".~lock.report.txt#", "an editor's hidden lock file", None, None,
          _bytes(".~lock.report.txt#", lambda: b"user,host,2024")),
    ]


def generate(raw: Path, outside: Path) -> list[Case]:
    """Write every case into `raw` (links lead into `outside`); returns the cases."""
    raw.mkdir(parents=True, exist_ok=True)
    every = cases()
    for case in every:
        case.build(raw, outside)
    return every


def render_table(every: list[Case]) -> str:
    """docs/bad-inputs.md: the cases and the outcomes the suite asserts."""
    head = [
        "# Bad inputs: the cases and their outcomes",
        "",
        "Generated by `python -m tests.badinputs.generate --doc docs/bad-inputs.md` from the case list",
        "in `tests/badinputs/generate.py`; `tests/badinputs/test_badinputs.py` runs `budgetwh run` on",
        "the generated folder (the five samples plus every case, with",
        f"`BUDGETWH_MAX_SECONDS_PER_DOC={SECONDS_PER_DOC}` and the other limits at their defaults) and",
        "asserts each row: the status, the text of the reason (or of the notes, where marked), that",
        "the command reports the file by name with that reason, and that only `ok` and `partial`",
        "documents have rows in the published facts (the samples' headline figures exactly once).",
        "A test fails when this file and the case list disagree.",
        "",
        "| # | file | case | status | reason contains | facts in the marts |",
        "|---|---|---|---|---|---|",
    ]
    rows = []
    for i, case in enumerate(every, start=1):
        status = case.status or "ignored (hidden)"
        message = (f"notes: {case.message}" if case.in_notes else case.message) or ""
        cells = [str(i), f"`{case.path}`".replace("|", "\\|"), case.topic, status, message.replace("|", "\\|"),
                 "yes" if case.reaches_marts else "no"]
        rows.append("| " + " | ".join(c.replace("\n", " ") for c in cells) + " |")
    tail = [
        "",
        "Statuses are those of DESIGN.md: `duplicate` names the document with the same facts that",
        "stays, `superseded` names the newer revision and the rule that decided (printed date, else",
        "modification time, else file-name order), `skipped` entries are not read at all (and are",
        "listed by `budgetwh run` with the reason), hidden files are ignored silently.",
        "",
    ]
    return "\n".join(head + rows + tail)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--doc"] and len(args) == 2:
        Path(args[1]).write_text(render_table(cases()), encoding="utf-8")
        return 0
    if len(args) != 1:
        print(__doc__)
        return 2
    out = Path(args[0])
    generate(out / "raw", out / "outside")
    print(f"{len(cases())} cases in {out / 'raw'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
