"""Plotly figures of the report, as JSON that `static/report.js` draws with the one copy of
plotly.min.js in the report folder (no CDN, no copy per page: the pages open from file://
offline).

A figure travels as the text of a `<script type="application/json">` element; every `<`, `>` and
`&` of it is escaped as a JSON unicode escape, so a department name printed in a hostile report
cannot close the element and inject markup. Y values are floats in 万元 (a chart needs numbers);
the hover label shows the exact Decimal amount formatted in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from dagster_project.report.labels import wan, wan_float, yuan

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"
COLORS = {"basic": "#3b75af", "project": "#ef8636", "other": "#9b9b9b", "warn": "#e5ae38", "fail": "#c53a32",
          "pass": "#519e3e"}
YEAR_COLORS = ("#9bbfe0", "#3b75af", "#1f3f66", "#6b9e78", "#c4a35a")


@dataclass(frozen=True)
class Chart:
    """One chart of a page: the element id and the figure's escaped JSON."""

    chart_id: str
    title: str
    figure_json: Markup


def _escape_json(text: str) -> Markup:
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _chart(chart_id: str, title: str, fig: go.Figure, height: int = 380) -> Chart:
    fig.update_layout(
        template="none", height=height, font={"family": FONT, "size": 13},
        margin={"l": 70, "r": 20, "t": 30, "b": 90}, legend={"orientation": "h", "y": 1.08},
        yaxis={"title": {"text": "万元"}, "gridcolor": "#e6e6e6", "tickformat": ",~r"},
        hoverlabel={"font": {"family": FONT}}, paper_bgcolor="white", plot_bgcolor="white",
    )
    return Chart(chart_id, title, _escape_json(pio.to_json(fig, validate=True)))


def _hover(names: list[str], amounts: list[Decimal | None]) -> list[str]:
    return [f"{n}<br>{wan(a)} 万元（{yuan(a)} 元）" for n, a in zip(names, amounts)]


def _bar(name: str, x: list[str], amounts: list[Decimal | None], color: str, **kw: Any) -> go.Bar:
    hover = _hover([f"{name} · {label}" for label in x], amounts)
    return go.Bar(name=name, x=x, y=[wan_float(a) for a in amounts], marker_color=color,
                  hovertext=hover, hoverinfo="text", **kw)


def overview_chart(rows: list[dict[str, Any]]) -> Chart | None:
    """Basic and project spending of every disclosure, stacked, so sizes and shares compare."""
    rows = [r for r in rows if r["total_expenditure_yuan"] is not None or r["basic_expenditure_yuan"] is not None]
    if not rows:
        return None
    x = [r["chart_label"] for r in rows]
    basic = [r["basic_expenditure_yuan"] for r in rows]
    project = [r["project_expenditure_yuan"] for r in rows]
    # spending not split into basic/project (a report printing only the total)
    rest = []
    for r in rows:
        total, parts = r["total_expenditure_yuan"], (r["basic_expenditure_yuan"] or 0) + (r["project_expenditure_yuan"] or 0)
        rest.append(total - parts if total is not None and total - parts > 0 else None)
    fig = go.Figure([_bar("基本支出", x, basic, COLORS["basic"]), _bar("项目支出", x, project, COLORS["project"])])
    if any(v is not None for v in rest):
        fig.add_trace(_bar("未分基本/项目", x, rest, COLORS["other"]))
    fig.update_layout(barmode="stack", xaxis={"type": "category", "tickangle": -20})
    return _chart("chart-overview", "各公开主体支出预算（基本支出与项目支出）", fig, height=440)


def revenue_chart(rows: list[dict[str, Any]]) -> Chart | None:
    """Revenue by leaf fund source (sources printed as zero are left out of the chart only)."""
    rows = [r for r in rows if r["amount_yuan"]]
    if not rows:
        return None
    x = [r["name"] for r in rows]
    fig = go.Figure([_bar("收入", x, [r["amount_yuan"] for r in rows], COLORS["basic"])])
    fig.update_layout(showlegend=False, xaxis={"type": "category"})
    return _chart("chart-revenue", "收入预算（按资金来源）", fig)


def function_chart(rows: list[dict[str, Any]]) -> Chart | None:
    """Spending by function 类, basic and project stacked; a 类 printed only as a total shows
    its unsplit rest in grey."""
    if not rows:
        return None
    x = [f"{r['code']} {r['name']}" for r in rows]
    rest = []
    for r in rows:
        parts = (r["basic_yuan"] or 0) + (r["project_yuan"] or 0)
        rest.append(r["total_yuan"] - parts if r["total_yuan"] is not None and r["total_yuan"] - parts > 0 else None)
    fig = go.Figure([_bar("基本支出", x, [r["basic_yuan"] for r in rows], COLORS["basic"]),
                     _bar("项目支出", x, [r["project_yuan"] for r in rows], COLORS["project"])])
    if any(v is not None for v in rest):
        fig.add_trace(_bar("未分基本/项目", x, rest, COLORS["other"]))
    fig.update_layout(barmode="stack", xaxis={"type": "category"})
    return _chart("chart-function", "支出功能分类（类）", fig)


def three_public_chart(items: list[str], years: list[int], cells: dict[tuple[str, int], Decimal],
                       names: dict[str, str]) -> Chart | None:
    """三公 items side by side for every year printed."""
    if not cells:
        return None
    x = [names.get(i, i) for i in items]
    fig = go.Figure([
        _bar(f"{year}年", x, [cells.get((i, year)) for i in items], YEAR_COLORS[n % len(YEAR_COLORS)])
        for n, year in enumerate(years)
    ])
    fig.update_layout(barmode="group", xaxis={"type": "category"})
    return _chart("chart-three-public", "“三公”经费（按年度）", fig)


def quality_chart(summary: list[dict[str, Any]], scope_names: dict[str, str],
                  verdict_names: dict[str, str]) -> Chart | None:
    """Identities checked per scope, by verdict: how much was verified and how much failed."""
    if not summary:
        return None
    scopes = sorted({r["check_scope"] for r in summary})
    x = [scope_names.get(s, s) for s in scopes]
    traces = []
    for verdict in ("pass", "warn", "fail"):
        counts = [sum(r[f"n_{verdict}"] for r in summary if r["check_scope"] == s) for s in scopes]
        traces.append(go.Bar(name=verdict_names.get(verdict, verdict), x=x, y=counts,
                             marker_color=COLORS[verdict], text=counts, textposition="outside",
                             hovertemplate="%{x}：%{y} 项<extra>" + verdict_names.get(verdict, verdict) + "</extra>"))
    fig = go.Figure(traces)
    fig.update_layout(barmode="group", xaxis={"type": "category"})
    chart = _chart("chart-quality", "核对项（按范围与结论）", fig)
    fig.update_yaxes(title={"text": "项数"}, tickformat=",d")
    return Chart(chart.chart_id, chart.title, _escape_json(pio.to_json(fig)))
