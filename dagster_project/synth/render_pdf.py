"""Blocks of a report printed as PDF, the way publishers print budget tables.

Two styles: `lattice` draws every cell border (ruled grids, as most 部门预算 PDFs do) and
`stream` draws none (columns aligned by whitespace only). Both use reportlab's built-in CID
font STSong-Light, so Chinese text lands in the text layer without embedding a font file;
long cell text wraps inside its cell, tables break across pages (every other table repeats
its header rows on the next page, the others do not), and each page carries a page number,
which a reader must recognise as page furniture.

The renderer knows nothing about budgets beyond what a typesetter would: cells that print a
number are right-aligned and never wrapped, so that a number is one run of text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from typing import Literal
from xml.sax.saxutils import escape

from dagster_project.parsing.cells import looks_numeric
from dagster_project.synth.blocks import Block, Grid, PageBreak, Paragraph

Style = Literal["lattice", "stream"]
STYLES: tuple[Style, ...] = ("lattice", "stream")
FONT = "STSong-Light"
_MAX_TEXT_COLUMN = 150.0  # pt: longer labels wrap inside their cell
_MIN_TEXT_COLUMN = 30.0
_PAD = 3.0
_STREAM_PAD = 6.0  # unruled columns are set further apart, as publishers do


@cache
def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass
class RenderStats:
    """What the renderer did, so tests can check the corpus exercises what it claims to."""

    pages: int = 0
    tables: int = 0
    split_tables: list[tuple[int, bool]] = field(default_factory=list)  # (table, header repeated)
    wrapped_cells: int = 0


def _is_amount(text: str) -> bool:
    """Amounts are set right-aligned; codes and other digit strings read as text."""
    return looks_numeric(text) and ("." in text or "," in text)


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, FONT, size)


def _column_widths(grid: Grid, size: float, available: float, pad: float) -> list[float] | None:
    """Widths that keep every number on one line and wrap long text; None when even the
    narrowest layout does not fit (the caller then tries a smaller font)."""
    n = grid.n_cols
    natural = [0.0] * n
    floor = [0.0] * n
    for row in grid.rows:
        for c, cell in enumerate(row):
            w = _width(cell, size) + 2 * pad + 1
            natural[c] = max(natural[c], w)
            if looks_numeric(cell) or len(cell) <= 4:
                floor[c] = max(floor[c], w)
    widths = []
    for c in range(n):
        low = max(floor[c], min(natural[c], _MIN_TEXT_COLUMN), 2 * pad + size)
        widths.append(max(low, min(natural[c], _MAX_TEXT_COLUMN)))
    total = sum(widths)
    if total <= available:
        return widths
    low = [max(floor[c], min(natural[c], _MIN_TEXT_COLUMN), 2 * pad + size) for c in range(n)]
    spare = total - sum(low)
    if sum(low) > available or spare <= 0:
        return None
    shrink = (total - available) / spare
    return [lo + (w - lo) * (1 - shrink) for w, lo in zip(widths, low)]


def render_pdf(blocks: list[Block], style: Style, stats: RenderStats | None = None) -> bytes:
    """The blocks as one PDF (A4 landscape)."""
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    _register_font()
    stats = stats if stats is not None else RenderStats()
    page_w, page_h = landscape(A4)
    margin = 36.0
    available = page_w - 2 * margin
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK", spaceAfter=2)
    story: list = []
    for block in blocks:
        if isinstance(block, Paragraph):
            story.append(RLParagraph(escape(block.text), body))
        elif isinstance(block, PageBreak):
            story.append(RLPageBreak())
        elif isinstance(block, Grid) and block.rows:
            story.append(_table(block, style, available, stats, Table, TableStyle, RLParagraph,
                                ParagraphStyle, TA_RIGHT))
            stats.tables += 1

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(page_w / 2, margin / 2, f"- {doc.page} -")
        canvas.restoreState()
        stats.pages = doc.page

    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=(page_w, page_h), leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin, title="budget report",
                            invariant=1)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _table(grid: Grid, style: Style, available: float, stats: RenderStats, Table, TableStyle,
           RLParagraph, ParagraphStyle, TA_RIGHT):
    pad = _PAD if style == "lattice" else _STREAM_PAD
    size = 8.0
    widths = _column_widths(grid, size, available, pad)
    while widths is None and size > 4:
        size -= 0.5
        widths = _column_widths(grid, size, available, pad)
    widths = widths or [available / grid.n_cols] * grid.n_cols
    leading = size * 1.2
    text = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=leading, wordWrap="CJK")
    number = ParagraphStyle("num", parent=text, alignment=TA_RIGHT)
    data = []
    for row in grid.rows:
        cells = []
        for c in range(grid.n_cols):
            value = row[c] if c < len(row) else ""
            if _width(value, size) + 2 * pad > widths[c]:
                stats.wrapped_cells += 1
            cells.append(RLParagraph(escape(value), number if _is_amount(value) else text))
        data.append(cells)
    order = stats.tables
    repeat = grid.header_rows if order % 2 == 0 and 0 < grid.header_rows <= 4 and grid.header_rows * 2 < len(grid.rows) else 0
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 2 if style == "lattice" else 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 if style == "lattice" else 3),
    ]
    if style == "lattice":
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
    table = _TrackedTable(data, colWidths=widths, repeatRows=repeat, style=TableStyle(commands),
                          spaceBefore=14, spaceAfter=14)
    table._stats, table._order, table._repeated = stats, order, bool(repeat)
    return table


def _tracked_table_class():
    from reportlab.platypus import Table

    class TrackedTable(Table):
        """Records whether the table was split over pages (and with a repeated header)."""

        def split(self, availWidth, availHeight):
            parts = super().split(availWidth, availHeight)
            if len(parts) > 1:
                self._stats.split_tables.append((self._order, self._repeated))
                for part in parts:
                    part._stats, part._order, part._repeated = self._stats, self._order, self._repeated
            return parts

    return TrackedTable


def _TrackedTable(*args, **kwargs):  # noqa: N802 - a class built lazily (reportlab import)
    return _tracked_table_class()(*args, **kwargs)
