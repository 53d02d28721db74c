"""A report as renderers see it: paragraphs, table grids and page breaks, in reading order.

`document_blocks(text)` turns a text dump (any layout the text reader understands) into that
sequence, so every sample report can be re-printed as PDF, XLSX, DOCX or HTML and read back.
Grids are the reader's own cell strings (cleaned, not interpreted); `header_rows` counts the
caption and header rows above the first data row, which renderers need to repeat a header
after a page break or to merge group-header cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.parsing.interpret import lift_captions, split_header
from dagster_project.readers.decoding import decode_text
from dagster_project.readers.text import parse_text


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Grid:
    rows: tuple[tuple[str, ...], ...]
    header_rows: int

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Paragraph | Grid | PageBreak


def grid_of(rows: tuple[tuple[str, ...], ...]) -> Grid:
    body, captions = lift_captions([list(r) for r in rows])
    return Grid(rows=rows, header_rows=(len(rows) - len(body)) + split_header(body))


def document_blocks(text: str) -> list[Block]:
    """Paragraphs and grids of a text dump in reading order; form feeds become page breaks."""
    tables, _ = parse_text(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    owner: dict[int, int] = {}  # 1-based line -> index of the table occupying it
    for i, table in enumerate(tables):
        first = min(table.row_lines)
        for line in range(first, (table.last_line or max(table.row_lines)) + 1):
            owner[line] = i
    blocks: list[Block] = []
    emitted: set[int] = set()
    for number, line in enumerate(lines, start=1):
        if number in owner:
            index = owner[number]
            if index not in emitted:
                emitted.add(index)
                blocks.append(grid_of(tables[index].rows))
            continue
        for part_no, part in enumerate(line.split("\f")):
            if part_no:
                blocks.append(PageBreak())
            if part.strip():
                blocks.append(Paragraph(" ".join(part.split())))
    return blocks


def sample_blocks(data: bytes) -> list[Block]:
    """Blocks of a sample file's bytes, in whatever encoding it arrives."""
    text, _ = decode_text(data)
    return document_blocks(text)
