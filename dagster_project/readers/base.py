"""The one interface every reader implements: bytes of a file in, tables of cell strings out.

Readers know nothing about budgets. They find grids of cells, keep where each came from
(page, source line, bounding box) and the text printed just above each grid, because the
title, unit and year of a Chinese budget table are almost always printed there rather than
inside the grid. Everything budget-specific happens later, on these format-agnostic tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

DEFAULT_MAX_PAGES = 1000


class ReaderError(Exception):
    """A file that a reader cannot turn into tables; the message names the reason."""


# How a refused allocation reads when a library reports it as its own error: Python's
# MemoryError, libxml2, C++ (std::bad_alloc), the C library (ENOMEM), OpenCV.
_OUT_OF_MEMORY = re.compile(r"MemoryError|memory allocation failed|cannot allocate memory|bad_alloc|out of memory"
                            r"|insufficient memory|failed to allocate", re.IGNORECASE)


def out_of_memory(reason: str) -> bool:
    """Does this error text say that an allocation failed?"""
    return bool(_OUT_OF_MEMORY.search(reason))


def raise_if_out_of_memory(exc: BaseException) -> None:
    """Readers call this where they turn any exception of a library into a ReaderError or a
    warning: running out of memory (the worker's limit, BUDGETWH_MAX_MB_PER_DOC) is not a
    damaged file, so it propagates as a MemoryError and the document is quarantined for it."""
    if isinstance(exc, MemoryError):
        raise exc
    if out_of_memory(f"{type(exc).__name__}: {exc}"):
        raise MemoryError(f"{type(exc).__name__}: {exc}") from exc


# The page limit of the extraction in progress. A context variable, not an argument: it is
# checked deep inside every reader, and threading it through the Reader protocol would change
# every reader's signature for one number. The caller that holds the settings sets it
# (ingest's stager, from `Limits.max_pages`; `budgetwh extract`), the readers never read the
# environment.
_MAX_PAGES: ContextVar[int] = ContextVar("max_pages", default=DEFAULT_MAX_PAGES)


@contextmanager
def page_limit(pages: int) -> Iterator[None]:
    """Hold the extractions inside the block to `pages` pages (sheets, for a workbook)."""
    token = _MAX_PAGES.set(pages)
    try:
        yield
    finally:
        _MAX_PAGES.reset(token)


def max_pages() -> int:
    """Most pages (sheets, for a workbook) one document may have: BUDGETWH_MAX_PAGES as the
    caller's settings say (`page_limit`), default 1000. A budget disclosure has tens of pages
    (a province's consolidated one a few hundred); a hostile or mistaken file with thousands
    must not hold a nightly load for minutes."""
    return _MAX_PAGES.get()


def check_page_count(pages: int, what: str = "pages") -> None:
    """Raise the page-limit ReaderError; readers call it as soon as the count is known,
    before reading any page (`what`: "sheets" for a workbook), and extraction calls it again
    on every ReadResult."""
    limit = max_pages()
    if pages > limit:
        raise ReaderError(f"too many {what}: {pages} > limit of {limit} (BUDGETWH_MAX_PAGES)")


# Most cells one table may have once its merged cells are expanded onto its grid. The largest
# tables of real disclosures have tens of thousands (a province's project table: ~3,000 rows
# × 15 columns); a few kilobytes of spans (HTML colspan/rowspan, DOCX gridBefore, a cell in
# the last spreadsheet column) could otherwise ask for billions.
MAX_TABLE_CELLS = 1_000_000


def check_table_cells(rows: int, columns: int, what: str, at_least: bool = False) -> None:
    """Refuse a table whose grid would be larger than MAX_TABLE_CELLS; readers call it with
    the grid's size (`at_least`: a lower bound, where the reader stops counting) before they
    build it."""
    if rows * columns > MAX_TABLE_CELLS:
        more = "at least " if at_least else ""
        raise ReaderError(f"{what} would expand to {rows:,} rows × {more}{columns:,} columns = {more}"
                          f"{rows * columns:,} cells, over the limit of {MAX_TABLE_CELLS:,} cells per table")


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
