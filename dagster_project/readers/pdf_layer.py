"""The text layer and drawing of each PDF page, read with pypdfium2 (PDFium, compiled C).

This is the cheap first pass of the PDF reader: for every page it finds the characters with
their boxes, counts ruled-line strokes and image area, and groups characters into text lines.
That is enough to decide what a page is (narrative, ruled table, unruled table, scan) before
any expensive table detection runs, and it gives the reader the lines printed around each
table (title, unit, year, department), which table detectors do not return.

Coordinates are PDF points in the page as displayed (rotation applied), origin bottom-left,
y growing upwards: the space camelot reports its table boxes in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from dagster_project.readers.base import ReaderError

_TEXT, _PATH, _IMAGE = 1, 2, 3  # FPDF_PAGEOBJ_TEXT, _PATH, _IMAGE
_RULE_THICKNESS = 2.5  # pt: a stroke thinner than this and long is a ruled line
_RULE_LENGTH = 8.0


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


class Line:
    """Characters sharing a baseline band, left to right (never changed once made)."""

    __slots__ = ("chars", "ink", "x0", "x1", "y0", "y1", "size", "cache")

    def __init__(self, chars: list[Char]) -> None:
        self.chars = chars
        self.ink = [c for c in chars if c.text.strip()]
        self.x0 = min(c.x0 for c in chars)
        self.x1 = max(c.x1 for c in chars)
        self.y0 = min(c.y0 for c in chars)
        self.y1 = max(c.y1 for c in chars)
        # typical glyph height: the font size, near enough
        self.size = median(c.height for c in self.ink) if self.ink else 0.0
        self.cache: dict = {}  # derived views of the line (segments at a gap), computed once

    def text(self, gap: float | None = None) -> str:
        """The line's text; a horizontal gap wider than `gap` (default: one glyph height)
        between two characters reads as a space even where the PDF has no space glyph."""
        limit = gap if gap is not None else max(self.size, 1.0)
        out: list[str] = []
        previous: Char | None = None
        for char in self.chars:
            if previous is not None and char.x0 - previous.x1 > limit and out and out[-1] != " " \
                    and char.text != " ":
                out.append(" ")
            out.append(char.text)
            previous = char
        return " ".join("".join(out).split())


    def parts(self) -> list[str]:
        """The line's text, cut where a gap of two glyph heights or more separates two
        things printed on one line ('部门：某某厅        单位：万元' is two captions)."""
        wide = 2 * max(self.size, 1.0)
        out: list[list[Char]] = [[]]
        previous: Char | None = None
        for char in self.chars:
            if not char.text.strip():
                continue
            if previous is not None and char.x0 - previous.x1 >= wide:
                out.append([])
            out[-1].append(char)
            previous = char
        return [Line(chars).text() for chars in out if chars]


@dataclass
class PageLayer:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    h_rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # thin strokes
    v_rules: list[tuple[float, float, float, float]] = field(default_factory=list)
    grid_paths: int = 0  # path objects holding many segments over a large area (a whole grid)
    image_area: float = 0.0  # share of the page covered by images
    lost_text: list[tuple[float, float]] = field(default_factory=list)  # where PDFium lost text
    _lines: tuple[list[Char], list[Line]] | None = field(default=None, repr=False)

    @property
    def has_text(self) -> bool:
        return any(c.text.strip() for c in self.chars)

    @property
    def ruled(self) -> bool:
        """Strokes that could be a table's rules (or an image that could hold them)."""
        return (len(self.h_rules) >= 2 and len(self.v_rules) >= 2) or self.grid_paths > 0 or (
            self.image_area > 0.3 and self.has_text
        )

    @property
    def scanned(self) -> bool:
        """No text layer but an image: a scan (or a picture of text) that needs OCR."""
        return not self.has_text and self.image_area > 0.1

    def lines(self) -> list[Line]:
        if self._lines is None or self._lines[0] is not self.chars:
            self._lines = (self.chars, group_lines(self.chars))
        return self._lines[1]


def _displayed(rotation: int, width: float, height: float, box: tuple[float, float, float, float]):
    """Page-space box -> box in the page as displayed (PDF /Rotate applied), y up."""
    left, bottom, right, top = box
    if rotation == 90:
        return bottom, width - right, top, width - left
    if rotation == 180:
        return width - right, height - top, width - left, height - bottom
    if rotation == 270:
        return height - top, left, height - bottom, right
    return left, bottom, right, top


_COPY_PERMISSION = 0x10  # PDF permission bit 5: copy or otherwise extract text


