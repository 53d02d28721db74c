"""The bad-input suite: `budgetwh run` over the five samples mixed with every bad case.

One run of the command (a subprocess, as a user or a nightly job runs it) over the generated
folder (tests/badinputs/generate.py). Each case's status and reason are asserted on the
staging rows and on the command's own report; the published warehouse must hold the samples'
headline figures exactly once each, facts only from `ok`/`partial` documents, and the
made-up reports' revisions, contradictions and odd cells exactly as DESIGN.md says.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest import LOADED, plan
from dagster_project.load import current_documents
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.paths import WarehousePaths

from tests.unit.test_headlines import HEADLINES
from tests.integration.test_warehouse import DEPARTMENTS, MARTS
from .generate import SECONDS_PER_DOC, SQL_TITLE, WEIRD_NAME, Case, cases, generate, render_table

REPO = Path(__file__).resolve().parents[2]
CASES = cases()
FACTS = ("fct_expenditure", "fct_revenue", "fct_three_public", "fct_project", "fct_performance_indicator")


@dataclass
class Run:
    root: Path
    raw: Path
    warehouse: Path
    returncode: int
    stdout: str
    stderr: str
    docs: dict[str, dict]  # source path -> staging row (one per file, copies included)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("badinputs")
    raw = root / "raw"
    generate(raw, root / "outside")
    warehouse = root / "wh" / "budget.duckdb"
    env = {**os.environ, "BUDGETWH_MAX_SECONDS_PER_DOC": str(SECONDS_PER_DOC)}
    for name in ("BUDGETWH_MAX_PAGES", "BUDGETWH_MAX_FILE_MB", "BUDGETWH_CRASH_AT"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, env=env, cwd=root, timeout=900,
    )
    store = StagingStore(WarehousePaths(warehouse).staging)
    docs = {r["source_path"]: r for r in current_documents(store, plan(raw, store)).iter_rows(named=True)}
    return Run(root, raw, warehouse, proc.returncode, proc.stdout, proc.stderr, docs)


def query(run: Run, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def overview(run: Run, department: str) -> list[dict]:
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        cur = con.execute("select * from marts.mart_budget_overview where department_name = ?", [department])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def test_the_corpus_has_at_least_thirty_bad_cases():
    bad = [c for c in CASES if c.topic != "the five sample reports"]
    assert len(bad) >= 30 and len({c.path for c in CASES}) == len(CASES)


def test_the_run_completes_without_a_traceback(run):
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    read = sum(c.status not in ("skipped", None) for c in CASES)  # skipped and hidden entries are not documents
    assert read == 48 and f"budgetwh run: {read} documents: {read} extracted" in run.stdout


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}-{c.path[:24]}" for i, c in enumerate(CASES)])
def test_case_outcome(run, case: Case):
    """Status and reason in staging, and the command's report of the file by name and reason."""
    if case.status is None:  # hidden files are not documents and not reported
        assert case.path not in run.docs and case.path not in run.stdout
        return
    if case.status == "skipped":
        assert case.path not in run.docs
        assert f"skipped {case.path}: {case.message}" in run.stdout
        return
    doc = run.docs[case.path]
    assert doc["status"] == case.status, doc["status_reason"]
    if case.in_notes:
        assert doc["status_reason"] is None and case.message in doc["notes"]
    elif case.message is None:
        assert doc["status_reason"] is None
    else:
        assert case.message in doc["status_reason"]
    if case.status != "ok":
        line = next(ln for ln in run.stdout.splitlines() if ln.strip().startswith(f"{case.status} {case.path}: "))
        assert case.message in line


def test_marts_hold_facts_of_loaded_documents_only(run):
    loaded = {d["doc_id"] for d in run.docs.values() if d["status"] in LOADED}
    others = {d["doc_id"] for d in run.docs.values() if d["status"] not in LOADED} - loaded
    assert others and loaded
    for mart in FACTS:
        in_mart = {r[0] for r in query(run, f"select distinct doc_id from marts.{mart}")}
        assert in_mart <= loaded and not in_mart & others, mart
    statuses = dict(query(run, "select doc_id, status from marts.dim_document"))
    # one row per document; byte-identical copies share their first path's row
    expected = {doc["doc_id"]: run.docs[_first_path(run, doc["doc_id"])]["status"] for doc in run.docs.values()}
    assert statuses == expected
    assert {r[0] for r in query(run, "select distinct load_id from marts.dim_document")} == \
        {r[0] for r in query(run, "select load_id from meta.load")}


def _first_path(run: Run, doc_id: str) -> str:
    return min(path for path, doc in run.docs.items() if doc["doc_id"] == doc_id)


@pytest.mark.parametrize("sample", sorted(HEADLINES))
def test_samples_are_published_exactly_once_with_their_figures(run, sample):
    total, basic, project, three, admin = (Decimal(v) for v in HEADLINES[sample])
    (row,) = overview(run, DEPARTMENTS[sample])
    assert (row["total_expenditure_yuan"], row["basic_expenditure_yuan"], row["project_expenditure_yuan"],
            row["three_public_yuan"]) == (total, basic, project, three)
    by_fund = dict(query(run, """
        select e.fund_source, sum(e.amount_yuan) from marts.fct_expenditure e
        join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = ? and e.code = '2101501' and e.measure = 'total' group by 1""",
                         [DEPARTMENTS[sample]]))
    assert by_fund.get("all", by_fund.get("general_budget")) == admin
    sample_doc = run.docs[sample]["doc_id"]
    assert {r[0] for r in query(run, "select distinct doc_id from marts.fct_expenditure e join marts.dim_disclosure d "
                                     "using (disclosure_id) where d.department_name = ?",
                                [DEPARTMENTS[sample]])} == {sample_doc}


