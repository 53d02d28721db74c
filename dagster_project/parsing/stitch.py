"""Tables broken by a page break become one table again.

A continuation is recognisable without page numbers: it follows the previous table with no
title of its own in between, has the same number of columns, and either repeats the
header rows (dropped here) or starts straight with data. Some publishers print the title and
captions again on every page: a grid under the same title and captions that repeats the first
header row continues the table too. Conversely a grid holding a second titled table is cut in
two before stitching.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dagster_project.parsing.classify import classify, is_table_title, pick_title
from dagster_project.parsing.vocabulary import unit_in
from dagster_project.readers.base import RawTable
from dagster_project.text.cells import fold

_FURNITURE = re.compile(r"^(-?\s*\d+\s*-?|第\d+页(共\d+页)?|\d+/\d+|续表\d*|（?续）?)$")


def _only_furniture(context: tuple[str, ...]) -> bool:
    return all(_FURNITURE.match(fold(line)) for line in context if fold(line))


def _norm(row: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(c) for c in row)


def _title_row(row: tuple[str, ...]) -> bool:
    cells = [c for c in row if c and c.strip()]
    return len(cells) == 1 and is_table_title(cells[0])


def _opens_with_title(table: RawTable) -> bool:
    """The grid's first filled row is a table title of its own (预算07表 …)."""
    first = next((row for row in table.rows if any(c.strip() for c in row)), None)
    return first is not None and _title_row(first)


def split_at_titles(table: RawTable) -> list[RawTable]:
    """A reader may run consecutive tables of one width into one grid (a short 空表 printed
    under the table before it): a row holding nothing but a table title (预算07表 …) below
    rows with content starts a table of its own."""
    def grid_row(row: tuple[str, ...]) -> bool:
        return sum(1 for c in row if c.strip()) >= 2

    cuts = []
    seen_content = False
    for i, row in enumerate(table.rows):
        if _title_row(row) and seen_content:
            # a title heads a grid: some row of two or more cells follows before the next title
            following = next((r for r in table.rows[i + 1:] if grid_row(r) or _title_row(r)), None)
            if following is not None and grid_row(following):
                cuts.append(i)
                seen_content = False
        elif grid_row(row):
            seen_content = True
    if not cuts:
        return [table]
    pieces = []
    for start, end in zip([0, *cuts], [*cuts, table.n_rows]):
        part = replace(
            table,
            rows=table.rows[start:end],
            row_lines=table.row_lines[start:end],
            cell_lines=table.cell_lines[start:end],
            context=table.context if start == 0 else (),
        )
        if end < table.n_rows:
            part = replace(part, last_line=next(
                (ln for ln in reversed(part.row_lines) if ln is not None), None))
        pieces.append(part)
    return pieces


def is_continuation(previous: RawTable, table: RawTable) -> bool:
    if table.n_cols != previous.n_cols or previous.n_rows == 0:
        return False
    if _opens_with_title(table):
        return False
    if _repeats_heading(previous, table):
        return True
    if pick_title(table.context) or any(unit_in(line) for line in table.context):
        return False
    return _only_furniture(table.context)


def _heading(context: tuple[str, ...]) -> tuple[str, ...]:
    """The title line and the captions under it (部门名称：…, 单位：万元), page furniture left out."""
    title = pick_title(context)
    if not title:
        return ()
    start = max(i for i, line in enumerate(context) if line.strip() == title)
    return tuple(fold(line) for line in context[start:] if fold(line) and not _FURNITURE.match(fold(line)))


def _repeats_heading(previous: RawTable, table: RawTable) -> bool:
    """Some publishers print a table's title, captions and header again on every page: the
    grid is the same table continued when its title and captions are those of the grid
    before and it opens with that grid's first header row. Performance forms are excluded:
    each project's form carries the same title and header."""
    heading = _heading(table.context)
    if not heading or heading != _heading(previous.context) or not table.rows:
        return False
    if classify(pick_title(table.context), "").kind == "performance_target":
        return False
    return _norm(table.rows[0]) == _norm(previous.rows[0]) and any(table.rows[0])


def _drop_repeated_header(previous: RawTable, table: RawTable) -> tuple[int, ...]:
    """Indices of `table`'s leading rows that repeat rows at the top of `previous`."""
    head = {_norm(r) for r in previous.rows[:6]}
    drop = []
    for i, row in enumerate(table.rows[:6]):
        if _norm(row) in head and any(row):
            drop.append(i)
        else:
            break
    return tuple(drop)


def drop_empty_columns(table: RawTable) -> RawTable:
    """Columns blank in every row are layout artefacts (trailing tabs, empty pipes)."""
    width = table.n_cols
    keep = [c for c in range(width) if any(c < len(r) and r[c] for r in table.rows)]
    if len(keep) == width and all(len(r) == width for r in table.rows):
        return table  # nothing to drop (most grids): no copy
    rows = tuple(tuple(r[c] if c < len(r) else "" for c in keep) for r in table.rows)
    cell_lines = tuple(tuple(ln[c] if c < len(ln) else None for c in keep) for ln in table.cell_lines)
    return replace(table, rows=rows, cell_lines=cell_lines)


def stitch(tables: list[RawTable]) -> list[RawTable]:
    """Merge continuations into the table they continue; renumber `order`; then drop the
    columns that are blank throughout (only after stitching, so both parts keep one width)."""
    return [drop_empty_columns(t) for t in _stitch([p for t in tables for p in split_at_titles(t)])]


def _stitch(tables: list[RawTable]) -> list[RawTable]:
    out: list[RawTable] = []
    for table in tables:
        if out and is_continuation(out[-1], table):
            prev = out[-1]
            drop = set(_drop_repeated_header(prev, table))
            rows = [r for i, r in enumerate(table.rows) if i not in drop]
            lines = [ln for i, ln in enumerate(table.row_lines) if i not in drop]
            cells = [ln for i, ln in enumerate(table.cell_lines) if i not in drop]
            out[-1] = replace(
                prev,
                rows=prev.rows + tuple(rows),
                row_lines=prev.row_lines + tuple(lines),
                cell_lines=prev.cell_lines + tuple(cells),
                last_line=table.last_line or prev.last_line,
                page_to=table.page_to if table.page_to is not None else prev.page_to,
            )
            continue
        out.append(replace(table, order=len(out)))
    return out
