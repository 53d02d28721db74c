"""Tables broken by a page break become one table again.

A continuation is recognisable without page numbers: it follows the previous table with no
title of its own in between, has the same number of columns, and either repeats the
header rows (dropped here) or starts straight with data.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dagster_project.parsing.cells import fold
from dagster_project.parsing.classify import pick_title
from dagster_project.parsing.vocabulary import unit_in
from dagster_project.readers.base import RawTable

_FURNITURE = re.compile(r"^(-?\s*\d+\s*-?|第\d+页(共\d+页)?|\d+/\d+|续表\d*|（?续）?)$")


def _only_furniture(context: tuple[str, ...]) -> bool:
    return all(_FURNITURE.match(fold(line)) for line in context if fold(line))


def _norm(row: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(c) for c in row)


def is_continuation(previous: RawTable, table: RawTable) -> bool:
    if table.n_cols != previous.n_cols or previous.n_rows == 0:
        return False
    if pick_title(table.context) or any(unit_in(line) for line in table.context):
        return False
    return _only_furniture(table.context)


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
    return [drop_empty_columns(t) for t in _stitch(tables)]


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
