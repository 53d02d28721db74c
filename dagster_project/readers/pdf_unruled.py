"""Tables without rules: columns from the white gutters between aligned text, rows from lines.

camelot's stream and network parsers find unruled tables from text edges, but on budget
tables they merge a right-aligned amount with the label starting just after it
('16,390.41 一、一般公共服务支出'), split a wrapped label into rows of its own and take
narrative paragraphs for tables. This module works on the characters PDFium already gave
the reader, in four steps that only look at geometry:

1. blocks: consecutive lines of one font size, close together, where several lines are
   split into segments by wide gaps and at least one segment is a number (or at least two
   lines hold three segments or more: an empty table, header only);
2. columns: the x-ranges no character covers in any line of the block (gutters); a header
   segment that covers a gutter the numeric lines agree on spans columns and is ignored
   when gutters are computed (it lands in the first column it covers);
3. rows: a line joins the row above when it overlaps its band (a cell centred beside a
   wrapped label) or follows it at the spacing of wrapped lines, which padded rows make
   narrower than the spacing of rows, unless both print a number in the same column
   (numbers do not wrap; a cell's text may wrap onto a line with a number);
4. cells: the characters of each row and column, one text line per printed line.

A table broken over a page is read with the columns of both parts together (the caller
passes both blocks), so both parts have the same columns and can be stitched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster_project.readers.pdf_layer import Char, Line
from dagster_project.text.patterns import AMOUNT

_NUMBER = re.compile(rf"^[(（]?[-+]?{AMOUNT}[)）]?%?$")  # an amount or a percentage, maybe bracketed
_SIZE_TOLERANCE = 0.15  # lines within 15% of the block's glyph height belong to it
_LINE_GAP = 2.5  # × glyph height: a wider vertical gap ends a block


def gutter_width(size: float) -> float:
    """Narrowest gap between two cells: wider than a space, narrower than any column gap."""
    return max(2.5, 0.5 * size)


class Segment:
    """A run of characters of one line with no gap wider than the gutter width."""

    __slots__ = ("chars", "x0", "x1", "_text")

    def __init__(self, chars: list[Char]) -> None:
        self.chars = chars
        self.x0 = chars[0].x0
        self.x1 = max(c.x1 for c in chars)
        self._text: str | None = None

    def add(self, char: Char) -> None:
        self.chars.append(char)
        self.x1 = max(self.x1, char.x1)
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = Line(self.chars).text()
        return self._text

    @property
    def numeric(self) -> bool:
        return bool(_NUMBER.match(self.text.replace(" ", "")))


def segments(line: Line, gap: float) -> list[Segment]:
    cached = line.cache.get(("segments", gap))
    if cached is not None:
        return cached
    out: list[Segment] = []
    line.cache[("segments", gap)] = out
    for char in line.ink:
        if out and char.x0 - out[-1].x1 < gap:
            out[-1].add(char)
        else:
            out.append(Segment([char]))
    return out


@dataclass
class Block:
    lines: list[Line]
    size: float
    weak: bool = False  # a row or two of numbers in columns: a table only if it continues one

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)

    @property
    def x1(self) -> float:
        return max(line.x1 for line in self.lines)

    @property
    def y0(self) -> float:
        return min(line.y0 for line in self.lines)

    @property
    def y1(self) -> float:
        return max(line.y1 for line in self.lines)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.x0, self.y0, self.x1, self.y1


def _is_data_line(line: Line, gap: float) -> bool:
    parts = segments(line, gap)
    return len(parts) >= 2 and any(p.numeric for p in parts)


def is_table(lines: list[Line], size: float) -> bool:
    """Numbers in columns, or a header without data (see module doc, step 1)."""
    gap = gutter_width(size)
    counts = [len(segments(line, gap)) for line in lines]
    split = sum(1 for n in counts if n >= 2)
    data = any(_is_data_line(line, gap) for line in lines)
    return split >= 2 and data or sum(1 for n in counts if n >= 3) >= 2


def heads(header: Block, body: Block) -> bool:
    """Is `header` (a page's last lines) the column header of `body` (the next page's first
    lines)? A header cut from its rows by a page break prints no number, and each number of
    the body's first data line stands under a different one of its column names; justified
    prose split by letter spacing has neither."""
    gap = gutter_width(header.size)
    if len(header.lines) > 3 or any(_is_data_line(line, gap) for line in header.lines):
        return False
    names = [seg for line in header.lines for seg in segments(line, gap)]
    first = next((line for line in body.lines if _is_data_line(line, gap)), None)
    if first is None or len(names) < 3:
        return False
    numbers = [seg for seg in segments(first, gap) if seg.numeric]
    under = set()
    for number in numbers:
        hit = next((i for i, name in enumerate(names) if min(name.x1, number.x1) - max(name.x0, number.x0) > 0), None)
        if hit is None or hit in under:
            return False
        under.add(hit)
    return len(numbers) >= 2


def find_blocks(lines: list[Line]) -> list[Block]:
    """Runs of lines that look like one table (see module doc, step 1)."""
    runs: list[Block] = []
    for line in lines:  # top to bottom
        size = line.size
        if size <= 0:
            continue
        if runs:
            run = runs[-1]
            close = run.lines[-1].y0 - line.y1 <= _LINE_GAP * run.size
            same = abs(size - run.size) <= _SIZE_TOLERANCE * run.size
            if close and same:
                run.lines.append(line)
                continue
        runs.append(Block([line], size))
    tables = []
    for run in runs:
        gap = gutter_width(run.size)
        if is_table(run.lines, run.size):
            tables.append(_trim(run, gap))
        elif any(len(segments(line, gap)) >= 2 for line in run.lines):
            # a row or two in columns: the end of a table from the page before, or a header
            # whose rows are printed on the next page
            tables.append(Block(run.lines, run.size, weak=True))
    return tables


def _trim(block: Block, gap: float) -> Block:
    """Single-segment lines at the top of a block that span the whole block are a heading
    or a paragraph set in the table's font, not rows."""
    lines = list(block.lines)
    width = block.x1 - block.x0
    while len(lines) > 2 and len(segments(lines[0], gap)) == 1 and lines[0].x1 - lines[0].x0 > 0.8 * width:
        lines.pop(0)
    return Block(lines, block.size)


