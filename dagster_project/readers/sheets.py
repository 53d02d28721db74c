"""A worksheet's cells as a flow of text lines and tables, for XLSX and XLS alike.

A sheet has no paragraphs: titles, units and notes are rows with one filled cell (often
merged across the table's width), and several tables may share one sheet. So a sheet is cut
into blocks at blank rows; in each block the leading rows with one filled cell are captions
(text lines, the context of the table below them) and the rest, from the first row with two
or more filled cells on, is one table. A lone cell counts as a caption only where captions
are put: merged across columns, in the table's first column (or left of it), or at its right
edge (where the unit line goes); a lone cell in between is a table row with blank cells (a
continued table starting with a group label). A block without a row of two or more filled cells is text only. A
sheet whose first table has nothing above it lends it the sheet's name as a caption, unless
the name is a default one (Sheet1, 工作表1).

A table's grid is built from the cells the sheet holds, never from its bounding box: a run of
columns with nothing in any of the table's rows (no text, no formatting) is one blank column,
however wide, so a stray cell in the last column (XFD, column 16,384) costs two columns, not
sixteen thousand; a grid over MAX_TABLE_CELLS even so is refused before it is built.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping

from dagster_project.readers.base import check_table_cells
from dagster_project.readers.flow import FlowItem, GridItem, TextLine

_DEFAULT_SHEET_NAME = re.compile(r"^(sheet|工作表|表单)\s*\d*$", re.IGNORECASE)


def sheet_flow(
    cells: Mapping[tuple[int, int], str],
    sheet_name: str,
    sheet_number: int,
    layout: str,
    wide: Collection[tuple[int, int]] = (),
    formatted: Collection[tuple[int, int]] = (),
) -> Iterator[FlowItem]:
    """Flow items of one sheet; `cells` maps (row, column), both 1-based, to non-empty text;
    `wide` holds the top-left cells of ranges merged across two or more columns, `formatted`
    the empty cells that carry formatting."""
    by_row: dict[int, dict[int, str]] = {}
    for (row, col), text in cells.items():
        if text:
            by_row.setdefault(row, {})[col] = text
    blocks: list[list[int]] = []
    for row in sorted(by_row):
        if blocks and blocks[-1][-1] == row - 1:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    captions_seen = False
    for block in blocks:
        start = next((i for i, r in enumerate(block) if len(by_row[r]) >= 2), len(block))
        if start < len(block):
            left = min(c for r in block[start:] for c in by_row[r])
            right = max(c for r in block[start:] for c in by_row[r])
            for i, r in enumerate(block[:start]):
                (col,) = by_row[r]
                if (r, col) not in wide and left < col < right:
                    start = i  # a table row with one filled cell, not a caption
                    break
        for r in block[:start]:
            yield TextLine(" ".join(by_row[r][c] for c in sorted(by_row[r])))
            captions_seen = True
        grid_rows = block[start:]
        if not grid_rows:
            continue
        if not captions_seen and not _DEFAULT_SHEET_NAME.match(sheet_name.strip()):
            yield TextLine(sheet_name)
        captions_seen = True
        in_grid = set(grid_rows)
        columns = _grid_columns({c for r in grid_rows for c in by_row[r]} | {c for r, c in formatted if r in in_grid})
        check_table_cells(len(grid_rows), len(columns), f"a table of sheet '{sheet_name}'")
        rows = [[by_row[r].get(c, "") for c in columns] for r in grid_rows]
        yield GridItem(rows=rows, layout=layout, page=sheet_number, row_lines=list(grid_rows))


def _grid_columns(used: set[int]) -> list[int]:
    """The grid's columns, left to right: the columns in use, and one blank column (0, which
    no cell has) for each run of unused columns between them."""
    out: list[int] = []
    for col in sorted(used):
        if out and col - out[-1] > 1:
            out.append(0)
        out.append(col)
    return out
