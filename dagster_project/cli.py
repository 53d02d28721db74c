"""`budgetwh`: the command line. Side effects (files, terminal) live here, not in parsing.

    budgetwh run [--raw-dir DIR] [--warehouse FILE]
    budgetwh extract FILE [--json]
    budgetwh generate --n N --out DIR [--error-rate R] [--seed S] [--formats text,xlsx,docx,html]
    budgetwh report [--warehouse FILE] [--out DIR]

Exit status of `run`: 0 when the run completed (quarantined documents included), 2 when there
were input files but none loaded, or when the raw folder and the warehouse cannot be used
together (a warehouse inside the raw folder, a path DuckDB cannot take literally), 1 when the
run itself failed, 75 when it did not publish now
(the load lock or a read-write session on the published file stayed taken past
BUDGETWH_LOCK_TIMEOUT_SECONDS): nothing is wrong with the data, run it again later.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from dagster_project import settings
from dagster_project.defs.progress import Progress
from dagster_project.files import secure_umask
from dagster_project.freshness import unchanged
from dagster_project.ingest import LOADED, plan
from dagster_project.parsing.extract import extract_document
from dagster_project.quality import read_findings
from dagster_project.readers.base import ReaderError, page_limit
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import ensure_dbt_manifest
from dagster_project.warehouse.lock import EXIT_RETRY_LATER, LockTimeout
from dagster_project.warehouse.paths import WarehousePaths

# emoji=False: rich would turn ":warning:" in a file name into a picture; soft_wrap: a message
# naming a path stays on one line (rich breaks lines at 80 columns when stderr is not a terminal)
console = Console(stderr=True, emoji=False, soft_wrap=True)

# What must never reach the terminal as it is: C0 and C1 controls and DEL (an ESC sequence can
# recolour, move the cursor or retitle the window; a line break can forge a summary line), the
# bidirectional overrides and isolates (they reorder what is shown: "txt.exe" read as "exe.txt")
# and the line and paragraph separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(text: object) -> str:
    """Text from outside (file and folder names, reasons quoting them, document text) as it may
    be printed: unprintable characters as Python writes them in a repr (`\\x1b`, `\\n`,
    `\\u202e`), bytes of a name that are not UTF-8 as `\\xNN` (as in the staging rows), and
    rich markup escaped, so a name shows exactly as written and cannot style or forge a line."""
    text = str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return escape(_UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text))


def _stdout() -> Console:
    """Tables wide enough to read when piped (rich would squeeze them to 80 columns)."""
    probe = Console()
    return Console(soft_wrap=True, width=None if probe.is_terminal else 240, emoji=False)


class _BarProgress(Progress):
    """The in-process load reports its documents to a rich progress bar."""

    def __init__(self, bar: RichProgress) -> None:
        super().__init__()
        self.bar = bar
        self.task = bar.add_task("", total=0, stage="extract")

    def start(self, context, total: int) -> None:
        super().start(context, total)
        self.bar.update(self.task, total=total, completed=0)

    def begin(self, stage: str, total: int) -> None:
        """dbt build (node by node, as dbt reports them), then publish: the same bar goes on."""
        super().begin(stage, total)
        self.bar.update(self.task, total=total, completed=0, stage=stage, description="")

    def tick(self, label: str) -> None:
        super().tick(label)
        self.bar.update(self.task, total=self.stage_total, advance=1, description=shown(label))

    def advance(self, label: str) -> None:
        super().advance(label)
        self.bar.update(self.task, advance=1, description=shown(label))  # a file name, shown escaped


def _run(args: argparse.Namespace) -> int:
    config: settings.Settings = args.settings
    raw_dir = Path(args.raw_dir)
    warehouse = Path(args.warehouse)
    if not raw_dir.is_dir():
        console.print(f"[red]error:[/] raw directory {shown(str(raw_dir))} does not exist")
        return 1
    if (refusal := settings.warehouse_refusal(raw_dir, warehouse)) is not None:
        console.print(f"[red]error:[/] {shown(refusal)}")
        return 2  # a usage error: nothing was read or written
    # the nightly no-op is decided before Dagster and dbt are even imported (seconds of startup)
    paths = WarehousePaths(warehouse)
    outcome = None if args.force else unchanged(
        raw_dir, warehouse, work=plan(raw_dir, StagingStore(paths.staging), limits=config.limits))
    progress = None
    if outcome is None:
        ensure_dbt_manifest()
        from dagster_project.load import run_load  # loads the Definitions (and the dbt manifest)

        with RichProgress(
            TextColumn("[bold]{task.fields[stage]}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=console, transient=True,
            disable=not console.is_terminal,
        ) as bar, _load_log(paths, args.verbose):
            progress = _BarProgress(bar)
            try:
                outcome = run_load(raw_dir, warehouse, progress=progress, force=args.force, settings=config,
                                   log_level="INFO" if args.verbose else "CRITICAL",
                                   on_wait=lambda line: console.print(f"[yellow]{shown(line)}[/]"))
            except LockTimeout as exc:
                console.print(f"[red]not loaded:[/] {shown(exc)}")
                return EXIT_RETRY_LATER
    _print_summary(outcome, paths)
    if outcome.plan.files and not outcome.loaded:
        console.print("[red]no document could be loaded[/]: the published warehouse is left as it was")
        return 2
    if outcome.retry_later:
        console.print(f"[red]not published:[/] {shown(outcome.failure or '')}")
        return EXIT_RETRY_LATER
    if not outcome.success:
        console.print(f"[red]the load failed[/] at {outcome.failed_step}: {shown(outcome.failure or '')}")
        console.print(f"{shown(str(warehouse))} was not replaced; dbt's output is in "
                      f"{shown(str(paths.build_dir / LOAD_LOG))}, -v shows Dagster's log with it")
        return 1
    return 0


LOAD_LOG = "last-load.log"


@contextmanager
def _load_log(paths: WarehousePaths, verbose: bool) -> Iterator[None]:
    """Without -v, what the load prints goes to build/last-load.log instead of the terminal (dbt,
    run in-process, writes its own log of every node it builds and tests beside its results, in
    build/dbt-target-<load id>/dbt.log), and Dagster logs only what is critical (no
    stack traces of failed steps): the summary that follows names every file that did not load
    and why, and the failed step with its first line; -v shows everything."""
    if verbose:
        yield
        return
    buffer = io.StringIO()
    try:
        with redirect_stdout(buffer):
            yield
    finally:
        paths.build_dir.mkdir(parents=True, exist_ok=True)
        (paths.build_dir / LOAD_LOG).write_text(buffer.getvalue(), encoding="utf-8")


def _absence_note(row: dict) -> str | None:
    """Why a loaded document is not where an analyst would look for it, if it is not: every
    loaded document is in a disclosure, and one whose department could not be read is its own
    disclosure with department_name NULL."""
    if row["status"] not in LOADED:
        return None  # its status already says why it is not in the marts
    if row["disclosure_id"] is None:
        return "in no disclosure (no fiscal year): its facts are not in the marts"
    if row["department_name"] is None:
        return ("department not found: published as a disclosure of its own with department_name NULL "
                "(flagged in marts.mart_data_quality)")
    return None


def _print_summary(outcome, paths: WarehousePaths) -> None:
    """Documents by status, tables by kind and counts over the whole staging area (what the
    warehouse holds), with this run's own work stated first."""
    out = _stdout()
    work = outcome.plan
    extracted = len(work.changed) if outcome.ran else 0
    out.print(f"[bold]budgetwh run[/]: {len(work.files)} documents: {extracted} extracted, "
              f"{len(work.files) - extracted} unchanged (skipped), {len(work.removed)} removed")
    if not outcome.ran:
        out.print("nothing changed since the published load: no extraction, no dbt build")
    if outcome.reexported:
        out.print("the Parquet export of the published load was incomplete (a load cut short): exported again")
    for note in outcome.notes(paths.published):
        out.print(f"[yellow]{shown(note)}[/]", highlight=False)
    out.print("documents by status: " + ", ".join(f"{k} {v}" for k, v in sorted(outcome.by_status.items())))
    store = StagingStore(paths.staging)
    docs = outcome.documents
    loaded = sorted(set(docs.filter(pl.col("status").is_in(LOADED))["doc_id"])) if docs.height else []

    def files(entity: str) -> list[str]:
        # the loaded documents' own files: counting from their metadata, without a filter over
        # every staged row, keeps the summary cheap at thousands of documents
        return [str(p) for doc_id in loaded if (p := store.path(entity, doc_id)).exists()]

    if tables := files("tables"):
        # glob=False: Polars reads `[`, `*` and `?` in a warehouse path as a pattern otherwise
        kinds = pl.scan_parquet(tables, glob=False).group_by("table_kind").len().sort("table_kind").collect()
        out.print("tables by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.iter_rows()))
    counts = {}
    for entity in ("line_items", "unparsed_cells", "projects", "performance_indicators", "narrative_amounts"):
        paths_ = files(entity)
        counts[entity] = pl.scan_parquet(paths_, glob=False).select(pl.len()).collect().item() if paths_ else 0
    out.print(f"line items: {counts['line_items']}; unparsed cells: {counts['unparsed_cells']}; "
              f"projects: {counts['projects']}; performance indicators: {counts['performance_indicators']}; "
              f"narrative amounts: {counts['narrative_amounts']}")
    for row in docs.iter_rows(named=True) if docs.height else []:
        if row["status"] != "ok":
            out.print(f"  [yellow]{row['status']}[/] {shown(row['source_path'])}: {shown(row['status_reason'] or '')}",
                      markup=True, highlight=False)
        if (note := _absence_note(row)) is not None:
            out.print(f"  [yellow]{row['status']}[/] {shown(row['source_path'])}: {shown(note)}", markup=True,
                      highlight=False)
    for path, why in outcome.skipped.items():
        out.print(f"  [yellow]skipped[/] {shown(path)}: {shown(why)}", markup=True, highlight=False)
    _print_findings(out, outcome, paths)
    if outcome.step_seconds:
        out.print("stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in outcome.step_seconds.items()))
    if (stats := outcome.extraction) is not None and stats.documents:
        per_doc = stats.cpu_seconds / stats.documents * 1000
        normalize = stats.normalize_cpu_seconds / stats.documents * 1000
        rate = f" ({stats.documents / stats.pool_seconds:.1f}/s)" if stats.pool_seconds else ""
        out.print(f"extraction: {stats.documents} documents in {stats.pool_seconds:.1f} s{rate}, "
                  f"{per_doc:.0f} ms worker CPU per document "
                  f"(read and interpret {per_doc - normalize:.0f} ms, normalize and write {normalize:.0f} ms)")
    if outcome.ran and outcome.success:
        out.print(f"warehouse: {shown(paths.published)} (load {outcome.load_id}); "
                  f"Parquet marts in {shown(paths.parquet_dir)}", highlight=False)
    elif not outcome.ran:
        out.print(f"warehouse: {shown(paths.published)} (unchanged)", highlight=False)


FINDINGS_SHOWN = 10


def _print_findings(out: Console, outcome, paths: WarehousePaths) -> None:
    """The publishers' figures that do not add up, by department, check and numbers (from the
    published marts.mart_data_quality), then the dbt tests that did not pass, said as test,
    model and column rather than dbt's generated id. Only for a published load: a failed one
    left the previous warehouse, whose findings are not this input's."""
    if outcome.ran and not outcome.success:
        findings, checked = [], 0
    else:
        findings, checked = read_findings(paths.published)
    if findings:
        departments = len({f.disclosure_id for f in findings})
        out.print(f"quality findings: {len(findings)} in {departments} of {checked} disclosures "
                  "(marts.mart_data_quality)")
        for finding in findings[:FINDINGS_SHOWN]:
            colour = "red" if finding.verdict == "fail" else "yellow"
            out.print(f"  [{colour}]{finding.verdict}[/] {shown(finding.department)}"
                      f"{f' {finding.fiscal_year}' if finding.fiscal_year else ''}: {shown(finding.check_name)}: "
                      f"{shown(finding.finding_zh)}", highlight=False)
        if len(findings) > FINDINGS_SHOWN:
            out.print(f"  … {len(findings) - FINDINGS_SHOWN} more in marts.mart_data_quality")
    elif checked:
        out.print(f"quality findings: none (every identity of the {checked} disclosures holds)")
    tests = [f for f in outcome.check_failures
             if f[1] not in SHOWN_AS_FINDINGS and not f[3].startswith("checked nothing")]
    if tests:
        out.print(f"checks not passed: {len(tests)}")
        for _, _, severity, what in tests[:FINDINGS_SHOWN]:
            out.print(f"  [yellow]{severity.lower()}[/] {shown(what)}", highlight=False)


# Checks whose failures are the findings above already: both read marts.mart_data_quality
# (identities_hold its within-table rows per document, publisher_figures_reconcile all of them),
# which the summary prints by department, check and numbers.
SHOWN_AS_FINDINGS = {"identities_hold", "publisher_figures_reconcile"}


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value))


def _extract(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        console.print(f"[red]error:[/] {shown(str(path))} is not a file")
        return 1
    try:
        with page_limit(args.settings.max_pages):
            extraction = extract_document(path.read_bytes(), str(path))
    except ReaderError as exc:
        console.print(f"[red]{shown(str(path))}: cannot read:[/] {shown(str(exc))}")
        return 2
    if args.json:
        body = {"document": asdict(extraction.document), "tables": [asdict(t) for t in extraction.tables],
                "narrative": [asdict(n) for n in extraction.narrative]}
        json.dump(body, sys.stdout, ensure_ascii=False, indent=1, default=_jsonable)
        sys.stdout.write("\n")
        return 0
    out = _stdout()
    d = extraction.document
    # document text is escaped everywhere: a title printing "[/]" must not be read as markup
    out.print(f"[bold]{shown(str(path))}[/]  status={d.status}  department={shown(str(d.department_name))}  "
              f"year={d.fiscal_year}  scope={d.scope}  unit_code={d.unit_code}  "
              f"region={d.region_province}/{d.region_city}/{d.region_county}")
    for note in d.notes:
        out.print(f"  note: {shown(note)}")
    for t in extraction.tables:
        out.print(f"\n[bold]table {t.order}[/] {t.kind} ({t.confidence:.2f}: {shown(t.classify_reason)})  "
                  f"'{shown(t.title or '')}'  unit={t.unit}  year={t.year}  lines {t.line_from}-{t.line_to}  "
                  f"{t.n_rows}x{t.n_cols}, header rows {t.header_rows}"
                  + (f"  [yellow]declared empty: {shown(t.empty_reason or '')}[/]" if t.declared_empty else ""))
        if t.line_items:
            grid = Table(show_header=True, header_style="bold", box=None)
            for col in ("line", "label", "unit", "code", "system", "paired", "measure", "fund", "year", "yuan", "raw"):
                grid.add_column(col)
            for li in t.line_items:
                grid.add_row(str(li.source_line or li.source_row), shown(li.row_label[:24]),
                             li.budget_unit_code or "", shown(li.code or ""), li.code_system,
                             shown(li.paired_code or ""), li.measure, li.fund_source,
                             str(li.value_year or ""), str(li.amount_yuan), shown(li.raw_text))
            out.print(grid)
        for u in t.unparsed:
            out.print(f"  [red]unparsed[/] row {u.source_row} col {u.source_col}: {shown(repr(u.raw_text))} ({u.reason})")
        for p in t.projects:
            out.print(f"  project: {shown(p.project_name)} = {p.amount_yuan} ({shown(p.budget_unit_code or '')})")
        for i in t.indicators:
            out.print(shown(f"  indicator [{i.subject}] {i.level1}/{i.level2}/{i.level3}: "
                             f"{i.operator or ''}{i.target_value or ''}{i.target_unit or ''}"
                             + (f" (weight {i.weight})" if i.weight is not None else "")))
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
        grid.add_row(str(n.text_index), n.topic, shown(n.code or ""), n.fund_source or "",
                     str(n.value_year or ""), shown(value), shown(n.raw_text[:60]))
    out.print(grid)


def _generate(args: argparse.Namespace) -> int:
    from dagster_project.synth.generator.generate import FORMATS, write_corpus  # only this command needs it

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        console.print(f"[red]error:[/] unknown format(s) {shown(unknown)}; choose from {', '.join(FORMATS)}")
        return 1
    if args.n < 1 or not 0 <= args.error_rate <= 1:
        console.print("[red]error:[/] --n must be at least 1 and --error-rate between 0 and 1")
        return 1
    out = Path(args.out)
    summary = write_corpus(out, args.n, error_rate=args.error_rate, seed=args.seed, formats=formats)
    console.print(f"{summary['n']} reports ({summary['bytes'] / 2**20:.1f} MiB) in {shown(out / 'raw')}, "
                  f"gold in {shown(out / 'gold')}")
    console.print("styles: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["style"].items()))
                  + "; formats: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["format"].items()))
                  + "; errors: " + (", ".join(f"{k} {v}" for k, v in sorted(summary["error"].items())) or "none"))
    console.print(f"load them with: budgetwh run --raw-dir {shown(out / 'raw')} "
                  f"--warehouse {shown(out / 'warehouse' / 'budget.duckdb')}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from dagster_project.report import build_report, report_dir  # only this command needs it

    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        console.print(f"[red]error:[/] no published warehouse at {shown(warehouse)}: run `budgetwh run` first")
        return 1
    out = Path(args.out) if args.out else report_dir(WarehousePaths(warehouse))
    summary = build_report(warehouse, out)
    console.print(f"report: {summary.pages} pages, {summary.disclosures} disclosures, {summary.findings} "
                  f"quality findings in {summary.seconds:.1f} s; open {shown(out / 'index.html')}")
    return 0


def build_parser(config: settings.Settings | None = None) -> argparse.ArgumentParser:
    """The command line; paths default to `config`'s (the environment's, in `main`)."""
    config = config or settings.Settings()
    parser = argparse.ArgumentParser(prog="budgetwh", description="Budget-disclosure warehouse")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="extract data/raw into staging and build the warehouse")
    run.add_argument("--raw-dir", default=str(config.raw_dir),
                     help="folder of reports (default $BUDGETWH_RAW_DIR or data/raw)")
    run.add_argument("--warehouse", default=str(config.warehouse),
                     help="published DuckDB file (default $BUDGETWH_WAREHOUSE or data/warehouse/budget.duckdb)")
    run.add_argument("--force", action="store_true",
                     help="rebuild and republish the warehouse even when nothing changed")
    run.add_argument("--verbose", "-v", action="store_true", help="show the Dagster run's and dbt's log")
    run.set_defaults(func=_run)
    ext = sub.add_parser("extract", help="show what was found in one report")
    ext.add_argument("file")
    ext.add_argument("--json", action="store_true", help="machine-readable output (docs/extract-json.md)")
    ext.set_defaults(func=_extract)
    gen = sub.add_parser("generate", help="write N synthetic reports and their gold values")
    gen.add_argument("--n", type=int, required=True, help="number of reports")
    gen.add_argument("--out", required=True, help="output folder: reports in OUT/raw, gold in OUT/gold")
    gen.add_argument("--error-rate", type=float, default=0.0,
                     help="share of reports with one publisher-style error, recorded in the gold (default 0)")
    gen.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same corpus")
    gen.add_argument("--formats", default="text",
                     help="comma-separated formats dealt round-robin: text, xlsx, docx, html, pdf (default text)")
    gen.set_defaults(func=_generate)
    rep = sub.add_parser("report", help="write the static HTML report of the published warehouse")
    rep.add_argument("--warehouse", default=str(config.warehouse),
                     help="published DuckDB file (default $BUDGETWH_WAREHOUSE or data/warehouse/budget.duckdb)")
    rep.add_argument("--out", default=None, help="report folder (default: report/ beside the warehouse)")
    rep.set_defaults(func=_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """`budgetwh`: the entry point, where the environment is read, once (`Settings.from_env`);
    every command gets the result as `args.settings`."""
    try:
        config = settings.Settings.from_env(os.environ)
    except settings.SettingsError as exc:
        console.print(f"[red]error:[/] {shown(str(exc))}")
        return 2  # a usage error: nothing was read or written
    args = build_parser(config).parse_args(argv)
    args.settings = config
    secure_umask()  # nothing this process writes is group- or world-writable
    # Dagster flags APIs it is still shaping (partitioned asset checks); not the user's concern
    warnings.filterwarnings("ignore", module=r"dagster(_dbt)?\b")
    warnings.filterwarnings("ignore", category=UserWarning, message=r".*(beta|preview).*")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        console.print("interrupted")
        return 1
    except Exception as exc:  # noqa: BLE001 - the run itself failed: say why, exit 1
        console.print(f"[red]budgetwh {args.command} failed:[/] {type(exc).__name__}: {shown(str(exc))}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
