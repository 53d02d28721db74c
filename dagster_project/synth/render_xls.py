"""A report (or any sheet layout) as a legacy XLS file: BIFF8 records in an OLE2 container.

No maintained Python library writes XLS (xlwt was abandoned in 2017), and budget offices
still publish it, so the test corpus needs its own writer. It writes the small subset of the
documented formats ([MS-XLS], [MS-CFB]) that such a workbook uses: one workbook stream,
fonts, number formats, cell formats with borders, sheets with their visibility, numbers,
strings, blank bordered cells, merged ranges, hidden rows and formulas with cached results.
It is a test fixture writer, not an Excel replacement: no shared strings, no styles beyond
borders, one stream of at most 109 FAT sectors (about 7 MB).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from dagster_project.synth.blocks import Block
from dagster_project.synth.sheet_layout import SheetSpec, layout_workbook

_SECTOR = 512
_FREE, _END, _FAT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_STATES = {"visible": 0, "hidden": 1, "veryHidden": 2}
_FIRST_CUSTOM_FORMAT = 164


@dataclass(frozen=True)
class Formula:
    """A formula cell as XLS stores it: the parsed expression and the cached result."""

    rgce: bytes  # parsed expression tokens ([MS-XLS] 2.5.198), e.g. b"\x1e\x05\x00" = 5
    cached: float


def _record(rec_id: int, body: bytes = b"") -> bytes:
    if len(body) > 8224:
        raise ValueError(f"record 0x{rec_id:04x} too long for one BIFF8 record: {len(body)} bytes")
    return struct.pack("<HH", rec_id, len(body)) + body


def _short_string(text: str) -> bytes:  # 1-byte length, UTF-16LE
    return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")


def _string(text: str) -> bytes:  # 2-byte length, UTF-16LE
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _xf(font: int, fmt: int, style: bool, bordered: bool) -> bytes:
    type_prot = 0xFFF5 if style else 0x0001  # style XF: parent 0xFFF; cell XF: parent style 0
    lines = 0x1111 if bordered else 0  # thin left, right, top, bottom
    colours = (8 << 16) | (8 << 23) if bordered else 0
    return _record(0x00E0, struct.pack("<HHHBBBBIIH", font, fmt, type_prot, 0x20, 0, 0, 0xF8,
                                       lines | colours, (8 | 8 << 7) if bordered else 0, 64 | 65 << 7))


def _sheet_stream(spec: SheetSpec, xf_of) -> bytes:
    rows = [r for r, _ in spec.cells] + [r for r, _ in spec.bordered] or [1]
    cols = [c for _, c in spec.cells] + [c for _, c in spec.bordered] or [1]
    out = [_bof(0x0010), _record(0x0200, struct.pack("<IIHHH", min(rows) - 1, max(rows), min(cols) - 1, max(cols), 0))]
    for row in sorted(spec.hidden_rows):
        out.append(_record(0x0208, struct.pack("<HHHHHHI", row - 1, 0, max(cols), 0x00FF, 0, 0, 0x20 | 0x100)))
    for row, col in sorted(set(spec.cells) | spec.bordered):
        cell = spec.cells.get((row, col))
        xf = xf_of(cell.number_format if cell else "General", (row, col) in spec.bordered)
        head = struct.pack("<HHH", row - 1, col - 1, xf)
        if cell is None:
            out.append(_record(0x0201, head))
        elif isinstance(cell.value, Formula):
            formula = cell.value
            out.append(_record(0x0006, head + struct.pack("<dHIH", formula.cached, 0, 0, len(formula.rgce)) + formula.rgce))
        elif isinstance(cell.value, str):
            out.append(_record(0x0204, head + _string(cell.value)))
        else:
            out.append(_record(0x0203, head + struct.pack("<d", float(cell.value))))
    merges = [(r0 - 1, r1 - 1, c0 - 1, c1 - 1) for r0, c0, r1, c1 in spec.merges]
    for i in range(0, len(merges), 1000):
        chunk = merges[i:i + 1000]
        out.append(_record(0x00E5, struct.pack("<H", len(chunk)) + b"".join(struct.pack("<HHHH", *m) for m in chunk)))
    out.append(_record(0x000A))
    return b"".join(out)


def workbook_stream(sheets: list[SheetSpec]) -> bytes:
    formats: dict[str, int] = {"General": 0}
    xfs: dict[tuple[int, bool], int] = {}
    for spec in sheets:
        for cell in spec.cells.values():
            if cell.number_format not in formats:
                formats[cell.number_format] = _FIRST_CUSTOM_FORMAT + len(formats) - 1

    def xf_of(number_format: str, bordered: bool) -> int:
        key = (formats[number_format], bordered)
        if key not in xfs:
            xfs[key] = 1 + len(xfs)  # XF 0 is the style XF
        return xfs[key]

    streams = [_sheet_stream(spec, xf_of) for spec in sheets]  # fills the XF table
    head = [_bof(0x0005), _record(0x0042, struct.pack("<H", 1200)), _record(0x0022, struct.pack("<H", 0))]
    font = _record(0x0031, struct.pack("<HHHHHBBBB", 220, 0, 0x7FFF, 400, 0, 0, 0, 0x86, 0) + _short_string("宋体"))
    head += [font] * 5  # Excel skips font index 4; five keep every index valid
    head += [_record(0x041E, struct.pack("<H", ifmt) + _string(code)) for code, ifmt in formats.items() if ifmt]
    head.append(_xf(0, 0, True, False))
    head += [_xf(0, fmt, False, bordered) for (fmt, bordered), _ in sorted(xfs.items(), key=lambda kv: kv[1])]
    def boundsheet(spec: SheetSpec, offset: int) -> bytes:
        return _record(0x0085, struct.pack("<IBB", offset, _STATES[spec.state], 0) + _short_string(spec.name))

    offset = sum(map(len, head)) + sum(len(boundsheet(spec, 0)) for spec in sheets) + 4  # + EOF
    bound = []
    for spec, stream in zip(sheets, streams):
        bound.append(boundsheet(spec, offset))
        offset += len(stream)
    return b"".join(head + bound + [_record(0x000A)] + streams)


def ole_container(stream: bytes, name: str = "Workbook") -> bytes:
    """A compound file ([MS-CFB], version 3) holding one stream in regular sectors."""
    size = max(len(stream), 4096)  # smaller streams would belong in the mini stream
    data = stream.ljust(math.ceil(size / _SECTOR) * _SECTOR, b"\0")
    n_stream = len(data) // _SECTOR
    n_fat = 1
    while math.ceil((n_fat + 1 + n_stream) / 128) > n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("stream too large for a compound file without DIFAT sectors")
    fat = [_FAT] * n_fat + [_END]
    first = n_fat + 1
    fat += [first + i + 1 for i in range(n_stream - 1)] + [_END]
    fat += [_FREE] * (n_fat * 128 - len(fat))
    difat = list(range(n_fat)) + [_FREE] * (109 - n_fat)
    header = (_OLE_MAGIC + b"\0" * 16 + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, n_fat, n_fat,
                                                      0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))

    def entry(entry_name: str, kind: int, child: int, start: int, length: int) -> bytes:
        encoded = (entry_name + "\0").encode("utf-16-le") if entry_name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1 if kind else 0,
                           _NOSTREAM, _NOSTREAM, child, b"\0" * 16, 0, 0, 0, start, length)

    directory = (entry("Root Entry", 5, 1, _END, 0) + entry(name, 2, _NOSTREAM, first, size)
                 + entry("", 0, _NOSTREAM, 0, 0) * 2)
    return header + struct.pack(f"<{n_fat * 128}I", *fat) + directory + data


def write_xls(sheets: list[SheetSpec]) -> bytes:
    return ole_container(workbook_stream(sheets))


def render_xls(blocks: list[Block], *, one_sheet: bool = False) -> bytes:
    """The report as XLS bytes, laid out like the XLSX rendering."""
    return write_xls(layout_workbook(blocks, one_sheet=one_sheet))
