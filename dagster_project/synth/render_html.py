"""A report as a disclosure page saved from a government portal.

Paragraphs become <p>, tables a bordered <table> with the header rows in <thead> and group
headers merged with colspan/rowspan (synth/merges.py), page breaks a CSS page break. Options
give the page the shapes portals really have: a legacy Chinese encoding declared in a
<meta> tag (GBK, or GB2312 through http-equiv), the article wrapped in a layout table with
site navigation and footer around it, empty cells printed as &nbsp;.
"""

from __future__ import annotations

from html import escape

from dagster_project.synth.blocks import Block, Grid, PageBreak, Paragraph
from dagster_project.synth.merges import header_spans


def _grid_html(grid: Grid, empty: str) -> str:
    spans = {(s.row, s.col): s for s in header_spans(grid)}
    covered = {
        (r, c)
        for s in spans.values()
        for r in range(s.row, s.last_row + 1)
        for c in range(s.col, s.last_col + 1)
        if (r, c) != (s.row, s.col)
    }
    out = ['<table border="1" cellspacing="0" cellpadding="2" style="border-collapse:collapse">']
    for r, row in enumerate(grid.rows):
        if r == 0 and grid.header_rows:
            out.append("<thead>")
        if r == grid.header_rows:
            out.append("</thead><tbody>" if grid.header_rows else "<tbody>")
        tag = "th" if r < grid.header_rows else "td"
        cells = []
        for c in range(grid.n_cols):
            if (r, c) in covered:
                continue
            text = row[c] if c < len(row) else ""
            attrs = ""
            if (r, c) in spans:
                s = spans[(r, c)]
                attrs += f' colspan="{s.cols}"' if s.cols > 1 else ""
                attrs += f' rowspan="{s.rows}"' if s.rows > 1 else ""
            cells.append(f"<{tag}{attrs}>{escape(text) if text else empty}</{tag}>")
        out.append("  <tr>" + "".join(cells) + "</tr>")
    if grid.header_rows >= len(grid.rows):
        out.append("</thead>")
    else:
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def render_html(
    blocks: list[Block],
    *,
    encoding: str = "utf-8",
    declared: str | None = None,
    http_equiv: bool = False,
    layout_table: bool = False,
    empty_cell: str = "",
) -> bytes:
    """Page bytes in `encoding` (characters it lacks as numeric references), declaring
    `declared` (default: the encoding; portals label GBK pages GB2312)."""
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            body.append(f"<p>{escape(block.text)}</p>")
        elif isinstance(block, PageBreak):
            body.append('<div style="page-break-after:always"></div>')
        else:
            body.append(_grid_html(block, empty_cell))
    content = "\n".join(body)
    if layout_table:
        content = (
            '<table width="100%"><tr><td class="nav">首页 &gt; 信息公开 &gt; 财政预决算</td></tr>\n'
            f'<tr><td class="article">\n<div class="TRS_Editor">\n{content}\n</div>\n</td></tr>\n'
            '<tr><td class="footer">主办单位：人民政府办公室　<a href="#">网站地图</a></td></tr></table>'
        )
    label = declared or encoding
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={label}">' if http_equiv
            else f'<meta charset="{label}">')
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f"{meta}\n<title>预算公开</title>\n"
        "<style>td,th{border:1px solid #000}</style>\n<script>var _hmt=[];</script>\n"
        f"</head>\n<body>\n{content}\n</body>\n</html>\n"
    )
    return page.encode(encoding, errors="xmlcharrefreplace")
