"""PDF extraction does not depend on the fonts a machine has.

Real PDFs often leave their fonts out (STSong-Light, SimSun, ...), and PDFium draws such a
font with a substitute from the machine's fonts: with CJK fonts installed (fonts-noto-cjk, as
on most desktops) glyph outlines, and with them PDFium's own character boxes and which
one-glyph strings it decodes at all, differ from a machine without them. The reader takes
character boxes from the PDF's metrics and hides the machine's fonts from PDFium
(`readers.pdf_layer`).

The stream renders of samples 001-003 (whitespace-aligned columns: the layout most sensitive
to character boxes) are read three times: in a child process whose PDFium finds no font at
all, in one whose PDFium finds a CJK font made by this test (every glyph a square wider and
taller than the em, so an outline never agrees with the PDF's metrics) and every CJK font
installed on the machine, and in this process, on the machine as it is (`.ci/run` installs
fonts-noto-cjk). Tables, text lines and facts must be the same every time. Both font folders
are probed first, so the test cannot pass because PDFium found no CJK font where it should.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STREAM_SAMPLES = sorted(p.name for p in (REPO / "data" / "raw").glob("*.txt"))[1:4]  # 001-003

# A child process: PDFium initialised with the given font folders in place of the system's
# (FPDF_LIBRARY_CONFIG.m_pUserFontPaths) before pypdfium2 initialises it (a no-op then); then
# either a probe of what PDFium draws with those fonts (pypdfium2 alone, the reader never
# imported: it would hide the fonts) or what the reader makes of the PDFs.
_CHILD = r"""
import ctypes, json, sys
import pypdfium2_raw as raw

folders = [ctypes.create_string_buffer(f.encode()) for f in json.loads(sys.argv[2])]
paths = (ctypes.POINTER(ctypes.c_char) * (len(folders) + 1))(
    *[ctypes.cast(f, ctypes.POINTER(ctypes.c_char)) for f in folders], None)
raw.FPDF_InitLibraryWithConfig(raw.FPDF_LIBRARY_CONFIG(
    version=2, m_pUserFontPaths=paths, m_pIsolate=None, m_v8EmbedderSlot=0))

pdfs = json.loads(sys.argv[3])
if sys.argv[1] == "probe":
    from tests.e2e.test_pdf_fonts import outlined_cjk
    json.dump(outlined_cjk(pdfs[0]), sys.stdout)
else:
    from tests.e2e.test_pdf_fonts import outcome
    json.dump(outcome(pdfs), sys.stdout)
