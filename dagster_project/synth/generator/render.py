"""A generated report printed: as a text dump in its style's layout, or as blocks for the synth
renderers (XLSX, DOCX, HTML, and PDF where that renderer exists).

Text layouts are the samples': markdown pipes with a separator under the first row; tab-
separated rows; one cell per line (each line a tab and one cell, rows separated by a blank
line, stray [bookmark] markers from a word processor's table of contents). A table that breaks
over a page is printed in two grids, the header repeated (or not) on the second, with a page
number between them; a table listed as 空表 in the 目录 and not printed leaves no grid at all.
"""

from __future__ import annotations

import random

from dagster_project.synth.blocks import Block, Grid, PageBreak, Paragraph
from dagster_project.synth.generator.styles import Report
from dagster_project.synth.generator.tables import Table, grid_texts


def _parts(table: Table, rows: list[list[str]]) -> list[list[list[str]]]:
    """The grid as printed on one or two pages."""
    head = len(table.header)
    if table.split_at is None:
        return [rows]
    cut = head + table.split_at
    second = rows[cut:]
    if table.repeat_header:
        second = rows[:head] + second
    return [rows[:cut], second]


def _title_lines(table: Table) -> list[str]:
    lines = [table.label_before] if table.label_before else []
    if table.title:
        lines.append(table.title)
    return lines + list(table.captions)


def _pipe(rows: list[list[str]]) -> list[str]:
    width = max(len(r) for r in rows)
    out = []
    for i, row in enumerate(rows):
        cells = row + [""] * (width - len(row))
        out.append("| " + " | ".join(c for c in cells) + " |")
        if i == 0:
            out.append("|" + "|".join("-" * max(3, min(12, len(c) * 2)) for c in cells) + "|")
    return out


def _tab(rows: list[list[str]]) -> list[str]:
    return ["\t".join(r) for r in rows]


def _cells(rows: list[list[str]], rng: random.Random) -> list[str]:
    out: list[str] = []
    for i, row in enumerate(rows):
        if i:
            out.append("")
        for cell in row:
            if cell and rng.random() < 0.01:
                cell = f"[bookmark: _Toc{rng.randint(10_000_000, 99_999_999)}]{cell}"
            out.append("\t" + cell)
    return out


def render_text(report: Report, rng: random.Random) -> str:
    """The report as a text dump in its style's layout."""
    lines: list[str] = []
    blank_between = report.layout in ("pipe", "tab")
    for item in report.items:
        if isinstance(item, Paragraph):
            lines.append(item.text)
            if blank_between:
                lines.append("")
        elif isinstance(item, PageBreak):
            lines.append("")
        elif item.printed:
            lines += _title_lines(item)
            if blank_between:
                lines.append("")
            rows = grid_texts(item, report.number)
            parts = _parts(item, rows)
            for n, part in enumerate(parts):
                if n:
                    lines += ["", f"- {rng.randint(2, 40)} -", ""]
                if report.layout == "pipe":
                    lines += _pipe(part)
                elif report.layout == "tab":
                    lines += _tab(part)
                else:
                    lines += _cells(part, rng)
            lines.append("")
            for note in item.notes:
                lines += [note, ""]
    return "\n".join(lines) + "\n"


def report_blocks(report: Report) -> list[Block]:
    """The report as synth blocks (paragraphs, grids, page breaks) for the format renderers."""
    blocks: list[Block] = []
    for item in report.items:
        if isinstance(item, (Paragraph, PageBreak)):
            blocks.append(item)
            continue
        if not item.printed:
            continue
        blocks += [Paragraph(line) for line in _title_lines(item)]
        rows = grid_texts(item, report.number)
        for n, part in enumerate(_parts(item, rows)):
            if n:
                blocks.append(PageBreak())
            header = len(item.header) if n == 0 or item.repeat_header else 0
            blocks.append(Grid(tuple(tuple(r) for r in part), header))
        blocks += [Paragraph(note) for note in item.notes]
    return blocks
