"""Where a publisher would have merged header cells, read back from a grid of cell strings.

Text dumps print a merged cell once and leave the cells it covered blank. In the header rows
(and caption rows above them) a filled cell is taken to span right over the blank cells next
to it that have sub-headers below (a group header: 基本支出 over 人员经费 | 公用经费), and
down over the blank cells below it (科目名称 beside a two-row header). Body rows are never
merged: a blank there is an empty amount. Renderers turn these spans into merged ranges,
colspan/rowspan or gridSpan/vMerge, so every rendered format states its merges explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.synth.blocks import Grid


@dataclass(frozen=True)
class Span:
    row: int
    col: int
    rows: int
    cols: int

    @property
    def last_row(self) -> int:
        return self.row + self.rows - 1

    @property
    def last_col(self) -> int:
        return self.col + self.cols - 1


def header_spans(grid: Grid) -> list[Span]:
    """Spans of more than one cell, top-left cells filled, the cells they cover blank."""
    rows = [list(r) + [""] * (grid.n_cols - len(r)) for r in grid.rows]
    head = min(grid.header_rows, len(rows))
    width = grid.n_cols
    taken: set[tuple[int, int]] = set()
    spans: list[Span] = []
    for r in range(head):
        for c in range(width):
            if not rows[r][c] or (r, c) in taken:
                continue
            end = c
            while (
                end + 1 < width
                and not rows[r][end + 1]
                and (r, end + 1) not in taken
                and any(rows[below][end + 1] for below in range(r + 1, head))
            ):
                end += 1
            bottom = r
            while bottom + 1 < head and all(
                not rows[bottom + 1][k] and (bottom + 1, k) not in taken for k in range(c, end + 1)
            ):
                bottom += 1
            if end > c or bottom > r:
                span = Span(r, c, bottom - r + 1, end - c + 1)
                spans.append(span)
                taken.update((rr, cc) for rr in range(r, bottom + 1) for cc in range(c, end + 1))
    return spans
