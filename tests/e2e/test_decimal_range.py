"""No input can stop the dbt build with a DECIMAL overflow.

Printed amounts are DECIMAL(18,2) from staging to the facts. The marts used to cast amounts they
compute (a difference between a printed figure and its counterpart, a headline figure that may
be a sum) back to DECIMAL(18,2), and a file whose numbers each fit made that cast fail: the
whole load stopped (exit 1, nothing published, the file not named). The file here that did it
states, in its narrative, 999999999999.99万元 for a code its tables print as -29.89万元:
mart_data_quality's difference, -10,000,000,000,298,825.00 yuan, has 17 integer digits. Now every
amount dbt computes is DECIMAL(38,2) (dbt/macros/money.sql): the load publishes, and the check
fails in mart_data_quality with the exact numbers. A narrative amount past DECIMAL(18,2) itself
cannot be staged: the document is kept out of the marts and named.
"""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.parsing.classify import BUDGET_KINDS
from dagster_project.parsing.extract import extract_document
from dagster_project.parsing.invariants import violations

from tests.conftest import RAW, REPO

NEGATIVE_ROW = "| 2210201 | 住房公积金 | 298,925.00 | 298,925.00 |"
STATEMENT = "（2210201）29.89万元"


def _narrative_against_negative_amount() -> str:
    """Sample 000 (丹凤) stating 2210201 住房公积金 as 999999999999.99万元 (9,999,999,999,999,900
    yuan) while both of its tables print the code as -298,925.00 yuan."""
    text = (RAW / "000_6f7a8188d183d2a4.txt").read_text(encoding="utf-8")
    assert text.count(NEGATIVE_ROW) == 2 and text.count(STATEMENT) == 1
    return (text.replace(NEGATIVE_ROW, NEGATIVE_ROW.replace("298,925.00", "-298,925.00"))
            .replace(STATEMENT, "（2210201）999999999999.99万元"))


def _narrative_past_decimal() -> str:
    """Sample 003 (兴隆) whose narrative states its revenue as 99999999999999.99万元: 10^18 yuan."""
    text = (RAW / "003_9360114ddfdd9c2c.txt").read_text(encoding="utf-8")
    assert text.count("预算收入6596.36万元") == 1
    return text.replace("预算收入6596.36万元", "预算收入99999999999999.99万元")


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    root = tmp_path_factory.mktemp("decimal_range")
    raw = root / "raw"
    raw.mkdir()
    for sample, name in (("002_ef53abe7e74d0ed0.txt", "002.txt"), ("004_c7edf4338a4ef304.txt", "004.txt")):
        (raw / name).write_bytes((RAW / sample).read_bytes())
    (raw / "narrative_vs_negative.txt").write_text(_narrative_against_negative_amount(), encoding="utf-8")
    (raw / "narrative_past_decimal.txt").write_text(_narrative_past_decimal(), encoding="utf-8")
    warehouse = root / "wh" / "budget.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, timeout=900, cwd=REPO)
    return proc, warehouse


def _rows(path: Path, sql: str, params=()) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def _document(warehouse: Path, name: str) -> dict:
    (row,) = _rows(warehouse, "select doc_id, status, status_reason from marts.dim_document where source_path = ?",
                   [name])
    return row


def test_the_load_exits_0_and_publishes(load):
    proc, warehouse = load
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert warehouse.exists()


def test_the_good_documents_publish_their_figures(load):
    _, warehouse = load
    figures = {r["department_name"]: r["total_expenditure_yuan"] for r in _rows(warehouse, """
        select department_name, total_expenditure_yuan from marts.mart_budget_overview""")}
    assert figures["汾阳市医疗保障局"] == Decimal("18677700.00")
    assert figures["聊城市东昌府区医疗保障局机关"] == Decimal("163904100.00")
    assert figures["丹凤县医疗保障局"] == Decimal("4464272.00")  # the narrative file, published too


