"""Blocks of a report printed as PDF, the way publishers print budget tables.

Two styles: `lattice` draws every cell border (ruled grids, as most 部门预算 PDFs do) and
`stream` draws none (columns aligned by whitespace only, set further apart). Both use
reportlab's built-in CID font STSong-Light, so Chinese text lands in the text layer without
embedding a font file. Paragraphs flow over pages between the tables (title, unit and year
lines are the report's own paragraphs above each table); long cell text wraps inside its
cell; a table taller than the rest of a page breaks over pages, every other table repeating
its header rows after the break and the others not; each page carries a page number.

The renderer knows nothing about budgets beyond what a typesetter would: a column whose
numbers are mostly written as amounts is a number column (numbers right-aligned, never
wrapped); codes and serial numbers are text (left-aligned); a word of Latin letters and
digits is never broken, so its column is at least that wide.

    python -m dagster_project.synth.render_pdf OUT_DIR [SAMPLE ...]   # both styles
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from dagster_project.parsing.cells import looks_numeric
from dagster_project.parsing.stitch import stitch
from dagster_project.readers.base import RawTable
from dagster_project.synth.blocks import Block, Grid, PageBreak, Paragraph, sample_blocks

Style = Literal["lattice", "stream"]
STYLES: tuple[Style, ...] = ("lattice", "stream")
FONT = "STSong-Light"
_PAGE = landscape(A4)
_MARGIN = 36.0
_MAX_TEXT_COLUMN = 150.0  # pt: longer text wraps inside its cell
_MIN_TEXT_COLUMN = 30.0
_PAD = {"lattice": 3.0, "stream": 6.0}  # cell padding left and right
_VPAD = {"lattice": 2.0, "stream": 3.0}  # and above and below
_UNBREAKABLE = re.compile(r"[A-Za-z0-9.,%:/()\[\]+\-_=<>≥≤*]{5,}")


@cache
def _register_font() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass
class RenderStats:
    """What the renderer did, so tests can check the corpus exercises what it claims to."""

    pages: int = 0
    tables: int = 0
    paragraphs: int = 0
    split_tables: list[tuple[int, bool]] = field(default_factory=list)  # (table, header repeated)
    wrapped_cells: int = 0


def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def _amount_columns(grid: Grid) -> set[int]:
    """Columns formatted as numbers: most numeric cells written as amounts (decimals or
    thousands separators), as spreadsheet exports print them."""
    out = set()
    for c in range(grid.n_cols):
        numbers = [r[c] for r in grid.rows if c < len(r) and looks_numeric(r[c])]
        amounts = [x for x in numbers if "." in x or "," in x]
        if amounts and len(amounts) * 2 >= len(numbers):
            out.add(c)
    return out


def _column_widths(grid: Grid, size: float, available: float, pad: float) -> list[float] | None:
    """Widths that keep numbers and unbreakable words on one line and wrap long text; None
    when even the narrowest layout is too wide (the caller then tries a smaller font)."""
    n = grid.n_cols
    natural = [0.0] * n
    floor = [0.0] * n
    for row in grid.rows:
        for c, cell in enumerate(row):
            w = _width(cell, size) + 2 * pad + 1
            natural[c] = max(natural[c], w)
            if looks_numeric(cell) or len(cell) <= 4:
                floor[c] = max(floor[c], w)
            for word in _UNBREAKABLE.findall(cell):
                floor[c] = max(floor[c], _width(word, size) + 2 * pad + 1)
    low = [max(floor[c], min(natural[c], _MIN_TEXT_COLUMN), 2 * pad + size) for c in range(n)]
    widths = [max(low[c], min(natural[c], _MAX_TEXT_COLUMN)) for c in range(n)]
    total = sum(widths)
    if total <= available:
        return widths
    spare = total - sum(low)
    if sum(low) > available or spare <= 0:
        return None
    shrink = (total - available) / spare
    return [lo + (w - lo) * (1 - shrink) for w, lo in zip(widths, low)]


def join_continued_grids(blocks: list[Block]) -> list[Block]:
    """A table the dump printed in parts (a page break in the middle of it) is one table to
    a typesetter: parts that `parsing.stitch` joins are joined here (repeated header rows
    dropped), and the PDF breaks the table wherever its own pages end."""
    out: list[Block] = []
    pending: list[Block] = []  # paragraphs and page breaks since the last grid
    for block in blocks:
        if not isinstance(block, Grid):
            pending.append(block)
            continue
        previous = out[-1] if out and isinstance(out[-1], Grid) else None
        if previous is not None and previous.n_cols == block.n_cols:
            context = tuple(b.text for b in pending if isinstance(b, Paragraph))
            joined = stitch([
                RawTable(rows=previous.rows, order=0, layout="grid"),
                RawTable(rows=block.rows, order=1, layout="grid", context=context),
            ])
            if len(joined) == 1:
                dropped = len(previous.rows) + len(block.rows) - joined[0].n_rows
                out[-1] = Grid(rows=previous.rows + block.rows[dropped:], header_rows=previous.header_rows)
                pending = []
                continue
        out.extend(pending)
        pending = []
        out.append(block)
    return out + pending


class _TrackedTable(Table):
    """A reportlab table that records whether it was split over pages, and how."""

    stats: RenderStats | None = None
    order = 0
    repeated = False

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        parts = super().split(availWidth, availHeight)
        if len(parts) > 1 and self.stats is not None:
            self.stats.split_tables.append((self.order, self.repeated))
            for part in parts:
                part.stats, part.order, part.repeated = self.stats, self.order, self.repeated
        return parts


def _table(grid: Grid, style: Style, stats: RenderStats) -> Table:
    pad = _PAD[style]
    available = _PAGE[0] - 2 * _MARGIN
    size = 8.0
    widths = _column_widths(grid, size, available, pad)
    while widths is None and size > 4:
        size -= 0.5
        widths = _column_widths(grid, size, available, pad)
    widths = widths or [available / grid.n_cols] * grid.n_cols
    text = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=size * 1.2, wordWrap="CJK")
    number = ParagraphStyle("number", parent=text, alignment=TA_RIGHT)
    right = _amount_columns(grid)
    data = []
    for row in grid.rows:
        cells = []
        for c in range(grid.n_cols):
            value = row[c] if c < len(row) else ""
            if _width(value, size) + 2 * pad > widths[c]:
                stats.wrapped_cells += 1
            cells.append(RLParagraph(escape(value), number if c in right and looks_numeric(value) else text))
        data.append(cells)
    n = len(grid.rows)
    order = stats.tables
    repeat = grid.header_rows if order % 2 == 0 and 0 < grid.header_rows <= 4 and grid.header_rows * 2 < n else 0
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), _VPAD[style]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), _VPAD[style]),
    ]
    if style == "lattice":
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
    # a page break never separates the header from the first data row (as word processors
    # keep a heading row with the next), nor leaves the header alone on a page
    split_range = (min(grid.header_rows + 1, 5, n - 1), n - 1) if n > 2 else None
    table = _TrackedTable(data, colWidths=widths, repeatRows=repeat, style=TableStyle(commands),
                          spaceBefore=14, spaceAfter=14, rowSplitRange=split_range)
    table.stats, table.order, table.repeated = stats, order, bool(repeat)
    stats.tables += 1
    return table


def render_pdf(blocks: list[Block], style: Style, stats: RenderStats | None = None) -> bytes:
    """The blocks as one PDF (A4 landscape)."""
    _register_font()
    stats = stats if stats is not None else RenderStats()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK", spaceAfter=2)
    story: list = []
    for block in join_continued_grids(blocks):
        if isinstance(block, Paragraph):
            story.append(RLParagraph(escape(block.text), body))
            stats.paragraphs += 1
        elif isinstance(block, PageBreak):
            story.append(RLPageBreak())
        elif isinstance(block, Grid) and block.rows:
            story.append(_table(block, style, stats))

    def page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(_PAGE[0] / 2, _MARGIN / 2, f"- {doc.page} -")
        canvas.restoreState()
        stats.pages = doc.page

    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=_PAGE, leftMargin=_MARGIN, rightMargin=_MARGIN,
                            topMargin=_MARGIN, bottomMargin=_MARGIN, title="budget report",
                            invariant=1)
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()


def render_sample(data: bytes, style: Style, stats: RenderStats | None = None) -> bytes:
    """A sample report (text dump bytes) printed as PDF in the given style."""
    return render_pdf(sample_blocks(data), style, stats)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m dagster_project.synth.render_pdf OUT_DIR [SAMPLE ...]", file=sys.stderr)
        return 2
    out = Path(args[0])
    samples = [Path(a) for a in args[1:]] or sorted(Path("data/raw").glob("*.txt"))
    out.mkdir(parents=True, exist_ok=True)
    for sample in samples:
        for style in STYLES:
            target = out / f"{sample.stem}.{style}.pdf"
            target.write_bytes(render_sample(sample.read_bytes(), style))
            print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
