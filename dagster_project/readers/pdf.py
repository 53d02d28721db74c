"""PDF reports: ruled tables through camelot, unruled ones from aligned text, scans reported.

A budget PDF mixes narrative pages, ruled tables, sometimes unruled tables and scanned pages.
Running a table detector on every page is slow (rendering at 300 dpi) and wrong (narrative
read as tables), so the reader first reads every page's text layer and drawing with PDFium
(`pdf_layer`, milliseconds per page) and sends each page where it belongs:

- a page with ruled strokes goes to camelot's lattice parser with the vector engine (ruled
  lines read from the PDF itself, no rendering; `split_text=True` keeps each character in the
  cell it is printed in); where the vector engine finds no grid (rules drawn as an image), or
  misses strokes the page draws inside a table (`_missed_rules`), the page is rendered and the
  raster engine tries;
- text outside ruled tables (every page) is searched for unruled tables (`pdf_unruled`);
- a page without a text layer is counted as needing OCR, never silently dropped.

Rendering is the one step whose memory grows with the page's declared size (a 5000 pt square
page is 20,833 px square at 300 dpi: 1.7 GB a copy, and the raster engine makes several), so
a page is rendered at 300 dpi only up to MAX_RASTER_PIXELS and at a lower resolution beyond
(`_BoundedRender`, noted in the document's warnings).

Cells are cleaned (`pdf_cells`), and the lines printed above each table (title, unit, year,
department) become its context, as the text reader does for text dumps. Tables broken over
pages come out as separate grids with the same columns; `parsing.stitch` joins them.
The reader is pure: bytes in, tables out; camelot spills the bytes to a temporary file of
its own, which it removes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

from dagster_project.readers.base import RawTable, ReaderError, ReadResult, check_page_count, raise_if_out_of_memory
from dagster_project.readers.pdf_cells import clean_grid
from dagster_project.readers.pdf_layer import (
    Char,
    Line,
    PageLayer,
    is_page_furniture,
    group_lines,
    open_pdf,
    plumber_chars,
    read_page,
)
from dagster_project.readers.pdf_unruled import (
    Block,
    build_grid,
    column_edges,
    find_blocks,
    heads,
    is_table,
    same_columns,
)
from dagster_project.text.cells import clean_cell

_CONTEXT_LINES = 8
_RASTER_DPI = 300  # camelot's resolution for the raster engine
# Most pixels a page is rendered at: A3 at 300 dpi is 17.4 million; a larger page is rendered
# at a lower resolution, so memory stays ~0.3 GB whatever size the page declares.
MAX_RASTER_PIXELS = 20_000_000


def raster_scale(width: float, height: float) -> float:
    """Pixels per point to render a page of width × height points: 300 dpi, or less for a page
    that would exceed MAX_RASTER_PIXELS."""
    scale = _RASTER_DPI / 72
    area = max(width, 1.0) * max(height, 1.0)
    return min(scale, math.sqrt(MAX_RASTER_PIXELS / area))


class _BoundedRender:
    """camelot's PDFium conversion backend (same pixels, BGR for OpenCV) with the page's pixel
    count capped by `raster_scale`."""

    def _render(self, pdf_path: str, page: int):
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(pdf_path)
        try:
            doc.init_forms()
            pdf_page = doc[page - 1]
            return pdf_page.render(scale=raster_scale(*pdf_page.get_size())).to_pil()
        finally:
            doc.close()

    def convert(self, pdf_path: str, png_path: str, page: int = 1) -> None:
        image = self._render(pdf_path, page)
        try:
            image.save(png_path)
        finally:
            image.close()

    def to_array(self, pdf_path: str, page: int = 1):
        import numpy as np

        image = self._render(pdf_path, page)
        try:
            rgb = np.asarray(image.convert("RGB"))
            return np.ascontiguousarray(rgb[:, :, ::-1])  # RGB -> BGR
        finally:
            image.close()


@dataclass
class _Found:
    page: int
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 (y up)
    rows: list[list[str]]
    layout: str
    cells: list[list[tuple[float, float, float, float]]] | None = None  # box of each cell
    row_edges: tuple[float, ...] = ()  # y of the rules between and around rows
    col_edges: tuple[float, ...] = ()


@dataclass
class _Page:
    layer: PageLayer
    tables: list[_Found] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)  # lines outside ruled tables
    blocks: list[Block] = field(default_factory=list)
    tail: Block | None = None  # a weak block after the page's last table: maybe a header cut from its rows


def _camelot_tables(data: bytes, pages: list[int], engine: str) -> tuple[dict[int, list[_Found]], list[str]]:
    """Ruled tables of the given pages, by page; pages camelot fails on are reported."""
    if not pages:
        return {}, []
    try:
        return _camelot_call(data, pages, engine), []
    except ReaderError:
        raise
    except Exception as exc:  # noqa: BLE001 - isolate the page that fails, keep the others
        raise_if_out_of_memory(exc)
        found: dict[int, list[_Found]] = {}
        problems = []
        for page in pages:
            try:
                found.update(_camelot_call(data, [page], engine))
            except ReaderError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise_if_out_of_memory(exc)
                problems.append(f"page {page}: ruled-table detection ({engine}) failed: {type(exc).__name__}: {exc}")
        return found, problems


def _camelot_call(data: bytes, pages: list[int], engine: str) -> dict[int, list[_Found]]:
    import camelot
    from playa.exceptions import PDFTextExtractionNotAllowed

    layout = "lattice" if engine == "vector" else f"lattice-{engine}"
    render = {} if engine == "vector" else {"backend": _BoundedRender(), "use_fallback": False}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(
                data, pages=",".join(str(p) for p in pages), flavor="lattice", engine=engine,
                split_text=True, suppress_stdout=True, **render,
            )
    except PDFTextExtractionNotAllowed:
        raise ReaderError("encrypted PDF: its permissions forbid text extraction") from None
    found: dict[int, list[_Found]] = {}
    for table in tables:
        cols, rows = table.cols, table.rows
        if not cols or not rows:
            continue
        bbox = (cols[0][0], rows[-1][1], cols[-1][1], rows[0][0])
        grid = [[str(c) for c in row] for row in table.df.values.tolist()]
        boxes = [[(c.x1, c.y1, c.x2, c.y2) for c in row] for row in table.cells]
        row_edges = tuple(sorted({y for r in rows for y in r}))
        col_edges = tuple(sorted({x for c in cols for x in c}))
        found.setdefault(int(table.page), []).append(
            _Found(int(table.page), bbox, grid, layout, boxes, row_edges, col_edges))
    return found


def _missed_rules(layer: PageLayer, tables: list[_Found], tol: float = 2.0) -> bool:
    """Did the vector engine miss rules the page draws? A stroke inside a table that is
    longer than the table's narrowest column (or shortest row) and lies on none of the
    table's row or column edges means cells were merged that the page keeps apart (seen
    where a rule is drawn as a filled sliver among other shapes). The raster engine, which
    sees the page as printed, gets another try."""
    for table in tables:
        x0, y0, x1, y1 = table.bbox
        cols, rows = table.col_edges, table.row_edges
        if len(cols) < 2 or len(rows) < 2:
            continue
        narrow = min(b - a for a, b in zip(cols, cols[1:]))
        short = min(b - a for a, b in zip(rows, rows[1:]))
        for rx0, ry0, rx1, ry1 in layer.h_rules:
            y = (ry0 + ry1) / 2
            inside = y0 + tol < y < y1 - tol and min(rx1, x1) - max(rx0, x0) > narrow
            if inside and not any(abs(y - edge) <= tol for edge in rows):
                return True
        for rx0, ry0, rx1, ry1 in layer.v_rules:
            x = (rx0 + rx1) / 2
            inside = x0 + tol < x < x1 - tol and min(ry1, y1) - max(ry0, y0) > short
            if inside and not any(abs(x - edge) <= tol for edge in cols):
                return True
    return False


def _fill_cid_cells(table: _Found, chars: list[Char]) -> None:
    """A cell camelot could only print as `(cid:NN)` glyphs (a font without a usable
    Unicode map) is read again from PDFium's characters inside the cell box: PDFium decodes
    many such fonts from the font program itself."""
    if not table.cells:
        return
    for r, row in enumerate(table.rows):
        for c, text in enumerate(row):
            if "(cid:" not in text or r >= len(table.cells) or c >= len(table.cells[r]):
                continue
            x0, y0, x1, y1 = table.cells[r][c]
            inside = [ch for ch in chars if x0 <= ch.cx <= x1 and y0 <= (ch.y0 + ch.y1) / 2 <= y1]
            again = "\n".join(line.text() for line in group_lines(inside))
            if again and "(cid:" not in again:
                row[c] = again


def _lines_outside(lines: list[Line], boxes: list[tuple[float, float, float, float]]) -> list[Line]:
    """Lines with no character inside a table box (a line half inside is split)."""
    if not boxes:
        return lines
    out = []
    for line in lines:
        keep = [c for c in line.chars if not any(
            b[0] - 1 <= c.cx <= b[2] + 1 and b[1] - 1 <= (c.y0 + c.y1) / 2 <= b[3] + 1 for b in boxes)]
        if len(keep) == len(line.chars):
            out.append(line)
        elif any(c.text.strip() for c in keep):
            out.append(Line(keep))
    return out


def _page_furniture(page: _Page) -> set[int]:
    """Page numbers: lines reading like one ('- 3 -', '第3页') at the top or bottom of the
    page, above or below everything else (a bare number inside a table is a cell)."""
    if not page.lines:
        return set()
    ordered = sorted(page.lines, key=lambda ln: -ln.y1)
    edge = [ordered[0], ordered[-1]]
    return {id(ln) for ln in edge if is_page_furniture(ln.text())}


def _furniture_only(lines: list[Line]) -> bool:
    return all(is_page_furniture(line.text()) for line in lines)


def _continues(here: _Page, block: Block, there: _Page, nxt: Block) -> bool:
    """Does `nxt` (first unruled block of a page) continue `block` (last of the page before)?
    Only page furniture between them, no ruled table either, same glyph size, overlapping
    horizontally, and compatible columns."""
    below = [ln for ln in here.lines if ln.y1 < block.y0]
    above = [ln for ln in there.lines if ln.y0 > nxt.y1]
    if any(t.bbox[3] < block.y0 for t in here.tables) or any(t.bbox[1] > nxt.y1 for t in there.tables):
        return False
    overlap = min(block.x1, nxt.x1) - max(block.x0, nxt.x0)
    narrow = min(block.x1 - block.x0, nxt.x1 - nxt.x0)
    if not (_furniture_only(below + above) and overlap >= 0.5 * narrow
            and abs(block.size - nxt.size) <= 0.15 * block.size):
        return False
    # a fragment that is no table on its own must sit exactly in the table's columns
    return same_columns(block.lines, nxt.lines, block.size, 1.0 if nxt.weak else 0.6)


def _continuations(pages: list[_Page]) -> list[tuple[list[tuple[int, Block]], bool]]:
    """Unruled blocks in reading order, grouped into chains continued over page breaks; each
    with whether it starts with a header cut from its rows at the end of the page before."""
    chains: list[tuple[list[tuple[int, Block]], bool]] = []
    for i, page in enumerate(pages):
        for j, block in enumerate(page.blocks):
            if j == 0 and i > 0:  # only a page's first block can continue the page before
                before, previous = pages[i - 1], (chains[-1][0] if chains else [])
                tail = before.tail
                if (tail is not None and _cut_header(before, page, block)
                        and not (len(previous) > 1 and any(b is tail for _, b in previous))):
                    if len(previous) == 1 and previous[0][1] is tail:
                        chains.pop()  # the header alone was its page's only block
                    chains.append(([(i - 1, tail), (i, block)], True))
                    continue
                if previous and previous[-1][0] == i - 1 and previous[-1][1] is before.blocks[-1] \
                        and _continues(before, previous[-1][1], page, block):
                    previous.append((i, block))
                    continue
            chains.append(([(i, block)], False))
    return chains


def _cut_header(before: _Page, page: _Page, first: Block) -> bool:
    """Is the weak block ending the page before the header of `first`, the page's first block
    (a table whose header a page break cut from its rows)?"""
    tail = before.tail
    return (tail is not None and heads(tail, first) and is_table(tail.lines + first.lines, tail.size)
            and _continues(before, tail, page, first))


def _unruled_tables(pages: list[_Page]) -> None:
    """Unruled tables of every page, columns shared along continuation chains."""
    for page in pages:
        furniture = _page_furniture(page)
        blocks = find_blocks([ln for ln in page.lines if id(ln) not in furniture])
        page.blocks = [b for i, b in enumerate(blocks) if i == 0 or not b.weak]
        page.tail = blocks[-1] if blocks and blocks[-1].weak else None
    for chain, cut_header in _continuations(pages):
        if chain[0][1].weak and not cut_header:
            continue  # not a continuation nor a header cut from its rows: its lines stay text
        lines = [line for _, block in chain for line in block.lines]
        edges = column_edges(lines, chain[0][1].size)
        if not edges:
            continue  # one column: justified prose with gaps around its numbers, not a table
        for index, block in chain:
            grid = build_grid(block.lines, edges, block.size)
            pages[index].tables.append(_Found(pages[index].layer.number, block.bbox, grid, "stream"))
        for index, block in chain:
            claimed = {id(line) for line in block.lines}
            pages[index].lines = [ln for ln in pages[index].lines if id(ln) not in claimed]


def _recover_lost_text(data: bytes, pages: list[_Page]) -> None:
    """Characters from pdfplumber for pages where PDFium lost text that a table needs: outside
    ruled tables (inside them camelot's own text layer is used), on a page holding an unruled
    table. Elsewhere a lost glyph would only shorten a line of prose, and many PDFs carry
    empty or blank text objects that look the same to PDFium (see `pdf_layer.read_page`)."""
    lost = []
    for page in pages:
        boxes = [t.bbox for t in page.tables]
        outside = [(x, y) for x, y in page.layer.lost_text
                   if not any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in boxes)]
        if outside and any(not block.weak and column_edges(block.lines, block.size)
                           for block in find_blocks(_lines_outside(page.layer.lines(), boxes))):
            lost.append(page.layer.number)
    if lost:
        for number, chars in plumber_chars(data, lost).items():
            pages[number - 1].layer.chars = chars


def _pad(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    width = max((len(r) for r in rows), default=0)
    return tuple(tuple(r + [""] * (width - len(r))) for r in rows)


def read_pdf(data: bytes) -> ReadResult:
    """Every table of a PDF with the text above it; narrative lines; pages needing OCR."""
    pdf = open_pdf(data)
    try:
        check_page_count(len(pdf))  # before a single page is read
    except ReaderError:
        pdf.close()
        raise
    try:
        layers = [read_page(pdf, i) for i in range(len(pdf))]
    except Exception as exc:  # noqa: BLE001 - PDFium failing mid-document: a damaged file
        raise_if_out_of_memory(exc)
        raise ReaderError(f"corrupt PDF: a page could not be read ({type(exc).__name__}: {exc})") from None
    finally:
        pdf.close()
    pages = [_Page(layer) for layer in layers]
    warnings_out: list[str] = []
    ruled = [p.layer.number for p in pages if p.layer.has_text and p.layer.ruled]
    found, problems = _camelot_tables(data, ruled, "vector")
    warnings_out += problems
    no_grid = [n for n in ruled if not found.get(n) or _missed_rules(pages[n - 1].layer, found[n])]
    if no_grid:
        for n in no_grid:
            layer = pages[n - 1].layer
            scale = raster_scale(layer.width, layer.height)
            if scale < _RASTER_DPI / 72:
                warnings_out.append(
                    f"page {n}: {layer.width:g} × {layer.height:g} pt, rendered at {scale * 72:.0f} dpi for "
                    f"ruled-table detection (at most {MAX_RASTER_PIXELS:,} pixels a page)")
        raster, problems = _camelot_tables(data, no_grid, "raster")
        warnings_out += problems
        for number, tables in raster.items():
            if not found.get(number) or not _missed_rules(pages[number - 1].layer, tables):
                found[number] = tables
    for page in pages:
        page.tables = found.get(page.layer.number, [])
    _recover_lost_text(data, pages)
    for page in pages:
        for table in page.tables:
            _fill_cid_cells(table, page.layer.chars)
        page.lines = _lines_outside(page.layer.lines(), [t.bbox for t in page.tables])
    _unruled_tables(pages)

    tables: list[RawTable] = []
    narrative: list[str] = []
    pending: list[str] = []
    for page in pages:
        items: list[tuple[float, int, object]] = [(-t.bbox[3], 0, t) for t in page.tables]
        items += [(-line.y1, 1, line) for line in page.lines]
        items.sort(key=lambda item: (item[0], item[1]))
        for _, kind, item in items:
            if kind == 1:
                for text in (clean_cell(part) for part in item.parts()):
                    if text:
                        pending.append(text)
                        narrative.append(text)
                continue
            rows = clean_grid(item.rows)
            if not any(any(c for c in r) for r in rows):
                continue
            tables.append(RawTable(
                rows=_pad(rows), order=len(tables), layout=item.layout,
                context=tuple(pending[-_CONTEXT_LINES:]), page_from=item.page, page_to=item.page,
                bbox=item.bbox,
            ))
            pending = []
    scanned = sum(1 for p in pages if p.layer.scanned)
    return ReadResult(format="pdf", tables=tables, text_lines=narrative, pages=len(pages),
                      pages_without_text=scanned, warnings=warnings_out)


class PdfReader:
    """PDF files (sniffed by their `%PDF-` header)."""

    format = "PDF"

    def sniff(self, data: bytes) -> bool:
        return data[:1024].lstrip().startswith(b"%PDF-")

    def read(self, data: bytes) -> ReadResult:
        return read_pdf(data)
