"""`budgetwh`: the command line. Side effects (files, terminal) live here, not in parsing.

    budgetwh run [--raw-dir DIR] [--warehouse FILE]
    budgetwh extract FILE [--json]

Exit status of `run`: 0 when the run completed (quarantined documents included), 2 when there
were input files but none loaded, 1 when the run itself failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dagster_project import settings
from dagster_project.ingest import LOADED, discover, run_ingest
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.base import ReaderError
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import run_dbt_build
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import new_load_id, publish

console = Console(stderr=True)


def _stdout() -> Console:
    """Tables wide enough to read when piped (rich would squeeze them to 80 columns)."""
    probe = Console()
    return Console(soft_wrap=True, width=None if probe.is_terminal else 240)


def _run(args: argparse.Namespace) -> int:
    raw_dir = Path(args.raw_dir)
    warehouse = Path(args.warehouse)
    if not raw_dir.is_dir():
        console.print(f"[red]error:[/] raw directory {raw_dir} does not exist")
        return 1
    staging = settings.staging_dir(warehouse)
    files = discover(raw_dir)
    with Progress(
        TextColumn("[bold]extract"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("", total=len(files))
        summary = run_ingest(
            raw_dir, staging, on_progress=lambda p: progress.update(task, advance=1, description=p), files=files
        )
    _print_summary(summary, staging)
    if files and not any(o.status in LOADED for o in summary.outcomes):
        console.print("[red]no document could be loaded[/]: the published warehouse is left as it was")
        return 2
    return _build_and_publish(WarehousePaths(warehouse), summary)


def _build_and_publish(paths: WarehousePaths, summary) -> int:
    """dbt builds into the build file; only a passing build replaces the published file."""
    load_id = new_load_id()
    with console.status(f"dbt build (load {load_id})", spinner="dots"):
        outcome = run_dbt_build(paths, load_id)
    out = _stdout()
    counts = {s: len(outcome.with_status(s)) for s in ("success", "pass", "warn", "error", "fail", "skipped")}
    out.print("dbt build: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    for result in outcome.with_status("warn"):
        out.print(f"  [yellow]warn[/] {result['unique_id']}: {result.get('failures')} finding(s)", highlight=False)
    if not outcome.success:
        for result in outcome.with_status("error", "fail"):
            out.print(f"  [red]{result['status']}[/] {result['unique_id']}: {result.get('message')}", highlight=False)
        if not outcome.results:
            out.print(outcome.log_tail, markup=False, highlight=False)
        console.print(f"[red]dbt build failed[/]: {paths.published} was not replaced")
        return 1
    published = publish(paths, load_id, {"documents": len(summary.outcomes), "extracted": summary.extracted})
    out.print(f"warehouse: {published} (load {load_id})")
    return 0


def _print_summary(summary, staging: Path) -> None:
    """The closing summary covers the whole staging area (what the warehouse will hold),
    with this run's work stated separately, so a no-op rerun still reports the corpus."""
    out = _stdout()
    store = StagingStore(staging)
    out.print(f"[bold]budgetwh run[/]: {len(summary.outcomes)} documents: {summary.extracted} extracted, "
              f"{len(summary.outcomes) - summary.extracted} unchanged (skipped), {len(summary.removed)} removed")
    out.print("documents by status: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_status.items())))
    loaded = [o.doc_id for o in summary.outcomes if o.status in LOADED]
    tables = store.scan("tables")
    if tables is not None and loaded:
        kinds = tables.filter(pl.col("doc_id").is_in(loaded)).group_by("table_kind").len().sort("table_kind").collect()
        out.print("tables by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.iter_rows()))
    counts = {}
    for entity in ("line_items", "unparsed_cells", "projects", "performance_indicators", "narrative_amounts"):
        frame = store.scan(entity)
        counts[entity] = 0 if frame is None or not loaded else \
            frame.filter(pl.col("doc_id").is_in(loaded)).select(pl.len()).collect().item()
    out.print(f"line items: {counts['line_items']}; unparsed cells: {counts['unparsed_cells']}; "
              f"projects: {counts['projects']}; performance indicators: {counts['performance_indicators']}; "
              f"narrative amounts: {counts['narrative_amounts']}")
    for o in summary.outcomes:
        if o.status != "ok":
            out.print(f"  [yellow]{o.status}[/] {o.source_path}: {o.status_reason}", markup=True, highlight=False)
    out.print(f"staging: {staging}")


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value))


def _extract(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        console.print(f"[red]error:[/] {path} is not a file")
        return 1
    try:
        extraction = extract_document(path.read_bytes(), str(path))
    except ReaderError as exc:
        console.print(f"[red]{path}: cannot read:[/] {exc}")
        return 2
    if args.json:
        body = {"document": asdict(extraction.document), "tables": [asdict(t) for t in extraction.tables],
                "narrative": [asdict(n) for n in extraction.narrative]}
        json.dump(body, sys.stdout, ensure_ascii=False, indent=1, default=_jsonable)
        sys.stdout.write("\n")
        return 0
    out = _stdout()
    d = extraction.document
    out.print(f"[bold]{path}[/]  status={d.status}  department={d.department_name}  year={d.fiscal_year}  "
              f"scope={d.scope}  unit_code={d.unit_code}  region={d.region_province}/{d.region_city}/{d.region_county}")
    for note in d.notes:
        out.print(f"  note: {note}")
    for t in extraction.tables:
        out.print(f"\n[bold]table {t.order}[/] {t.kind} ({t.confidence:.2f}: {t.classify_reason})  "
                  f"'{t.title}'  unit={t.unit}  year={t.year}  lines {t.line_from}-{t.line_to}  "
                  f"{t.n_rows}x{t.n_cols}, header rows {t.header_rows}"
                  + (f"  [yellow]declared empty: {t.empty_reason}[/]" if t.declared_empty else ""))
        if t.line_items:
            grid = Table(show_header=True, header_style="bold", box=None)
            for col in ("line", "label", "unit", "code", "system", "paired", "measure", "fund", "year", "yuan", "raw"):
                grid.add_column(col)
            for li in t.line_items:
                grid.add_row(str(li.source_line or li.source_row), li.row_label[:24], li.budget_unit_code or "",
                             li.code or "", li.code_system, li.paired_code or "", li.measure, li.fund_source,
                             str(li.value_year or ""), str(li.amount_yuan), li.raw_text)
            out.print(grid)
        for u in t.unparsed:
            out.print(f"  [red]unparsed[/] row {u.source_row} col {u.source_col}: {u.raw_text!r} ({u.reason})")
        for p in t.projects:
            out.print(f"  project: {p.project_name} = {p.amount_yuan} ({p.budget_unit_code or ''})")
        for i in t.indicators:
            out.print(f"  indicator [{i.subject}] {i.level1}/{i.level2}/{i.level3}: "
                      f"{i.operator or ''}{i.target_value or ''}{i.target_unit or ''}")
    _print_narrative(out, extraction)
    return 0


def _print_narrative(out: Console, extraction) -> None:
    if not extraction.narrative:
        return
    out.print(f"\n[bold]narrative[/]: {len(extraction.narrative)} stated amounts")
    grid = Table(show_header=True, header_style="bold", box=None)
    for col in ("text line", "topic", "code", "fund", "year", "yuan / count", "raw"):
        grid.add_column(col)
    for n in extraction.narrative:
        value = str(n.amount_yuan) if n.count is None else f"{n.count} {n.unit}"
        grid.add_row(str(n.text_index), n.topic, n.code or "", n.fund_source or "", str(n.value_year or ""),
                     value, n.raw_text[:60])
    out.print(grid)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budgetwh", description="Budget-disclosure warehouse")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="extract data/raw into staging and build the warehouse")
    run.add_argument("--raw-dir", default=str(settings.raw_dir()), help="folder of reports (default data/raw)")
    run.add_argument("--warehouse", default=str(settings.warehouse_path()),
                     help="published DuckDB file (default $BUDGETWH_WAREHOUSE or data/warehouse/budget.duckdb)")
    run.set_defaults(func=_run)
    ext = sub.add_parser("extract", help="show what was found in one report")
    ext.add_argument("file")
    ext.add_argument("--json", action="store_true", help="machine-readable output (docs/extract-json.md)")
    ext.set_defaults(func=_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        console.print("interrupted")
        return 1
    except Exception as exc:  # noqa: BLE001 - the run itself failed: say why, exit 1
        console.print(f"[red]budgetwh {args.command} failed:[/] {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
