"""The text layer and drawing of each PDF page, read with pypdfium2 (PDFium, compiled C).

This is the cheap first pass of the PDF reader: for every page it finds the characters with
their boxes, counts ruled-line strokes and image area, and groups characters into text lines.
That is enough to decide what a page is (narrative, ruled table, unruled table, scan) before
any expensive table detection runs, and it gives the reader the lines printed around each
table (title, unit, year, department), which table detectors do not return.

Coordinates are PDF points in the page as displayed (rotation applied), origin bottom-left,
y growing upwards: the space camelot reports its table boxes in.

What is read must not depend on the fonts a machine has. PDFium draws a font the PDF does
not embed (STSong-Light, SimSun, ... common in Chinese reports) with a substitute from the
machine's fonts, so glyph outlines, PDFium's own character boxes (which include them) and the
columns found between the characters would differ between a machine with CJK fonts installed
and one without. So a character's box comes from the PDF's own metrics, never from an
outline (`_Metrics`), and PDFium is kept from the machine's fonts (`hide_system_fonts`).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from statistics import median
from types import SimpleNamespace

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


_fonts_lock = threading.Lock()
_fonts_hidden = False


def hide_system_fonts() -> None:
    """Make PDFium blind to the fonts installed on the machine, for this process: a font the
    PDF does not embed is drawn with PDFium's built-in fonts everywhere, never with a system
    font that one machine has and another lacks.

    Boxes come from the PDF's metrics either way (`_Metrics`), but which characters PDFium
    decodes at all still depends on the substitute: a string of one glyph in a non-embedded
    CID font whose substitute has no outline for it is dropped (`lost_text`; recovered through
    pdfplumber where a table needs it), with a system CJK font it is kept. Without this the
    same PDF would give a machine with CJK fonts other characters than one without.

    PDFium keeps a substitute it has once found, so this must run before any document is
    opened in the process: it runs when this module is imported (the readers' registry
    imports it), and `open_pdf` makes sure of it again."""
    global _fonts_hidden
    if _fonts_hidden:
        return
    with _fonts_lock:
        if _fonts_hidden:
            return
        import pypdfium2 as pdfium

        class _NoSystemFonts(pdfium.PdfSysfontBase):
            """FPDF_SYSFONTINFO that finds no font: PDFium falls back to its own."""

            def EnumFonts(self, _, mapper):  # noqa: N802 - PDFium's callback names
                return None

            def MapFont(self, _, weight, italic, charset, pitch_family, face, exact):  # noqa: N802
                return None

            def GetFont(self, _, face):  # noqa: N802
                return None

        _NoSystemFonts().setup()
        _fonts_hidden = True


hide_system_fonts()  # before any PDFium document of this process: see the docstring

_COPY_PERMISSION = 0x10  # PDF permission bit 5: copy or otherwise extract text


def open_pdf(data: bytes):
    """The pypdfium2 document, or a ReaderError naming why the bytes are not a readable PDF.

    An encrypted PDF that opens without a password is read unless its permissions forbid
    extracting text, which camelot (and so this reader) honours: the document is reported
    instead of read against the publisher's stated permissions."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    hide_system_fonts()
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


# The vertical extent of every character, in em below and above its baseline: the CJK
# ideographic em box (OpenType's default for it, and what SimSun and most Chinese fonts
# declare, near enough). The same for every font, so characters of one size printed on one
# baseline get one band whatever fonts they are printed in.
_ASCENT, _DESCENT = 0.88, -0.12