def _gutters(lines: list[Line], x0: float, x1: float, gap: float,
             skip: set[int] | None = None) -> list[tuple[float, float]]:
    """Uncovered x-intervals at least `gap` wide (ignoring segments listed in `skip`)."""
    spans = []
    for li, line in enumerate(lines):
        for si, seg in enumerate(segments(line, gap)):
            if skip and (li, si) in skip:
                continue
            spans.extend((c.x0, c.x1) for c in seg.chars)
    spans.sort()
    out = []
    edge = x0
    for a, b in spans:
        if a - edge >= gap:
            out.append((edge, a))
        edge = max(edge, b)
    return out


def column_edges(lines: list[Line], size: float) -> list[float]:
    """x positions between columns (see module doc, step 2)."""
    gap = gutter_width(size)
    x0 = min(line.x0 for line in lines)
    x1 = max(line.x1 for line in lines)
    data = [line for line in lines if _is_data_line(line, gap)]
    skip: set[tuple[int, int]] = set()
    for a, b in _supported_gutters(data, x0, x1, gap):
        for li, line in enumerate(lines):
            if line in data:
                continue
            for si, seg in enumerate(segments(line, gap)):
                if seg.x0 < a and seg.x1 > b:
                    skip.add((li, si))
    gutters = _gutters(lines, x0, x1, gap, skip)
    return [(a + b) / 2 for a, b in gutters]


def _supported_gutters(data: list[Line], x0: float, x1: float, gap: float) -> list[tuple[float, float]]:
    """Gutters of the numeric lines with text on both sides in many of those lines: a header
    segment covering one of these spans columns. (A gutter that only one line borders, such
    as the one beside a column number in a 栏次 row, says nothing about spans.)"""
    if not data:
        return []
    gutters = _gutters(data, x0, x1, gap)
    bounds = [x0] + [g for pair in gutters for g in pair] + [x1]
    columns = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    need = max(2, 0.3 * len(data))
    support = [
        sum(1 for line in data if any(lo - 0.5 <= c.cx <= hi + 0.5 for c in line.ink))
        for lo, hi in columns
    ]
    return [g for i, g in enumerate(gutters) if support[i] >= need and support[i + 1] >= need]


def _column(x: float, edges: list[float]) -> int:
    for i, edge in enumerate(edges):
        if x < edge:
            return i
    return len(edges)