"""


def outlined_cjk(path: str) -> float:
    """Share of the CJK characters on the first page that PDFium draws with an outline of
    some height: none with its built-in fonts only, nearly all with a CJK font to substitute."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[0].get_textpage()
        text = textpage.get_text_range()
        heights = [textpage.get_charbox(i)[3] - textpage.get_charbox(i)[1]
                   for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    finally:
        pdf.close()
    return sum(h > 2.0 for h in heights) / max(len(heights), 1)


def outcome(paths: list[str]) -> dict:
    """What the reader and the extraction make of each PDF: tables as read, text lines, and
    the facts `synth.compare` compares (line items, projects, indicators)."""
    import dagster_project.readers.pdf as reader
    from dagster_project.parsing.extract import extract_document
    from dagster_project.synth.compare import indicator_facts, line_item_facts, project_facts

    reads = []
    read_pdf = reader.read_pdf
    reader.read_pdf = lambda data: reads.append(read_pdf(data)) or reads[-1]
    try:
        out = {}
        for path in paths:
            extraction = extract_document(Path(path).read_bytes(), Path(path).name)
            read = reads[-1]
            out[Path(path).name] = {
                "tables": [[t.layout, t.page_from, t.context, t.rows] for t in read.tables],
                "text": read.text_lines,
                "facts": {kind: sorted(map(str, facts(extraction).elements())) for kind, facts in (
                    ("line_items", line_item_facts), ("projects", project_facts),
                    ("indicators", indicator_facts))},
            }
    finally:
        reader.read_pdf = read_pdf
    return json.loads(json.dumps(out, ensure_ascii=False))


def square_cjk_font(family: str = "Budgetwh Square CJK") -> bytes:
    """A TrueType font claiming Simplified Chinese (OS/2 code page GB2312, which PDFium's font
    mapper looks for when it substitutes a Chinese font) that draws ASCII, punctuation, CJK
    ideographs and full-width forms as one glyph: a square 1.3 em wide and 1.2 em tall."""
    upem, (x0, y0, x1, y1) = 1000, (-150, -250, 1150, 950)
    square = struct.pack(">hhhhhHH4B", 1, x0, y0, x1, y1, 3, 0, 1, 1, 1, 1)  # 4 on-curve points
    square += struct.pack(">4h", x0, x1 - x0, 0, x0 - x1) + struct.pack(">4h", y0, 0, y1 - y0, 0)
    square += b"\0" * (-len(square) % 4)
    # cmap format 4: every range to glyph 1 through glyphIdArray, then the closing segment
    ranges = [(0x20, 0x7E), (0x2000, 0x206F), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF)]
    segments, glyph_ids, range_offsets = [*ranges, (0xFFFF, 0xFFFF)], [], []
    n = len(segments)
    for i, (start, end) in enumerate(ranges):
        range_offsets.append(2 * (n - i) + 2 * len(glyph_ids))
        glyph_ids += [1] * (end - start + 1)
    search = 2 * 2 ** (n.bit_length() - 1)
    body = struct.pack(">4H", 2 * n, search, n.bit_length() - 1, 2 * n - search)
    body += struct.pack(f">{n}H", *(e for _, e in segments)) + b"\0\0"
    body += struct.pack(f">{n}H", *(s for s, _ in segments))
    body += struct.pack(f">{n}h", *([0] * (n - 1) + [1])) + struct.pack(f">{n}H", *range_offsets, 0)
    body += struct.pack(f">{len(glyph_ids)}H", *glyph_ids)
    cmap = struct.pack(">HHHHI", 0, 1, 3, 1, 12) + struct.pack(">HHH", 4, 6 + len(body), 0) + body
    names, strings = [], b""
    for name_id, text in ((1, family), (2, "Regular"), (4, family), (6, family.replace(" ", ""))):
        for platform, encoding, language, data in ((1, 0, 0, text.encode("latin-1")),
                                                   (3, 1, 0x409, text.encode("utf-16-be"))):
            names.append((platform, encoding, language, name_id, len(data), len(strings)))
            strings += data
    tables = {
        b"OS/2": struct.pack(">HhHHH10hh10s4I4sHHHhhhHHII", 1, upem, 400, 5, 0, *[0] * 10, 0,
                             b"\0" * 10, 1, 1 << 27, 0, 0, b"TEST", 0x40, 0x20, 0xFFEF, 880, -120,
                             0, 950, 250, 1 | 1 << 18, 0),
        b"cmap": cmap,
        b"glyf": square,
        b"head": struct.pack(">IIIIHHqqhhhhHHhhh", 0x10000, 0x10000, 0, 0x5F0F3CF5, 0x000B, upem,
                             0, 0, x0, y0, x1, y1, 0, 8, 2, 1, 0),
        b"hhea": struct.pack(">IhhhHhhhhhh4hhH", 0x10000, 880, -120, 0, upem, x0, upem - x1, x1,
                             1, 0, 0, 0, 0, 0, 0, 0, 2),
        b"hmtx": struct.pack(">HhHh", upem // 2, 0, upem, x0),
        b"loca": struct.pack(">III", 0, 0, len(square)),  # glyph 0 (.notdef) empty, 1 the square
        b"maxp": struct.pack(">I14H", 0x10000, 2, 4, 1, 0, 0, 2, *[0] * 8),
        b"name": struct.pack(">HHH", 0, len(names), 6 + 12 * len(names))
        + b"".join(struct.pack(">6H", *r) for r in sorted(names)) + strings,
        b"post": struct.pack(">IIhhIIIII", 0x30000, 0, -100, 50, 0, 0, 0, 0, 0),
    }
    count = len(tables)
    search = 16 * 2 ** (count.bit_length() - 1)
    head = struct.pack(">IHHHH", 0x10000, count, search, count.bit_length() - 1,
                       16 * count - search)
    directory, data, offset = b"", b"", 12 + 16 * count
    for tag in sorted(tables):
        table = tables[tag] + b"\0" * (-len(tables[tag]) % 4)
        checksum = sum(struct.unpack(f">{len(table) // 4}I", table)) & 0xFFFFFFFF
        directory += struct.pack(">4sIII", tag, checksum, offset + len(data), len(tables[tag]))
        data += table
    return head + directory + data


def _machine_cjk_fonts() -> list[Path]:
    """CJK font files installed on this machine (fontconfig's view, else the usual folders)."""
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True)
        return sorted({Path(line.split(":")[0].strip()) for line in listed.stdout.splitlines()
                       if line.strip()})
    folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    return sorted(p for f in folders if f.is_dir() for p in f.rglob("*CJK*") if p.is_file())


def _child(task: str, folders: list[Path], pdfs: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    args = [task, json.dumps([str(f) for f in folders]), json.dumps(pdfs)]
    return subprocess.Popen([sys.executable, "-c", _CHILD, *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(child: subprocess.Popen) -> dict:
    out, err = child.communicate(timeout=600)
    assert child.returncode == 0, err[-3000:]
    return json.loads(out)


def test_pdf_reads_the_same_with_and_without_cjk_fonts(tmp_path):
    from dagster_project.synth.render_pdf import render_sample

    pdfs = []
    for sample in STREAM_SAMPLES:
        path = tmp_path / f"{sample}.stream.pdf"
        path.write_bytes(render_sample((REPO / "data" / "raw" / sample).read_bytes(), "stream"))
        pdfs.append(str(path))
    no_fonts, cjk_fonts = tmp_path / "no_fonts", tmp_path / "cjk_fonts"
    no_fonts.mkdir()
    cjk_fonts.mkdir()
    (cjk_fonts / "BudgetwhSquareCJK.ttf").write_bytes(square_cjk_font())
    for i, font in enumerate(_machine_cjk_fonts()):
        (cjk_fonts / f"{i}-{font.name}").symlink_to(font)

    folders = {"no fonts": no_fonts, "CJK fonts": cjk_fonts}
    # the two font folders really differ in what PDFium draws with them
    probes = {name: _result(_child("probe", [folder], pdfs)) for name, folder in folders.items()}
    assert probes == {"no fonts": 0.0, "CJK fonts": probes["CJK fonts"]}
    assert probes["CJK fonts"] > 0.9

    children = {name: _child("read", [folder], pdfs) for name, folder in folders.items()}
    here = outcome(pdfs)  # this process: the machine's own fonts, meanwhile
    for name, child in children.items():
        for pdf, got in _result(child).items():
            assert got["facts"]["line_items"], pdf
            for part in ("facts", "tables", "text"):
                assert got[part] == here[pdf][part], f"{pdf}: {part} differ with {name}"
