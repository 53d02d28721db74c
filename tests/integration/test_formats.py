"""Format invariance: each sample rendered as XLSX, XLS, DOCX and HTML at test time reads back
to the same facts as its text file; and malformed or misnamed files get a clear status while
the good ones load."""

from __future__ import annotations

import functools
import shutil
import zipfile

import pytest

from dagster_project.cli import main
from dagster_project.ingest import run_ingest
from dagster_project.parsing.extract import extract_document
from dagster_project.synth.blocks import sample_blocks
from dagster_project.synth.compare import fact_differences
from dagster_project.synth.render_docx import render_docx
from dagster_project.synth.render_html import render_html
from dagster_project.synth.render_xls import render_xls
from dagster_project.synth.render_xlsx import render_xlsx, write_xlsx
from dagster_project.synth.sheet_layout import SheetSpec
from dagster_project.staging.store import StagingStore

from tests.conftest import RAW, SAMPLES, assert_outcome

RENDERERS = {
    "xlsx": render_xlsx,
    "xlsx_one_sheet": functools.partial(render_xlsx, one_sheet=True),
    # numbers without number formats: amounts shown as 50 for 50.00, 款 codes as 5 for 05
    "xlsx_general": functools.partial(render_xlsx, general_numbers=True),
    "xls": render_xls,
    "docx": render_docx,
    "html": render_html,
    # a portal page: GBK declared in <meta charset>, article inside a layout table, &nbsp; cells
    "html_gbk": functools.partial(render_html, encoding="gbk", layout_table=True, empty_cell="&nbsp;"),
    # GBK bytes labelled GB2312 through http-equiv, as portals do (read as GB18030)
    "html_gb2312": functools.partial(render_html, encoding="gbk", declared="gb2312", http_equiv=True),
}
FORMAT_OF = {"xlsx": "xlsx", "xlsx_one_sheet": "xlsx", "xlsx_general": "xlsx", "xls": "xls", "docx": "docx",
             "html": "html", "html_gbk": "html", "html_gb2312": "html"}


@functools.cache
def rendered(sample: str, variant: str) -> bytes:
    return RENDERERS[variant](sample_blocks((RAW / sample).read_bytes()))


def _describe(differences) -> str:
    lines = []
    for kind, (missing, extra) in differences.items():
        lines += [f"{kind} missing: {fact} x{n}" for fact, n in missing.items()]
        lines += [f"{kind} extra:   {fact} x{n}" for fact, n in extra.items()]
    return "\n".join(lines[:40])


@pytest.mark.parametrize("variant", list(RENDERERS))
@pytest.mark.parametrize("sample", SAMPLES)
def test_same_facts_as_the_text_file(sample, variant, extractions):
    data = rendered(sample, variant)
    other = extract_document(data, f"{sample}.{variant}")
    assert other.document.format == FORMAT_OF[variant]
    differences = fact_differences(extractions[sample], other)
    assert differences == {}, _describe(differences)
    text_doc = extractions[sample].document
    assert (other.document.department_name, other.document.fiscal_year, other.document.status) == (
        text_doc.department_name, text_doc.fiscal_year, text_doc.status)


def test_invariance_is_not_vacuous(extractions):
    """The comparison sees a single changed amount."""
    sample = SAMPLES[4]
    data = rendered(sample, "html").replace(b"16,390.41", b"16,390.42", 1)
    assert data != rendered(sample, "html")
    missing, extra = fact_differences(extractions[sample], extract_document(data, "x.html"))["line_items"]
    assert [f[-1] for f in missing] == ["163904100.00"] and [f[-1] for f in extra] == ["163904200.00"]


def test_gbk_page_declares_its_charset_and_is_not_utf8():
    data = rendered(SAMPLES[0], "html_gbk")
    assert b'<meta charset="gbk">' in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert extract_document(data, "x.html").document.encoding == "gb18030"
    assert b'content="text/html; charset=gb2312"' in rendered(SAMPLES[1], "html_gb2312")