def _line_cells(line: Line, edges: list[float], gap: float) -> dict[int, list[Segment]]:
    cells: dict[int, list[Segment]] = {}
    for seg in segments(line, gap):
        first = _column(seg.x0 + 0.01, edges)
        columns = {_column(c.cx, edges) for c in seg.chars}
        if len(columns) == 1:
            cells.setdefault(first, []).append(seg)
        else:  # a segment over several columns: split at the edges it crosses
            for col in sorted(columns):
                part = [c for c in seg.chars if _column(c.cx, edges) == col]
                cells.setdefault(col, []).append(Segment(part))
    return cells


def _wrap_gap(lines: list[Line], size: float) -> float:
    """The widest vertical gap that still separates two lines of one cell.

    Where rows are padded, the gaps between consecutive lines form two groups: lines of one
    wrapped cell (set at the font's leading) and rows (leading plus padding). The threshold
    lies in the widest jump between sorted gaps, if that jump is clearly wider than line
    spacing noise; in a single-spaced table there is no such jump and no line is merged."""
    gaps = sorted(a.y0 - b.y1 for a, b in zip(lines, lines[1:]) if a.y0 - b.y1 > 0)
    if len(gaps) < 2:
        return -1.0
    jump, at = max((b - a, i) for i, (a, b) in enumerate(zip(gaps, gaps[1:])))
    if jump < 0.25 * size or gaps[at] > 0.45 * size:
        return -1.0  # no jump, or the narrow gaps are too wide for lines of one cell
    return min((gaps[at] + gaps[at + 1]) / 2, 0.45 * size)


def build_grid(block_lines: list[Line], edges: list[float], size: float) -> list[list[str]]:
    """Rows of cell strings; a cell printed over several lines keeps them as '\\n'-joined
    lines for the cell cleaner (see module doc, steps 3 and 4)."""
    gap = gutter_width(size)
    width = len(edges) + 1
    wrap = _wrap_gap(block_lines, size)
    rows: list[dict] = []  # {y0, y1, cells: {col: [(line_y, text)]}, numeric: set}
    for line in block_lines:
        cells = _line_cells(line, edges, gap)
        numeric = {c for c, segs in cells.items() if any(s.numeric for s in segs)}
        row = rows[-1] if rows else None
        joins = False
        if row is not None:
            overlap = min(row["y1"], line.y1) - max(row["y0"], line.y0)
            conflict = bool(numeric & row["numeric"])  # numbers in one column: two rows
            joins = not conflict and (overlap > 0 or row["y0"] - line.y1 <= wrap)
        if not joins:
            row = {"y0": line.y0, "y1": line.y1, "cells": {}, "numeric": set()}
            rows.append(row)
        row["y0"], row["y1"] = min(row["y0"], line.y0), max(row["y1"], line.y1)
        row["numeric"] |= numeric
        for col, segs in cells.items():
            text = " ".join(s.text for s in segs)
            row["cells"].setdefault(col, []).append((line.y1, text))
    grid = []
    for row in rows:
        out = [""] * width
        for col, parts in row["cells"].items():
            parts.sort(key=lambda p: -p[0])
            out[col] = "\n".join(text for _, text in parts)
        grid.append(out)
    return grid


def alignments(lines: list[Line], size: float) -> tuple[set[int], set[int]]:
    """Where cells are aligned: left edges of text segments, right edges of numbers. (A
    number's edges say less: a column may print its numbers flush left or flush right.)"""
    gap = gutter_width(size)
    lefts, rights = set(), set()
    for line in lines:
        for seg in segments(line, gap):
            if seg.numeric:
                rights.add(round(seg.x1))
            else:
                lefts.add(round(seg.x0))
    return lefts, rights


def same_columns(a: list[Line], b: list[Line], size: float, share: float = 0.6) -> bool:
    """Two blocks set in the same columns: most (`share`) left edges of text of the block
    with fewer of them recur (within 1.5 pt) in the other; blocks of numbers only are
    compared by the right edges of their numbers."""
    (left_a, right_a), (left_b, right_b) = alignments(a, size), alignments(b, size)
    pair = (left_a, left_b) if left_a and left_b else (right_a, right_b)
    small, large = sorted(pair, key=len)
    if not small:
        return False
    hits = sum(1 for x in small if any(abs(x - y) <= 1.5 for y in large))
    return hits >= share * len(small)