def open_pdf(data: bytes):
    """The pypdfium2 document, or a ReaderError naming why the bytes are not a readable PDF.

    An encrypted PDF that opens without a password is read unless its permissions forbid
    extracting text, which camelot (and so this reader) honours: the document is reported
    instead of read against the publisher's stated permissions."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ReaderError("encrypted PDF: a password is needed to open it") from None
        raise ReaderError(f"corrupt PDF: {message}") from None
    if raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1 and not (
        raw.FPDF_GetDocPermissions(pdf.raw) & _COPY_PERMISSION
    ):
        pdf.close()
        raise ReaderError("encrypted PDF: its permissions forbid extracting text")
    if len(pdf) == 0:
        pdf.close()
        raise ReaderError("corrupt PDF: no pages could be read")
    return pdf


def read_page(pdf, index: int) -> PageLayer:
    """Characters, rules and images of one page (0-based index).

    PDFium drops strings of one glyph in fonts it cannot load (non-embedded CID fonts such
    as STSong-Light, common in system-generated Chinese PDFs): their text object has no
    width and no text. Where such objects are is kept in `lost_text`; the reader takes the
    page's characters from pdfplumber (`plumber_chars`) when it needs them.
    """
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        rotation = page.get_rotation() % 360
        left, bottom, right, top = page.get_mediabox()
        width, height = right - left, top - bottom
        shown_w, shown_h = (height, width) if rotation in (90, 270) else (width, height)
        layer = PageLayer(number=index + 1, width=shown_w, height=shown_h)
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            text = textpage.get_text_range() if count else ""
            aligned = len(text) == count
            for i in range(count):
                ch = text[i] if aligned else textpage.get_text_range(i, 1)
                if ch in "\r\n" or not ch:
                    continue
                box = textpage.get_charbox(i, loose=True)
                x0, y0, x1, y1 = _displayed(rotation, width, height,
                                            (box[0] - left, box[1] - bottom, box[2] - left, box[3] - bottom))
                if ch == " " and x1 - x0 < 0.01:
                    continue  # a space PDFium generated at a line end, not printed
                layer.chars.append(Char(ch, x0, y0, x1, y1))
        finally:
            textpage.close()
        page_area = max(width * height, 1.0)
        for obj in page.get_objects(max_depth=3):
            if obj.type not in (_TEXT, _PATH, _IMAGE):
                continue
            a, b, c, d = obj.get_bounds()
            x0, y0, x1, y1 = _displayed(rotation, width, height, (a - left, b - bottom, c - left, d - bottom))
            w, h = x1 - x0, y1 - y0
            if obj.type == _TEXT:
                if c - a < 0.01:
                    layer.lost_text.append((x0, y0))
            elif obj.type == _PATH:
                if h <= _RULE_THICKNESS and w >= _RULE_LENGTH:
                    layer.h_rules.append((x0, y0, x1, y1))
                elif w <= _RULE_THICKNESS and h >= _RULE_LENGTH:
                    layer.v_rules.append((x0, y0, x1, y1))
                elif w * h > page_area * 0.02 and raw.FPDFPath_CountSegments(obj.raw) >= 8:
                    layer.grid_paths += 1
            else:
                layer.image_area += max(0.0, w * h) / page_area
        return layer
    finally:
        page.close()


def plumber_chars(data: bytes, numbers: list[int]) -> dict[int, list[Char]]:
    """Characters of the given pages (1-based) through pdfplumber (pdfminer): slower than
    PDFium, but it decodes every string of a predefined-CMap font."""
    import io

    import pdfplumber

    out: dict[int, list[Char]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in numbers:
            page = pdf.pages[number - 1]
            out[number] = [Char(c["text"], c["x0"], c["y0"], c["x1"], c["y1"]) for c in page.chars if c["text"]]
            page.close()
    return out


def group_lines(chars: list[Char]) -> list[Line]:
    """Characters into lines, top to bottom: a character joins the line whose vertical band
    it shares for most of its height (so a centred cell and a wrapped label stay apart)."""
    ordered = sorted((c for c in chars), key=lambda c: (-(c.y0 + c.y1) / 2, c.x0))
    lines: list[tuple[float, float, list[Char]]] = []  # (y0, y1, chars) of open lines
    for char in ordered:
        height = max(char.height, 0.1)
        placed = False
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            y0, y1, members = lines[i]
            overlap = min(y1, char.y1) - max(y0, char.y0)
            if overlap >= 0.6 * min(height, y1 - y0):
                members.append(char)
                lines[i] = (min(y0, char.y0), max(y1, char.y1), members)
                placed = True
                break
        if not placed:
            lines.append((char.y0, char.y1, [char]))
    out = [Line(sorted(members, key=lambda c: c.x0)) for _, _, members in lines]
    out = [line for line in out if line.ink]
    out.sort(key=lambda line: -line.y1)
    return out


_PAGE_NUMBER = re.compile(r"^[-—–\s]*\d+[-—–\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$")


def is_page_furniture(text: str) -> bool:
    """Page numbers ('- 3 -', '第3页', '3/12'): printed on every page, part of no table."""
    return bool(_PAGE_NUMBER.match(text.strip()))
