"""A static HTML report of the published warehouse: an overview of every disclosure, one page per
disclosure (收支结构, 功能分类, 基本/项目, 三公 by year, its findings linked to the source tables
and lines they concern) and a data-quality page.

The report is plain files (HTML, one plotly.min.js, a stylesheet and a script) that open from
file:// with no server and no network: reports are read by people on locked-down office machines.
Names printed in the documents are untrusted input, so every page is rendered by Jinja2 with
autoescaping on, and chart data travels as escaped JSON (`charts.py`).

It is built into a temporary folder beside `out_dir` and swapped in with two renames, so a reader
sees the old complete report or the new complete one, never half of one.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from plotly.offline import get_plotlyjs

from dagster_project.report import charts, queries
from dagster_project.report.labels import THREE_PUBLIC_ORDER, Labels, share, wan, yuan
from dagster_project.warehouse.paths import WarehousePaths

__all__ = ["ReportSummary", "build_report", "report_dir"]

PLOTLY_JS = "plotly.min.js"
STATIC_FILES = ("report.css", "report.js")


@dataclass(frozen=True)
class ReportSummary:
    """What a build wrote: pages, disclosures, non-pass findings, and how long it took."""

    out_dir: Path
    pages: int
    disclosures: int
    findings: int
    seconds: float


def report_dir(warehouse: WarehousePaths) -> Path:
    """The report sits beside the published file like the rest of the warehouse (`report/`), so
    BUDGETWH_WAREHOUSE moves it too."""
    return warehouse.root / "report"


def _slug(text: str) -> str:
    """A file-name and anchor-safe form of an id (ids come from hashes, but never trust them)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dagster_project.report", "templates"),
        autoescape=True,  # every name on the page comes from an untrusted document
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["yuan"] = yuan
    env.filters["wan"] = wan
    return env


def _labels(con: duckdb.DuckDBPyConnection) -> Labels:
    names = queries.display_names(con)
    return Labels(**{vocabulary: names.get(vocabulary, {}) for vocabulary in (
        "status", "verdict", "table_kind", "measure", "three_public", "fund_source", "check_scope")})


def _narrative_ref(table_id: str) -> tuple[str, int] | None:
    """A narrative statement is referenced as '<doc sha>#text<line>'."""
    m = re.fullmatch(r"(.+)#text(\d+)", table_id)
    return (m.group(1), int(m.group(2))) if m else None


