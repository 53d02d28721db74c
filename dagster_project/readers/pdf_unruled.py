"""Tables without rules: columns from the white gutters between aligned text, rows from lines.

camelot's stream and network parsers find unruled tables from text edges, but on budget
tables they merge a right-aligned amount with the label starting just after it
('16,390.41 一、一般公共服务支出'), split a wrapped label into rows of its own and take
narrative paragraphs for tables. This module works on the characters PDFium already gave
the reader, in four steps that only look at geometry:

1. blocks: consecutive lines of one font size, close together, where several lines are
   split into segments by wide gaps and at least one segment is a number;
2. columns: the x-ranges no character covers in any line of the block (gutters); a header
   segment that covers a gutter the numeric lines agree on spans columns and is ignored
   when gutters are computed (it lands in the first column it covers);
3. rows: a line joins the row above when it overlaps its band (a cell centred beside a
   wrapped label) or follows it closely and only continues cells the row already has;
4. cells: the characters of each row and column, one text line per printed line.

A table broken over a page is read with the columns of both parts together (the caller
passes both blocks), so both parts have the same columns and can be stitched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster_project.readers.pdf_layer import Char, Line

_NUMBER = re.compile(r"^[(（]?[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[)）]?%?$")
_SIZE_TOLERANCE = 0.15  # lines within 15% of the block's glyph height belong to it
_LINE_GAP = 2.5  # × glyph height: a wider vertical gap ends a block
_WRAP_GAP = 0.35  # × glyph height: a closer line may continue the cells of the row above


def gutter_width(size: float) -> float:
    """Narrowest gap between two cells: wider than a space, narrower than any column gap."""
    return max(2.5, 0.5 * size)


@dataclass
class Segment:
    chars: list[Char]

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.chars)

    @property
    def text(self) -> str:
        return Line(self.chars).text()

    @property
    def numeric(self) -> bool:
        return bool(_NUMBER.match(self.text.replace(" ", "")))


def segments(line: Line, gap: float) -> list[Segment]:
    out: list[Segment] = []
    ink = line.ink
    for char in ink:
        if out and char.x0 - out[-1].x1 < gap:
            out[-1].chars.append(char)
        else:
            out.append(Segment([char]))
    return out


@dataclass
class Block:
    lines: list[Line]
    size: float

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
        split = [line for line in run.lines if len(segments(line, gap)) >= 2]
        data = [line for line in split if _is_data_line(line, gap)]
        if len(split) >= 2 and data:
            tables.append(_trim(run, gap))
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
    data_gutters = _gutters(data, x0, x1, gap) if data else []
    skip: set[tuple[int, int]] = set()
    for li, line in enumerate(lines):
        if line in data:
            continue
        for si, seg in enumerate(segments(line, gap)):
            if any(seg.x0 < a and seg.x1 > b for a, b in data_gutters):
                skip.add((li, si))
    gutters = _gutters(lines, x0, x1, gap, skip)
    return [(a + b) / 2 for a, b in gutters]


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


def build_grid(block_lines: list[Line], edges: list[float], size: float) -> list[list[str]]:
    """Rows of cell strings; a cell printed over several lines keeps them as '\\n'-joined
    lines for the cell cleaner (see module doc, steps 3 and 4)."""
    gap = gutter_width(size)
    width = len(edges) + 1
    rows: list[dict] = []  # {y0, y1, cells: {col: [(line_y, text)]}, numeric: set}
    for line in block_lines:
        cells = _line_cells(line, edges, gap)
        numeric = {c for c, segs in cells.items() if any(s.numeric for s in segs)}
        row = rows[-1] if rows else None
        joins = False
        if row is not None:
            overlap = min(row["y1"], line.y1) - max(row["y0"], line.y0)
            close = row["y0"] - line.y1 < _WRAP_GAP * size
            conflict = any(
                c in row["cells"] and (c in numeric or c in row["numeric"]) for c in cells
            )
            continues = all(c in row["cells"] for c in cells if c not in numeric)
            joins = overlap > 0 and not conflict or close and not conflict and continues and not numeric
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
