"""The one interface every reader implements: bytes of a file in, tables of cell strings out.

Readers know nothing about budgets. They find grids of cells, keep where each came from
(page, source line, bounding box) and the text printed just above each grid, because the
title, unit and year of a Chinese budget table are almost always printed there rather than
inside the grid. Everything budget-specific happens later, on these format-agnostic tables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

DEFAULT_MAX_PAGES = 1000


class ReaderError(Exception):
    """A file that a reader cannot turn into tables; the message names the reason."""


def max_pages() -> int:
    """Most pages (sheets, for a workbook) one document may have: BUDGETWH_MAX_PAGES, default
    1000. A budget disclosure has tens of pages (a province's consolidated one a few hundred);
    a hostile or mistaken file with thousands must not hold a nightly load for minutes."""
    return int(os.environ.get("BUDGETWH_MAX_PAGES", DEFAULT_MAX_PAGES))


def check_page_count(pages: int) -> None:
    """Raise the page-limit ReaderError; readers call it as soon as the count is known,
    before reading any page, and extraction calls it again on every ReadResult."""
    limit = max_pages()
    if pages > limit:
        raise ReaderError(f"too many pages: {pages} > limit of {limit} (BUDGETWH_MAX_PAGES)")


@dataclass(frozen=True)
class RawTable:
    """A grid of cell strings exactly as printed (cleaned of layout noise, not interpreted).

    `rows` is rectangular: every row has `n_cols` cells, blanks as "". `row_lines` holds the
    1-based line of the source text each row came from (text formats) so that any value can be
    traced back to the report; binary formats put None there and use `page`/`bbox` instead.
    `cell_lines` refines that per cell where a row spans several lines (one cell per line).
    `context` is the text just above the table, nearest line last.
    """

    rows: tuple[tuple[str, ...], ...]
    order: int
    layout: str
    context: tuple[str, ...] = ()
    page_from: int | None = None
    page_to: int | None = None
    row_lines: tuple[int | None, ...] = ()
    cell_lines: tuple[tuple[int | None, ...], ...] = ()  # source line of each cell, same shape as rows
    last_line: int | None = None  # last source line the table occupies
    bbox: tuple[float, float, float, float] | None = None

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @cached_property
    def n_cols(self) -> int:  # asked for per row by the stitcher and interpreter: computed once
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True)
class ReadResult:
    """What a reader found in one file: its tables plus the narrative text around them."""

    format: str
    tables: list[RawTable]
    text_lines: list[str] = field(default_factory=list)
    encoding: str | None = None
    pages: int | None = None
    pages_without_text: int = 0
    warnings: list[str] = field(default_factory=list)


class Reader(Protocol):
    """One reader per file format. Pure: no file-system access, bytes in, tables out."""

    format: str

    def sniff(self, data: bytes) -> bool:
        """True when the bytes look like this reader's format (content, not the file name)."""

    def read(self, data: bytes) -> ReadResult:
        """Extract every table; raise ReaderError with a human reason when impossible."""