def test_a_statement_against_a_negative_amount_is_checked_exactly(load):
    _, warehouse = load
    doc = _document(warehouse, "narrative_vs_negative.txt")
    assert doc["status"] == "ok"
    (check,) = _rows(warehouse, """
        select q.expected_yuan, q.actual_yuan, q.difference_yuan, q.verdict, q.explanation, o.n_quality_findings
        from marts.mart_data_quality as q inner join marts.mart_budget_overview as o using (disclosure_id)
        where list_contains(o.doc_ids, ?) and q.check_name = 'narrative function_code 2210201 = tables'""",
                     [doc["doc_id"]])
    assert check["expected_yuan"] == Decimal("9999999999999900.00")
    assert check["actual_yuan"] == Decimal("-298925.00")
    assert check["difference_yuan"] == Decimal("-10000000000298825.00")  # past DECIMAL(18,2): exact
    assert check["verdict"] == "fail" and check["n_quality_findings"] >= 1
    assert "prints 9999999999999900.00 yuan but its parts add up to -298925.00 yuan" in check["explanation"]
    assert "off by -10000000000298825.00 yuan" in check["explanation"]


def test_a_statement_past_decimal_18_2_keeps_its_document_out_and_named(load):
    proc, warehouse = load
    doc = _document(warehouse, "narrative_past_decimal.txt")
    # rejected (decimal_range) when extraction checks the narrative, quarantined when staging fails on it
    assert doc["status"] in ("rejected", "quarantined") and doc["status_reason"]
    assert f"{doc['status']} narrative_past_decimal.txt: " in proc.stdout
    (facts,) = _rows(warehouse, "select count(*) as n from marts.fct_expenditure where doc_id = ?", [doc["doc_id"]])
    assert facts["n"] == 0


def test_only_printed_amounts_are_18_digits_in_the_marts(load):
    """The rule that makes the overflow impossible, on the published warehouse: a DECIMAL(18,x)
    column of the marts holds one printed value per row; every computed amount is DECIMAL(38,x)."""
    _, warehouse = load
    types = {(r["table_name"], r["column_name"]): r["data_type"] for r in _rows(warehouse, """
        select table_name, column_name, data_type from duckdb_columns()
        where schema_name = 'marts' and data_type like 'DECIMAL%'""")}
    narrow = {key for key, t in types.items() if not t.startswith("DECIMAL(38,")}
    assert narrow == {("fct_expenditure", "amount_yuan"), ("fct_revenue", "amount_yuan"),
                      ("fct_three_public", "amount_yuan"), ("fct_project", "amount_yuan"),
                      ("fct_state_assets", "amount_yuan"), ("fct_performance_indicator", "weight"),
                      ("mart_department_year", "printed_change_yuan")}  # the narrative's one printed change
    assert {t for (table, _), t in types.items() if table in ("mart_budget_overview", "mart_data_quality")} \
        == {"DECIMAL(38,2)", "DECIMAL(38,3)"}


def test_no_model_casts_to_an_18_digit_decimal_after_staging():
    """Only staging reads amounts as DECIMAL(18,2); past it, a cast to 18 digits is how a computed
    amount overflowed (a sum, a difference): computed amounts use computed_yuan() instead."""
    dbt = REPO / "dbt"
    files = [p for folder in ("models/intermediate", "models/marts", "macros", "tests")
             for p in (dbt / folder).rglob("*.sql")]
    assert files
    code = {p: re.sub(r"\{#.*?#\}", "", p.read_text(encoding="utf-8"), flags=re.DOTALL) for p in files}
    offending = [f"{p.relative_to(dbt)}: {line.strip()}" for p, text in code.items()
                 for line in (full.split("--")[0] for full in text.splitlines())
                 if re.search(r"decimal\s*\(\s*18\b|::\s*decimal\b(?!\s*\(\s*38)", line, re.IGNORECASE)]
    assert offending == []


def test_the_narrative_check_names_a_statement_staging_cannot_hold():
    extraction = extract_document(_narrative_past_decimal().encode("utf-8"), "narrative_past_decimal.txt")
    budget = [t for t in extraction.tables if t.kind in BUDGET_KINDS]
    assert violations(budget) == []  # the tables are those of sample 003
    (found,) = violations(budget, extraction.narrative)
    assert str(found).startswith("decimal_range: the narrative states 999,999,999,999,999,900.00 yuan (narrative line ")
    assert "2021年预算收入99999999999999.99万元), past the 9,999,999,999,999,999.99 DECIMAL(18,2) holds" in str(found)
    within = extract_document(_narrative_against_negative_amount().encode("utf-8"), "narrative_vs_negative.txt")
    assert violations([t for t in within.tables if t.kind in BUDGET_KINDS], within.narrative) == []
