"""Formats with explicit tables (spreadsheets, word-processor files, web pages) read as one
flow of text lines and grids in reading order.

Each reader only has to walk its format in order; turning that flow into RawTables is shared,
so every format gives a table the same context the text reader would: the non-empty text
lines since the previous table, nearest last, and the whole text outside tables as narrative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dagster_project.readers.base import RawTable
from dagster_project.text.cells import clean_cell

CONTEXT_LINES = 8  # as many lines above a table as the text reader keeps


@dataclass(frozen=True)
class TextLine:
    text: str


@dataclass(frozen=True)
class GridItem:
    """A table as its format states it: rows of cell strings (merged cells already expanded).

    `page` is the page, or for spreadsheets the 1-based sheet position; `row_lines` the source
    line of each row where the format has lines (a sheet's row number, an HTML source line).
    """

    rows: list[list[str]]
    layout: str
    page: int | None = None
    row_lines: list[int | None] | None = None


FlowItem = TextLine | GridItem


def assemble(items: Iterable[FlowItem]) -> tuple[list[RawTable], list[str]]:
    """(tables, narrative lines) from a reading-order flow."""
    tables: list[RawTable] = []
    narrative: list[str] = []
    pending: list[str] = []
    for item in items:
        if isinstance(item, TextLine):
            for part in item.text.splitlines():
                text = clean_cell(part)
                if text:
                    narrative.append(text)
                    pending.append(text)
            continue
        cleaned = [[clean_cell(c) for c in row] for row in item.rows]
        width = max((len(r) for r in cleaned), default=0)
        rows = tuple(tuple(r + [""] * (width - len(r))) for r in cleaned)
        if not any(any(r) for r in rows):
            continue
        lines = list(item.row_lines or [None] * len(rows))
        known = [line for line in lines if line is not None]
        tables.append(
            RawTable(
                rows=rows,
                order=len(tables),
                layout=item.layout,
                context=tuple(pending[-CONTEXT_LINES:]),
                page_from=item.page,
                page_to=item.page,
                row_lines=tuple(lines),
                cell_lines=tuple((line,) * width for line in lines),
                last_line=max(known) if known else None,
            )
        )
        pending = []
    return tables, narrative