def _source_tables(lines: list[dict[str, Any]], found: list[dict[str, Any]], docs: list[dict[str, Any]],
                   labels: Labels) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The disclosure's source tables, each with an anchor and its printed lines (every line a
    fact was read from, with the amounts on it), plus the tables and narrative lines that only
    findings point to. Returns the list in page order and the same by table_id."""
    paths = {d["doc_id"]: d["source_path"] for d in docs}
    tables: dict[str, dict[str, Any]] = {}
    for row in lines:
        t = tables.setdefault(row["table_id"], {
            "table_id": row["table_id"], "anchor": "src-" + _slug(row["table_id"]),
            "kind": labels.table_kind.get(row["source_table_kind"], row["source_table_kind"]),
            "source_path": row["source_path"], "lines": {}, "notes": [], "narrative_line": None,
        })
        line = t["lines"].setdefault((row["source_line"], row["row_label"], row["code"]), {
            "source_line": row["source_line"], "row_label": row["row_label"], "code": row["code"],
            "anchor": f"{t['anchor']}-L{row['source_line']}", "raw": [], "amounts": [],
        })
        what = (labels.three_public.get(row["measure"], row["measure"]) if row["fact"] == "three_public"
                else labels.fact["revenue"] if row["fact"] == "revenue"
                else labels.measure.get(row["measure"], row["measure"]))
        line["amounts"].append({"what": what, "fund": labels.fund_source.get(row["fund_source"], row["fund_source"]),
                                "year": row["value_year"], "yuan": yuan(row["amount_yuan"])})
    for f in found:
        for table_id in f["table_ids"] or []:
            if table_id in tables:
                continue
            narrative = _narrative_ref(table_id)
            doc = narrative[0] if narrative else table_id.split("-t")[0]
            path = paths.get(doc) or next((p for d, p in paths.items() if d.startswith(doc)), None)
            tables[table_id] = {
                "table_id": table_id, "anchor": "src-" + _slug(table_id),
                "kind": "文字说明" if narrative else "（未从此表读取事实）",
                "source_path": path, "lines": {}, "notes": [],
                "narrative_line": narrative[1] if narrative else None,
            }
        for table_id in f["table_ids"] or []:
            note = f["location"] or ""
            if note not in tables[table_id]["notes"]:
                tables[table_id]["notes"].append(note)
    ordered = sorted(tables.values(), key=lambda t: (t["source_path"] or "", t["narrative_line"] is not None,
                                                     t["narrative_line"] or 0, t["table_id"]))
    for t in ordered:
        t["lines"] = sorted(t["lines"].values(), key=lambda ln: (ln["source_line"] is None, ln["source_line"] or 0))
    return ordered, tables


def _finding_links(f: dict[str, Any], page: str, tables: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Links from a finding to each table it concerns, on the disclosure's page; to the printed
    line itself when the check's location names a code (the warehouse writes 'code 208, …')
    printed on a line of that table."""
    links = []
    code = re.search(r"\bcode (\w+)", f["location"] or "")
    for table_id in f["table_ids"] or []:
        t = tables.get(table_id)
        if t is None:
            continue
        if t["narrative_line"] is not None:
            links.append({"href": f"{page}#{t['anchor']}", "text": f"{t['kind']} 第 {t['narrative_line']} 行"})
            continue
        links.append({"href": f"{page}#{t['anchor']}", "text": f"{t['kind']}（{table_id}）"})
        line = next((ln for ln in t["lines"] if code and ln["code"] == code.group(1)), None)
        if line is not None and line["source_line"] is not None:
            links.append({"href": f"{page}#{line['anchor']}", "text": f"第 {line['source_line']} 行（{line['code']}）"})
    return links


def _three_public(rows: list[dict[str, Any]]) -> tuple[list[str], list[int], dict[tuple[str, int], Decimal]]:
    items_seen = {r["item"] for r in rows}
    items = [i for i in THREE_PUBLIC_ORDER if i in items_seen] + sorted(items_seen - set(THREE_PUBLIC_ORDER))
    years = sorted({r["value_year"] for r in rows})
    return items, years, {(r["item"], r["value_year"]): r["amount_yuan"] for r in rows}


def _chart_labels(rows: list[dict[str, Any]]) -> None:
    """'部门（年）' per disclosure, made unique (a category axis merges equal labels)."""
    seen: dict[str, int] = defaultdict(int)
    for r in rows:
        base = f"{r['department_name'] or '（未识别部门）'}（{r['fiscal_year']}）"
        seen[base] += 1
        r["chart_label"] = base if seen[base] == 1 else f"{base} #{seen[base]}"


