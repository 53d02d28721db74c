"""Accuracy on real publishers: load a folder of real PDFs whose README carries a hand-read gold
table (`../shared/realpdf/wild/README.md`) and compare the department name and the four headline
figures (total / basic / project / 三公, yuan) of every file with what the warehouse publishes.

    .venv/bin/python -m benchmarks.wild_accuracy [--raw DIR] [--only NAME ...] [--keep DIR]

The gold is parsed from the README's table, so the README stays the one place the figures live.
When the load fails, the figures are read from its build file, so a failing corpus still gets a
per-file diagnosis.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

WILD = Path(__file__).resolve().parents[2] / "shared" / "realpdf" / "wild"


@dataclass(frozen=True)
class Gold:
    file: str
    department: str
    fiscal_year: int
    total: Decimal
    basic: Decimal
    project: Decimal
    three_public: Decimal

    def figures(self) -> dict[str, Decimal]:
        return {"total": self.total, "basic": self.basic, "project": self.project, "三公": self.three_public}


def _yuan(cell: str) -> Decimal:
    """'189,767,551.00' or '0.00 per table 13 (…)' -> Decimal yuan (the leading number)."""
    return Decimal(re.match(r"-?[\d,]+(?:\.\d+)?", cell.strip()).group().replace(",", ""))


def read_gold(readme: Path = WILD / "README.md") -> list[Gold]:
    """The README's per-file table: file, publisher (as printed; a parenthesis adds a remark),
    level, FY, format, pages, unit, total, basic, project, 三公, …"""
    out = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 11 or not cells[0].endswith(".pdf"):
            continue
        name = re.sub(r"\s*[(（].*$", "", cells[1])
        out.append(Gold(cells[0], name, int(cells[3]), *(_yuan(c) for c in cells[7:11])))
    return out


def published(warehouse: Path) -> Path:
    """The published file, or the newest build file when the load failed before publishing."""
    if warehouse.exists():
        return warehouse
    builds = sorted((warehouse.parent / "build").glob("budget.*.duckdb"), key=lambda p: p.stat().st_mtime)
    if not builds:
        raise SystemExit(f"no warehouse and no build file under {warehouse.parent}")
    return builds[-1]


def observed(db: Path) -> dict[str, dict]:
    """Per source file: status, department and headline figures of its disclosure."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""
            select d.source_path, d.status, d.status_reason, o.department_name,
                   o.total_expenditure_yuan, o.basic_expenditure_yuan, o.project_expenditure_yuan,
                   o.three_public_yuan
            from marts.dim_document as d
            left join marts.mart_budget_overview as o on list_contains(o.doc_ids, d.doc_id)""").fetchall()
    return {r[0]: {"status": r[1], "reason": r[2], "department": r[3],
                   "figures": dict(zip(["total", "basic", "project", "三公"], r[4:]))} for r in rows}


def findings(db: Path) -> str:
    """How many disclosures add up: per disclosure, its worst data-quality verdict."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""
            select worst, count(*) from (
                select o.disclosure_id,
                       coalesce(max(case q.verdict when 'fail' then 2 when 'warn' then 1 else 0 end), 0) as worst
                from marts.mart_budget_overview as o
                left join marts.mart_data_quality as q using (disclosure_id)
                group by o.disclosure_id)
            group by worst order by worst""").fetchall()
    names = {0: "every identity holds", 1: "worst finding warn", 2: "worst finding fail"}
    return "disclosures: " + ", ".join(f"{names[w]} {n}" for w, n in rows)


def compare(gold: list[Gold], seen: dict[str, dict]) -> tuple[list[str], int, int, int, int]:
    """Lines of a report, and (names right, names, figures right, figures)."""
    lines, names_ok, figures_ok, n_figures = [], 0, 0, 0
    for g in gold:
        s = seen.get(g.file)
        if s is None:
            lines.append(f"{g.file}: not in dim_document")
            n_figures += 4
            continue
        name_ok = s["department"] == g.department
        names_ok += name_ok
        misses = []
        for key, want in g.figures().items():
            got = s["figures"][key]
            n_figures += 1
            if got is not None and Decimal(got) == want:
                figures_ok += 1
            else:
                misses.append(f"{key} {got} (gold {want})")
        status = s["status"] + (f" ({s['reason']})" if s["reason"] else "")
        verdict = "ok" if name_ok and not misses else "MISS"
        lines.append(f"{verdict:4} {g.file}: {status}; name {'ok' if name_ok else repr(s['department'])}"
                     + ("; " + "; ".join(misses) if misses else ""))
    return lines, names_ok, len(gold), figures_ok, n_figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=WILD, help="folder of PDFs with a README.md gold table")
    parser.add_argument("--only", nargs="*", default=[], help="load only these files (names or substrings)")
    parser.add_argument("--keep", type=Path, help="build the warehouse here instead of a temporary folder")
    args = parser.parse_args(argv)

    from dagster_project.load import run_load

    gold = [g for g in read_gold(args.raw / "README.md") if not args.only or any(o in g.file for o in args.only)]
    work = args.keep or Path(tempfile.mkdtemp(prefix="wild-"))
    raw = work / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    for g in gold:  # copied, never linked: the corpus is read-only and outside the project
        shutil.copy(args.raw / g.file, raw / g.file)
    warehouse = work / "wh" / "budget.duckdb"
    outcome = run_load(raw, warehouse, force=True)
    print(f"load: {'ok' if outcome.success else 'FAILED: ' + str(outcome.failure)}")
    lines, names_ok, names, figures_ok, figures = compare(gold, observed(published(warehouse)))
    print("\n".join(lines))
    print(f"names {names_ok}/{names}, figures {figures_ok}/{figures}")
    print(findings(published(warehouse)))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if outcome.success and names_ok == names and figures_ok == figures else 1


if __name__ == "__main__":
    sys.exit(main())