def test_xlsx_stores_amounts_as_numbers_with_number_formats():
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(rendered("004_c7edf4338a4ef304.txt", "xlsx")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    amount = next(c for c in cells if c.value == 16390.41)
    assert amount.number_format == "#,##0.00" and amount.data_type == "n"
    ws = wb["一般公共预算支出情况表"]
    merged = {str(r): ws.cell(r.min_row, r.min_col).value for r in ws.merged_cells.ranges}
    assert merged["A1:I1"] == "一般公共预算支出情况表"  # the title above the table
    assert merged["A4:C4"] == "科目编码" and merged["F4:H4"] == "基本支出"  # group headers
    assert merged["D4:D5"] == "科目名称"  # a header beside a two-row header


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A raw folder of good documents in the new formats and malformed or misnamed ones."""
    raw = tmp_path_factory.mktemp("raw")
    good = {
        "001.xlsx": rendered("001_7457e2252370b02a.txt", "xlsx"),
        "004.docx": rendered("004_c7edf4338a4ef304.txt", "docx"),
        "000.html": rendered("000_6f7a8188d183d2a4.txt", "html_gbk"),
    }
    for name, data in good.items():
        (raw / name).write_bytes(data)
    xlsx = rendered("001_7457e2252370b02a.txt", "xlsx")
    (raw / "truncated.xlsx").write_bytes(xlsx[: len(xlsx) // 2])
    (raw / "really_text.xlsx").write_bytes((RAW / "002_ef53abe7e74d0ed0.txt").read_bytes())
    (raw / "really_xlsx.docx").write_bytes(rendered("003_9360114ddfdd9c2c.txt", "xlsx"))
    (raw / "empty.xlsx").write_bytes(write_xlsx([SheetSpec("Sheet1")]))
    (raw / "notables.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><p>2024年部门预算公开说明</p>"
        "<p>本部门负责全县医疗保障工作。</p></body></html>", encoding="utf-8")
    (raw / "legacy.doc").write_bytes(_ole_with_stream("WordDocument"))
    other_zip = raw / "archive.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a report")
    staging = raw.parent / "staging"
    summary = run_ingest(raw, staging)
    docs = StagingStore(staging).read("documents")
    return summary, {r["source_path"]: r for r in docs.iter_rows(named=True)}


def _ole_with_stream(name: str) -> bytes:
    from dagster_project.synth.render_xls import ole_container

    return ole_container(b"\0" * 4096, name=name)


@pytest.mark.parametrize(
    ("name", "status", "reason"),
    [
        ("001.xlsx", "ok", None),
        ("004.docx", "ok", None),
        ("000.html", "ok", None),
        ("truncated.xlsx", "quarantined", "damaged XLSX: the zip container is truncated or corrupt"),
        ("really_text.xlsx", "ok", "named .xlsx but the content is text: read as text"),
        ("really_xlsx.docx", "ok", "named .docx but the content is xlsx: read as xlsx"),
        ("empty.xlsx", "quarantined", "empty workbook: no cell has content"),
        ("notables.html", "quarantined", "no budget tables found"),
        ("legacy.doc", "quarantined", "legacy Word .doc is not supported: save it as DOCX"),
        ("archive.zip", "quarantined", "zip archive that is neither an XLSX workbook nor a DOCX document"),
    ],
)
def test_status_and_reason(mixed, name, status, reason):
    assert_outcome(mixed, name, status, reason)


def test_good_documents_in_new_formats_load_fully(mixed, extractions):
    _, docs = mixed
    for name, sample, fmt in (("001.xlsx", "001_7457e2252370b02a.txt", "xlsx"),
                              ("004.docx", "004_c7edf4338a4ef304.txt", "docx"),
                              ("000.html", "000_6f7a8188d183d2a4.txt", "html"),
                              ("really_text.xlsx", "002_ef53abe7e74d0ed0.txt", "text"),
                              ("really_xlsx.docx", "003_9360114ddfdd9c2c.txt", "xlsx")):
        assert docs[name]["format"] == fmt
        assert docs[name]["n_line_items"] == len(extractions[sample].line_items) > 300
        assert docs[name]["department_name"] == extractions[sample].document.department_name


def test_reader_notes_reach_the_document(mixed):
    _, docs = mixed
    assert "the page has no <table> element" in docs["notables.html"]["notes"]
    assert docs["really_xlsx.docx"]["notes"].startswith("named .docx but the content is xlsx")


def test_run_picks_up_new_formats_without_configuration(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    for sample, variant, name in (("000_6f7a8188d183d2a4.txt", "xls", "a.xls"),
                                  ("002_ef53abe7e74d0ed0.txt", "docx", "b.docx"),
                                  ("003_9360114ddfdd9c2c.txt", "html", "c.htm")):
        (raw / name).write_bytes(rendered(sample, variant))
    shutil.copy(RAW / "004_c7edf4338a4ef304.txt", raw / "d.txt")
    code = main(["run", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "budget.duckdb")])
    out = capsys.readouterr().out
    assert code == 0 and "documents by status: ok 4" in out
    formats = StagingStore(tmp_path / "wh" / "staging").read("documents")["format"].sort().to_list()
    assert formats == ["docx", "html", "text", "xls"]


def test_general_format_workbook_really_holds_bare_numbers():
    """The xlsx_general variant is what it claims: amounts and split codes as bare numbers
    (so the invariance above covers workbooks that lost their number formats)."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(rendered("004_c7edf4338a4ef304.txt", "xlsx_general")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert {c.number_format for c in cells if c.value == 16390.41} == {"General"}
    assert any(c.value == 5 and c.number_format == "General" for c in cells)  # 款 05
