"""`budgetwh generate`: N reports and their gold values.

    budgetwh generate --n 1000 --out DIR [--error-rate 0.1] [--seed 7] [--formats text,xlsx,docx,html]

writes DIR/raw/<file> (point `budgetwh run --raw-dir` at it) and DIR/gold/<file>.json, plus
DIR/gold/_corpus.json (the parameters and a count by style, format and error kind). The corpus
is a function of the parameters: the same seed gives the same bytes.

Departments are drawn first (a real county or city, a department type, a publisher style), then
each is given one to three consecutive years, so a corpus holds the same department over years
with different budgets and projects. Styles are dealt round-robin over departments and formats
round-robin over documents, so even a small corpus covers every layout.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dagster_project.synth.generator import errors as error_injection
from dagster_project.synth.generator.budget import DEPARTMENT_TYPES, Budget, draw_department, generate_budget
from dagster_project.synth.generator.render import render_text, report_blocks
from dagster_project.synth.generator.styles import (
    STYLE_SCOPES,
    STYLE_UNITS,
    STYLES,
    Report,
    form_project_gold,
    indicator_gold,
)
from dagster_project.synth.generator.tables import Table, facts

FORMATS = ("text", "xlsx", "docx", "html", "pdf")
EXTENSIONS = {"text": ".txt", "xlsx": ".xlsx", "docx": ".docx", "html": ".html", "pdf": ".pdf"}
YEARS = tuple(range(2019, 2026))


@dataclass
class Generated:
    name: str
    data: bytes
    gold: dict


def _render(report: Report, fmt: str, rng: random.Random) -> bytes:
    if fmt == "text":
        return render_text(report, rng).encode("utf-8")
    blocks = report_blocks(report)
    if fmt == "xlsx":
        from dagster_project.synth.render_xlsx import render_xlsx

        return render_xlsx(blocks, one_sheet=rng.random() < 0.3)
    if fmt == "docx":
        from dagster_project.synth.render_docx import render_docx

        return render_docx(blocks)
    if fmt == "html":
        from dagster_project.synth.render_html import render_html

        if rng.random() < 0.3:
            return render_html(blocks, encoding="gbk", declared="gb2312", http_equiv=True)
        return render_html(blocks)
    if fmt == "pdf":
        from dagster_project.synth.render_pdf import render_pdf

        return render_pdf(blocks, style=rng.choice(("lattice", "stream")))
    raise ValueError(f"unknown format {fmt!r}")


def _three_public(b: Budget, report: Report) -> str | None:
    """As the overview mart defines it: the printed total, 0 for a table published empty
    (declared in the 目录 or by a note), None when no 三公 table prints a number."""
    three = next((t for t in report.items if isinstance(t, Table) and t.kind == "three_public"), None)
    if three is None:
        return None
    if three.printed and facts(three, report.number, b.year):
        return f"{b.three_public.total / 100:.2f}"
    return "0.00" if three.empty_reason or three.notes else None


def _headline(b: Budget, report: Report) -> dict:
    return {
        "total_revenue_yuan": f"{b.total / 100:.2f}",
        "total_expenditure_yuan": f"{b.total / 100:.2f}",
        "basic_expenditure_yuan": f"{b.basic / 100:.2f}",
        "project_expenditure_yuan": f"{b.project / 100:.2f}",
        "three_public_yuan": _three_public(b, report),
    }


def gold_of(b: Budget, report: Report, fmt: str, name: str, error: dict | None) -> dict:
    tables = [t for t in report.items if isinstance(t, Table)]
    line_items = [f for t in tables if t.printed for f in facts(t, report.number, b.year)]
    return {
        "file": name,
        "format": fmt,
        "style": report.style,
        "department_name": b.department,
        "fiscal_year": b.year,
        "scope": b.scope,
        "region": [b.place.province, b.place.city, b.place.county],
        "unit": report.number.unit,
        "headline": _headline(b, report),
        "tables": dict(Counter(t.kind for t in tables if t.printed)),
        "declared_empty": sorted(t.kind for t in tables if t.empty_reason),
        "line_items": line_items,
        # the rows of a 项目支出表, and apart from them the project each performance form states
        "projects": [{"project_name": p.name, "amount_yuan": f"{p.amount / 100:.2f}"} for p in b.projects]
        if any(t.kind == "project_expenditure" and t.printed for t in tables) else [],
        "form_projects": form_project_gold(report, b),
        "indicators": indicator_gold(report, b),
        "errors": [error] if error else [],
    }


def generate(n: int, error_rate: float = 0.0, seed: int = 0, formats: tuple[str, ...] = ("text",),
             styles: tuple[str, ...] = tuple(STYLES)) -> list[Generated]:
    """The corpus in memory, document by document (a generator would do for huge N; the CLI
    writes each document as it is made)."""
    return list(iter_generate(n, error_rate, seed, formats, styles))


def iter_generate(n: int, error_rate: float = 0.0, seed: int = 0, formats: tuple[str, ...] = ("text",),
                  styles: tuple[str, ...] = tuple(STYLES)):
    rng = random.Random(seed)
    used_names: set[str] = set()
    made = 0
    department_no = 0
    while made < n:
        style = styles[department_no % len(styles)]
        department_no += 1
        kind = rng.choice(DEPARTMENT_TYPES)
        scope = rng.choice(STYLE_SCOPES[style])
        if kind.admin_run is None and scope == "汇总":  # a single institution has nothing to sum up
            scope = "部门"
        first = rng.choice(YEARS)
        years = [y for y in range(first, first + rng.randint(1, 3)) if y in YEARS]
        place_name = draw_department(rng, kind)
        if place_name[1] in used_names:
            continue  # one department, one publisher: draw another (its suffixes 本级/机关/(汇总) aside)
        used_names.add(place_name[1])
        dept_code = f"{rng.randint(101, 699)}"
        for year in years:
            if made >= n:
                break
            doc_rng = random.Random(rng.getrandbits(64))
            budget = generate_budget(doc_rng, year, scope, kind, STYLE_UNITS[style], place_name, dept_code)
            report = STYLES[style](budget, doc_rng)
            error = error_injection.inject(report, budget, doc_rng) if doc_rng.random() < error_rate else None
            fmt = formats[made % len(formats)]
            name = f"{made:05d}_{style}_{year}{EXTENSIONS[fmt]}"
            data = _render(report, fmt, doc_rng)
            made += 1
            yield Generated(name, data, gold_of(budget, report, fmt, name, error))


def write_corpus(out: Path, n: int, error_rate: float = 0.0, seed: int = 0,
                 formats: tuple[str, ...] = ("text",), styles: tuple[str, ...] = tuple(STYLES)) -> dict:
    """Write the corpus: DIR/raw/<file>, DIR/gold/<file>.json, DIR/gold/_corpus.json."""
    raw, gold_dir = out / "raw", out / "gold"
    raw.mkdir(parents=True, exist_ok=True)
    gold_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, Counter] = {"style": Counter(), "format": Counter(), "error": Counter()}
    total_bytes = 0
    for doc in iter_generate(n, error_rate, seed, formats, styles):
        (raw / doc.name).write_bytes(doc.data)
        (gold_dir / f"{doc.name}.json").write_text(json.dumps(doc.gold, ensure_ascii=False, indent=1), encoding="utf-8")
        counts["style"][doc.gold["style"]] += 1
        counts["format"][doc.gold["format"]] += 1
        for error in doc.gold["errors"]:
            counts["error"][error["kind"]] += 1
        total_bytes += len(doc.data)
    summary = {"n": n, "seed": seed, "error_rate": error_rate, "formats": list(formats), "bytes": total_bytes,
               **{k: dict(v) for k, v in counts.items()}}
    (gold_dir / "_corpus.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary
