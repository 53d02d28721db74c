"""A report as a DOCX document (python-docx): paragraphs, bordered tables, page breaks.

Title-like paragraphs just above a table are centred and bold, as budget offices format
them; header cells are merged (gridSpan across, vMerge down) where the text printed a group
header (synth/merges.py). Cell text is the printed text.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from dagster_project.synth.blocks import Block, Grid, PageBreak, Paragraph
from dagster_project.synth.merges import header_spans


def _add_grid(document, grid: Grid) -> None:
    table = document.add_table(rows=len(grid.rows), cols=grid.n_cols)
    table.style = "Table Grid"
    tcs = []  # the cell elements, taken before merging (table.cell() rescans the table per call)
    for row, texts in zip(table.rows, grid.rows):
        cells = row.cells
        tcs.append([cell._tc for cell in cells])
        for cell, text in zip(cells, texts):
            if text:
                cell.text = text
    for span in header_spans(grid):
        tcs[span.row][span.col].merge(tcs[span.last_row][span.last_col])


def render_docx(blocks: list[Block]) -> bytes:
    document = Document()
    for i, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            paragraph = document.add_paragraph(block.text)
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(following, Grid) and len(block.text) <= 40 and "单位" not in block.text:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    run.bold = True
        elif isinstance(block, PageBreak):
            document.add_page_break()
        else:
            _add_grid(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