def _render_all(con: duckdb.DuckDBPyConnection, out: Path, warehouse: Path) -> tuple[int, int, int]:
    """Write every page into `out`; returns (pages, disclosures, findings)."""
    env = _environment()
    labels = _labels(con)
    load = queries.load_info(con)
    rows = queries.overview(con)
    docs_all = queries.documents(con)
    all_findings = queries.findings(con)
    _chart_labels(rows)
    for r in rows:
        r["page"] = f"disclosure-{_slug(r['disclosure_id'])}.html"
        r["status_text"] = "、".join(labels.status.get(s, s) for s in r["statuses"]) or "—"
        r["basic_share"] = share(r["basic_expenditure_yuan"], r["total_expenditure_yuan"])
        r["project_share"] = share(r["project_expenditure_yuan"], r["total_expenditure_yuan"])
    page_of = {r["disclosure_id"]: r["page"] for r in rows}
    common = {"load_id": load["load_id"], "warehouse_name": warehouse.name, "labels": labels,
              "generated": time.strftime("%Y-%m-%d %H:%M:%S")}

    # one page per disclosure; the source-table anchors it defines are what findings link to
    anchors_of: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        did = r["disclosure_id"]
        found = queries.findings(con, did)
        docs = queries.disclosure_documents(con, did)
        sources, by_table = _source_tables(queries.source_lines(con, did), found, docs, labels)
        anchors_of[did] = by_table
        revenue = [{**x, "name": x["name_zh"]} for x in queries.revenue_by_source(con, did)]
        functions = queries.expenditure_by_class(con, did)
        for fn in functions:
            fn["funds"] = labels.funds(fn["fund_source"])
        tp_items, tp_years, tp_cells = _three_public(queries.three_public_by_year(con, did))
        for f in found:
            f["sentence"] = f["finding_zh"]
            f["links"] = _finding_links(f, "", by_table)
        page_charts = [c for c in (
            charts.revenue_chart(revenue), charts.function_chart(functions),
            charts.three_public_chart(tp_items, tp_years, tp_cells, labels.three_public)) if c]
        html = env.get_template("disclosure.html").render(
            **common, d=r, docs=docs, revenue=revenue, revenue_total=sum((x["amount_yuan"] or 0 for x in revenue), Decimal(0)),
            functions=functions, tp_items=tp_items, tp_years=tp_years, tp_cells=tp_cells,
            findings=found, sources=sources, charts={c.chart_id: c for c in page_charts},
            title=f"{r['department_name'] or '（未识别部门）'} {r['fiscal_year']} 年预算",
        )
        (out / r["page"]).write_text(html, encoding="utf-8")

    for f in all_findings:
        f["sentence"] = f["finding_zh"]
        page = page_of.get(f["disclosure_id"])
        f["page"] = page
        f["links"] = _finding_links(f, page, anchors_of.get(f["disclosure_id"], {})) if page else []
    by_disclosure: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in all_findings:
        by_disclosure[f["disclosure_id"]].append(f)
    summary = queries.checks_summary(con)
    quality = charts.quality_chart(summary, labels.check_scope, labels.verdict)
    overview = charts.overview_chart(rows)
    not_loaded = [d for d in docs_all if not d["is_loaded"]]
    (out / "index.html").write_text(env.get_template("index.html").render(
        **common, rows=rows, not_loaded=not_loaded, n_findings=len(all_findings),
        charts={c.chart_id: c for c in [overview] if c}, title="部门预算公开 · 总览",
    ), encoding="utf-8")
    (out / "quality.html").write_text(env.get_template("quality.html").render(
        **common, rows=rows, by_disclosure=by_disclosure, summary=summary, findings=all_findings,
        charts={c.chart_id: c for c in [quality] if c}, title="数据质量",
    ), encoding="utf-8")
    return len(rows) + 2, len(rows), len(all_findings)


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Replace `out_dir` by the finished `tmp`: the old report is renamed aside, the new one
    renamed in, the old one removed. Both renames are atomic on one file system, so a reader
    finds the old complete report or the new complete one."""
    old = None
    if out_dir.exists() or out_dir.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / out_dir.name)
    os.rename(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_report(warehouse: Path, out_dir: Path) -> ReportSummary:
    """Render the report of the published `warehouse` (opened read-only) into `out_dir`."""
    started = time.monotonic()
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file():
        raise FileNotFoundError(f"no published warehouse at {warehouse}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a report is meant to be read
        (tmp / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
        static = resources.files("dagster_project.report") / "templates" / "static"
        for name in STATIC_FILES:
            (tmp / name).write_bytes((static / name).read_bytes())
        with duckdb.connect(str(warehouse), read_only=True) as con:
            if missing := queries.missing_marts(con):
                raise ValueError(f"{warehouse} has no {', '.join(missing)} (published by an older version): "
                                 "reload it with `budgetwh run --force`")
            pages, disclosures, n_findings = _render_all(con, tmp, warehouse)
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ReportSummary(out_dir=out_dir, pages=pages, disclosures=disclosures, findings=n_findings,
                         seconds=round(time.monotonic() - started, 3))