@pytest.mark.parametrize("department", ["金山县林业局", "银川县林业局", "铜陵县林业局"])
def test_the_newer_revision_is_published_and_the_older_leaves_the_marts(run, department):
    (row,) = overview(run, department)
    assert (row["total_expenditure_yuan"], row["basic_expenditure_yuan"]) == (Decimal("1200000.00"),
                                                                              Decimal("800000.00"))
    revisions = [c for c in CASES if c.department == department]
    (newer,) = [c for c in revisions if c.status == "ok"]
    facts = {r[0] for r in query(run, "select distinct e.doc_id from marts.fct_expenditure e join "
                                      "marts.dim_disclosure d using (disclosure_id) where d.department_name = ?",
                                 [department])}
    assert facts == {run.docs[newer.path]["doc_id"]}


def test_narrative_and_tables_files_of_one_disclosure_both_stay(run):
    (row,) = overview(run, "锡林县林业局")
    assert (row["total_expenditure_yuan"], row["three_public_yuan"]) == (Decimal("1000000.00"), Decimal("30000.00"))
    narrative, tables = (run.docs[f"disclosure_part_{p}.txt"]["doc_id"] for p in ("narrative", "tables"))
    assert {r[0] for r in query(run, "select distinct doc_id from marts.fct_three_public t join marts.dim_disclosure d "
                                     "using (disclosure_id) where d.department_name = '锡林县林业局'")} == {narrative}
    assert {r[0] for r in query(run, "select distinct doc_id from marts.fct_expenditure t join marts.dim_disclosure d "
                                     "using (disclosure_id) where d.department_name = '锡林县林业局'")} == {tables}


def test_contradicting_tables_are_a_quality_finding(run):
    rows = query(run, """
        select q.check_scope, q.expected_yuan, q.actual_yuan, q.verdict
        from marts.mart_data_quality q join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = '白沙县林业局' and q.verdict <> 'pass'""")
    assert ("cross_table", Decimal("1100000.00"), Decimal("1000000.00"), "fail") in rows \
        or ("cross_table", Decimal("1000000.00"), Decimal("1100000.00"), "fail") in rows, rows


def test_negative_and_bracketed_amounts_are_exact(run):
    rows = query(run, """
        select e.measure, e.amount_yuan from marts.fct_expenditure e join marts.dim_disclosure d using (disclosure_id)
        where d.department_name = '青石县水利局' and e.code = '2130105' order by 1""")
    assert rows == [("basic", Decimal("-50000.00")), ("total", Decimal("-12340000.00"))]


def test_dash_cells_are_blank_and_zero_is_zero(run):
    rows = query(run, """
        select e.code, e.measure, e.amount_yuan from marts.fct_expenditure e join marts.dim_disclosure d
        using (disclosure_id) where d.department_name = '石门县林业局' and e.code in ('2130103', '2130104')""")
    assert rows == [("2130104", "basic", Decimal("0.00"))]


def test_sql_in_a_title_is_data(run):
    store = StagingStore(WarehousePaths(run.warehouse).staging)
    doc_id = run.docs["sql_title.txt"]["doc_id"]
    titles = store.read("tables").filter(store.read("tables")["doc_id"] == doc_id)["title"].to_list()
    assert f"西岭县林业局2024年{SQL_TITLE}" in titles
    tables = {r[0] for r in query(run, "select table_name from information_schema.tables where table_schema = 'marts'")}
    assert set(MARTS) <= tables
    items = query(run, "select t.item, t.amount_yuan from marts.fct_three_public t join marts.dim_disclosure d "
                       "using (disclosure_id) where d.department_name = '西岭县林业局' and t.item = 'total'")
    assert items == [("total", Decimal("30000.00"))]


def test_a_file_name_with_shell_metacharacters_is_only_a_name(run):
    assert run.docs[WEIRD_NAME]["status"] == "ok"
    assert query(run, "select status from marts.dim_document where source_path = ?", [WEIRD_NAME]) == [("ok",)]
    assert not list(run.root.rglob("pwned")) and not (REPO / "pwned").exists()


def test_nothing_outside_the_raw_folder_was_read(run):
    assert not [p for p in run.docs if "secret_report" in p or "audit" in p]
    assert overview(run, "外部县财政局") == [] and overview(run, "外部县审计局") == []


def test_a_folder_of_only_bad_files_exits_2_without_a_traceback(tmp_path, capsys):
    from dagster_project.cli import main

    raw = tmp_path / "raw"
    raw.mkdir()
    every = {c.path: c for c in CASES}
    for name in ("zero_bytes.txt", "binary_garbage.pdf", "truncated.pdf", "two_departments.txt"):
        every[name].build(raw, tmp_path / "outside")
    assert main(["run", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "budget.duckdb")]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Stack Trace" not in out + err
    for name in ("zero_bytes.txt", "binary_garbage.pdf", "truncated.pdf", "two_departments.txt"):
        assert f"quarantined {name}: {every[name].message}" in out
    assert "no document could be loaded" in err
    assert not (tmp_path / "wh" / "budget.duckdb").exists()


def test_the_cases_table_in_the_docs_is_current():
    assert (REPO / "docs" / "bad-inputs.md").read_text(encoding="utf-8") == render_table(CASES)
