"""Text dumps of budget reports: markdown pipes, tab-separated rows, one cell per line,
and space-aligned columns (as `pdftotext -layout` prints them).

A dump mixes narrative and tables, so the reader classifies every line by shape and groups
runs of table-shaped lines into grids. It does not decide which grids are budget tables, nor
stitch tables broken by page breaks: that needs budget knowledge and happens downstream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster_project.readers import aligned
from dagster_project.readers.base import RawTable, ReaderError, ReadResult
from dagster_project.readers.decoding import decode_text
from dagster_project.text.cells import clean_cell

_PIPE_SEPARATOR = re.compile(r"^\|?[\s:|-]+\|?$")
_CONTEXT_LINES = 8


@dataclass
class _Block:
    start: int
    end: int  # exclusive line index
    rows: list[list[str]]
    row_lines: list[int]  # 0-based line index per row
    layout: str
    cell_lines: list[list[int]] | None = None  # 0-based line index per cell, when rows span lines


def _kind(line: str) -> str:
    stripped = line.strip()
    if line.startswith("\t") and "\t" not in line[1:]:
        return "cell"  # one cell per line, possibly an empty cell
    if not stripped:
        return "blank"
    if stripped.startswith("|") and stripped.count("|") >= 2:
        return "sep" if _PIPE_SEPARATOR.match(stripped) and "-" in stripped else "pipe"
    if "\t" in line:
        return "tab"
    return "text"


def _pipe_cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [clean_cell(c) for c in stripped.split("|")]


def _align_short_rows(rows: list[list[str]], lines: list[list[int]], width: int) -> tuple[list[list[str]], list[list[int]]]:
    """One-cell-per-line exports lose column spans: a header row of 5 group labels sits above
    13 columns. The row below shows where vertical merges are (its blank cells), so each short
    row's cells are laid over the row below: a cell above a blank takes that single column,
    any other cell spans the run of filled columns up to the next blank.
    """
    out = [r + [""] * (width - len(r)) for r in rows]
    out_lines = [ln + [ln[-1]] * (width - len(ln)) for ln in lines]
    for i in range(len(rows) - 2, -1, -1):
        row = rows[i]
        if len(row) >= width:
            continue
        below = out[i + 1]
        spans: list[int] = []
        col = 0
        while col < width:
            start = col
            if below[col] == "":
                col += 1
            else:
                while col < width and below[col] != "":
                    col += 1
            spans.append(start)
        if len(spans) < len(row):
            continue
        aligned_row = [""] * width
        aligned_lines = [lines[i][0]] * width
        for cell, line, start in zip(row, lines[i], spans):
            aligned_row[start] = cell
            aligned_lines[start] = line
        out[i], out_lines[i] = aligned_row, aligned_lines
    return out, out_lines


def _segment(lines: list[str], page_starts: frozenset[int] = frozenset()) -> list[_Block]:
    kinds = [_kind(line) for line in lines]
    blocks: list[_Block] = []
    i, n = 0, len(lines)
    while i < n:
        kind = kinds[i]
        if kind in ("pipe", "sep"):
            start, rows, row_lines = i, [], []
            while i < n and kinds[i] in ("pipe", "sep"):
                if kinds[i] == "pipe":
                    rows.append(_pipe_cells(lines[i]))
                    row_lines.append(i)
                i += 1
            if rows:
                blocks.append(_Block(start, i, rows, row_lines, "pipe"))
            continue
        if kind in ("tab", "cell"):
            start = i
            run_end = i
            while run_end < n and kinds[run_end] in ("tab", "cell"):
                run_end += 1
            if any(kinds[j] == "tab" for j in range(i, run_end)):
                rows = [[clean_cell(c) for c in lines[j].split("\t")] for j in range(i, run_end)]
                blocks.append(_Block(start, run_end, rows, list(range(i, run_end)), "tab"))
                i = run_end
                continue
            # One cell per line: each blank-separated group of lines is a row.
            rows, row_lines, cell_lines = [], [], []
            while i < n:
                group_end = i
                while group_end < n and kinds[group_end] == "cell":
                    group_end += 1
                if group_end == i:
                    break
                rows.append([clean_cell(lines[j][1:]) for j in range(i, group_end)])
                cell_lines.append(list(range(i, group_end)))
                row_lines.append(i)
                i = group_end
                if i < n and kinds[i] == "blank" and i + 1 < n and kinds[i + 1] == "cell":
                    i += 1
                else:
                    break
            width = max(len(r) for r in rows)
            grid, grid_lines = _align_short_rows(rows, cell_lines, width)
            blocks.append(_Block(start, i, grid, row_lines, "cell_per_line", grid_lines))
            continue
        i += 1
    masked = [line if kinds[j] in ("text", "blank") else "" for j, line in enumerate(lines)]
    for found in aligned.find_aligned_tables(masked, page_starts):
        rows = [[clean_cell(c) for c in r] for r in found.rows]
        blocks.append(_Block(found.start, found.end, rows, list(found.row_lines), "aligned", found.cell_lines))
    blocks.sort(key=lambda b: b.start)
    return blocks


def _pad(rows: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def parse_text(text: str) -> tuple[list[RawTable], list[str]]:
    """Pure core of the reader: text in, (tables, narrative lines) out."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pages, page = [], 1
    for line in lines:
        pages.append(page)
        page += line.count("\f")
    # a form feed ends a page: the line holding it starts the next one
    page_starts = frozenset(j for j, line in enumerate(lines) if "\f" in line)
    lines = [line.replace("\f", "") for line in lines]
    blocks = _segment(lines, page_starts)
    tables: list[RawTable] = []
    claimed = [False] * len(lines)
    previous_end = 0
    for order, block in enumerate(blocks):
        for j in range(block.start, block.end):
            claimed[j] = True
        context = [
            clean_cell(lines[j])
            for j in range(previous_end, block.start)
            if lines[j].strip() and not claimed[j]
        ][-_CONTEXT_LINES:]
        previous_end = max(previous_end, block.end)
        rows = _pad(block.rows)
        if not rows or not any(any(c for c in r) for r in rows):
            continue
        width = len(rows[0])
        cell_lines = block.cell_lines or [[line] * width for line in block.row_lines]
        cell_lines = [ln + [ln[-1]] * (width - len(ln)) for ln in cell_lines]
        tables.append(
            RawTable(
                rows=tuple(tuple(r) for r in rows),
                order=len(tables),
                layout=block.layout,
                context=tuple(context),
                page_from=pages[block.start] if "\f" in text else None,
                page_to=pages[block.end - 1] if "\f" in text else None,
                row_lines=tuple(j + 1 for j in block.row_lines),
                cell_lines=tuple(tuple(j + 1 for j in ln) for ln in cell_lines),
                last_line=max(j for ln in cell_lines for j in ln) + 1,
            )
        )
    narrative = [clean_cell(lines[j]) for j in range(len(lines)) if not claimed[j] and lines[j].strip()]
    return tables, narrative


class TextReader:
    """Plain-text reports in any of the common dump layouts and encodings."""

    format = "text"

    def sniff(self, data: bytes) -> bool:
        """Judged on the first 64 KiB; the cut may fall inside a multi-byte character (UTF-8 up
        to 4 bytes, GB18030 2 or 4, UTF-16 2), so up to 3 trailing bytes are given back."""
        head = data[:65536]
        for trim in range(4 if len(data) > len(head) else 1):
            try:
                decode_text(head[: len(head) - trim])
            except ReaderError:
                continue
            return True
        return False

    def read(self, data: bytes) -> ReadResult:
        if not data.strip():
            raise ReaderError("empty file: no bytes to read")
        text, encoding = decode_text(data)
        tables, narrative = parse_text(text)
        return ReadResult(format=self.format, tables=tables, text_lines=narrative, encoding=encoding)