@cache
def _char_calls() -> SimpleNamespace:
    """The PDFium calls made per character, through prototypes of our own that take and give
    handles as plain integers: cheaper than pypdfium2's (whose bindings stay as they are)."""
    import ctypes

    import pypdfium2.raw as raw

    handle, number = ctypes.c_void_p, ctypes.c_int

    def call(name: str, restype, *argtypes):
        address = ctypes.cast(getattr(raw, name), ctypes.c_void_p).value
        return ctypes.CFUNCTYPE(restype, *argtypes)(address)

    double, real = ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_float)
    return SimpleNamespace(
        is_generated=call("FPDFText_IsGenerated", number, handle, number),
        text_object=call("FPDFText_GetTextObject", handle, handle, number),
        origin=call("FPDFText_GetCharOrigin", number, handle, number, double, double),
        font=call("FPDFTextObj_GetFont", handle, handle),
        font_size=call("FPDFText_GetFontSize", ctypes.c_double, handle, number),
        matrix=call("FPDFText_GetMatrix", number, handle, number, ctypes.POINTER(raw.FS_MATRIX)),
        glyph_width=call("FPDFFont_GetGlyphWidth", number, handle, ctypes.c_uint32, ctypes.c_float,
                         real),
        as_handle=lambda pointer: ctypes.cast(pointer, handle).value,
        new=lambda: (ctypes.c_double(), ctypes.c_double(), ctypes.c_float(), raw.FS_MATRIX()),
        byref=ctypes.byref,
    )


class _Metrics:
    """Character boxes of one text page from the PDF's metrics: the character's origin, and
    the advance width its font declares for it (/W or /Widths) times the font size along the
    baseline, the fixed em box above across it, both through the character's matrix (text
    matrix and CTM). PDFium's loose box is the union of that box and the glyph's outline, its
    tight box the outline alone: neither is used for a character of the content stream."""

    def __init__(self, textpage) -> None:
        self.c = _char_calls()
        self.page = self.c.as_handle(textpage.raw)
        self.x, self.y, self.width, self.matrix = self.c.new()
        self.refs = tuple(self.c.byref(v) for v in (self.x, self.y, self.width, self.matrix))
        self.objects: dict[int, tuple] = {}  # text object -> (font, size, matrix a, b, c, d)
        self.widths: dict[tuple[int, str], float] = {}  # (font, char) -> advance per unit of size

    def advance(self, font: int, ch: str) -> float:
        """Advance width of `ch` per unit of font size, as the font declares it (PDFium maps
        the character back to its code and reads the font's /W or /Widths entry)."""
        key = (font, ch)
        width = self.widths.get(key)
        if width is None:
            ok = len(ch) == 1 and self.c.glyph_width(font, ord(ch), 1.0, self.refs[2])
            width = self.width.value if ok else 0.0
            if not width > 0 and ch.strip():  # no width declared for a printed character
                width = 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5
            self.widths[key] = width
        return width

    def box(self, index: int, ch: str) -> tuple[float, float, float, float] | None:
        """(left, bottom, right, top) in page space; None for a character PDFium generated
        (a space or line break it inserted between words), which has no font."""
        c, page = self.c, self.page
        if c.is_generated(page, index) == 1:
            return None
        obj = c.text_object(page, index)
        if not obj or not c.origin(page, index, self.refs[0], self.refs[1]):
            return None
        known = self.objects.get(obj)
        if known is None:  # font, size and matrix are the text object's
            font = c.font(obj)
            if not font or not c.matrix(page, index, self.refs[3]):
                return None
            m = self.matrix
            known = self.objects[obj] = (font, c.font_size(page, index), m.a, m.b, m.c, m.d)
        font, size, a, b, c_, d = known
        ox, oy = self.x.value, self.y.value
        u = self.advance(font, ch) * size
        low, high = _DESCENT * size, _ASCENT * size
        xs = (ox + low * c_, ox + high * c_, ox + u * a + low * c_, ox + u * a + high * c_)
        ys = (oy + low * d, oy + high * d, oy + u * b + low * d, oy + u * b + high * d)
        return min(xs), min(ys), max(xs), max(ys)


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
            metrics = _Metrics(textpage)
            for i in range(count):
                ch = text[i] if aligned else textpage.get_text_range(i, 1)
                if ch in "\r\n" or not ch:
                    continue
                box = metrics.box(i, ch) or textpage.get_charbox(i, loose=True)
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
