"""No document can fail a load, and none is silently absent from it.

Each file here used to stop the whole load (dbt's unique-key or amount-conservation test failed
on the marts and nothing was published) or to vanish from the marts with status ok. Now a
document that breaks an invariant the marts rely on is `rejected` by itself with the check and
its numbers, a document without a department is published as a disclosure of its own, a file
that is not a budget report says so, and the rest publish.
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from dagster_project.load import run_load
from dagster_project.synth.blocks import sample_blocks
from dagster_project.synth.render_xlsx import render_xlsx

from tests.conftest import RAW

DUPLICATED_ROW = "2080505\t机关事业单位基本养老保险缴费支出\t535.33\t535.33\t0.00\t0.00\t0.00\t0.00\n"

README = """# Collected budgets

| file | publisher | FY | total (yuan) | 三公 (yuan) |
|---|---|---|---|---|
| a.pdf | 某某局 | 2026 | 189,767,551.00 | 379,100.00 |
| b.pdf | 某某中心 | 2026 | 108,059,614.00 | 72,000.00 |
"""


def _with_duplicated_row(text: str) -> str:
    """Sample 001 with one 支出预算总表 row printed twice, the second time with other amounts."""
    assert text.count(DUPLICATED_ROW) == 1
    return text.replace(DUPLICATED_ROW, DUPLICATED_ROW + DUPLICATED_ROW.replace("535.33", "1.00"))


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    raw = tmp_path_factory.mktemp("rejection") / "raw"
    raw.mkdir()
    sample = lambda name: (RAW / name).read_text(encoding="utf-8")  # noqa: E731
    # 004 as a workbook whose numbers carry no number format (50 for 50.00, 款 5 for 05)
    (raw / "004.xlsx").write_bytes(
        render_xlsx(sample_blocks((RAW / "004_c7edf4338a4ef304.txt").read_bytes()), general_numbers=True))
    (raw / "duplicated_row.txt").write_text(_with_duplicated_row(sample("001_7457e2252370b02a.txt")), encoding="utf-8")
    # 003's total spending (万元) printed as a 14-digit number: 10^18 yuan, past DECIMAL(18,2)
    (raw / "huge.txt").write_text(sample("003_9360114ddfdd9c2c.txt").replace("6596.36", "99999999999999.99"),
                                  encoding="utf-8")
    (raw / "no_department.txt").write_text(sample("002_ef53abe7e74d0ed0.txt").replace("汾阳市医疗保障局", ""),
                                           encoding="utf-8")
    (raw / "README.md").write_text(README, encoding="utf-8")
    shutil.copy(RAW / "000_6f7a8188d183d2a4.txt", raw / "000.txt")
    warehouse = raw.parent / "wh" / "budget.duckdb"
    return run_load(raw, warehouse), warehouse


def _rows(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def test_the_load_publishes_despite_the_bad_documents(load):
    outcome, warehouse = load
    assert outcome.success, outcome.failure
    assert warehouse.exists()


@pytest.mark.parametrize(("name", "status", "reason"), [
    ("004.xlsx", "ok", None),
    ("000.txt", "ok", None),
    # the row's six amount columns (总计, 财政拨款, 一般公共预算 …) each print the code twice
    ("duplicated_row.txt", "rejected", "unique_fact_keys: 12 cells share 6 spending fact keys in table(s) "),
    ("duplicated_row.txt", "rejected", "e.g. 2080505 total all 2024: 5353300.00 (row "),
    ("huge.txt", "rejected", "decimal_range: the report's amounts add up to "),
    ("huge.txt", "rejected", " yuan in absolute value, beyond the 1,000,000,000,000,000 any budget reaches"),
    ("README.md", "quarantined", "not a budget report: no fiscal year and no department found"),
    ("no_department.txt", "ok", None),
])
def test_status_names_the_check_and_its_numbers(load, name, status, reason):
    _, warehouse = load
    (row,) = _rows(warehouse, "select status, status_reason from marts.dim_document where source_path = ?", [name])
    assert row["status"] == status
    assert (row["status_reason"] is None) if reason is None else (reason in row["status_reason"])


def test_rejected_documents_contribute_no_facts(load):
    _, warehouse = load
    rows = _rows(warehouse, """
        select d.source_path, count(f.doc_id) as n from marts.dim_document as d
        left join marts.fct_expenditure as f using (doc_id) group by all order by 1""")
    facts = {r["source_path"]: r["n"] for r in rows}
    assert facts["duplicated_row.txt"] == facts["huge.txt"] == facts["README.md"] == 0
    assert facts["004.xlsx"] > 0 and facts["000.txt"] > 0 and facts["no_department.txt"] > 0


def test_workbook_without_number_formats_gives_the_printed_figures(load):
    _, warehouse = load
    (row,) = _rows(warehouse, """
        select o.total_expenditure_yuan, o.department_name from marts.mart_budget_overview as o
        where list_contains(o.doc_ids, (select doc_id from marts.dim_document where source_path = '004.xlsx'))""")
    assert row == {"total_expenditure_yuan": Decimal("163904100.00"), "department_name": "聊城市东昌府区医疗保障局机关"}


def test_document_without_department_is_published_and_flagged(load):
    _, warehouse = load
    (overview,) = _rows(warehouse, """
        select o.disclosure_id, o.department_name, o.fiscal_year, o.total_expenditure_yuan
        from marts.mart_budget_overview as o
        where list_contains(o.doc_ids, (select doc_id from marts.dim_document where source_path = 'no_department.txt'))""")
    assert overview["department_name"] is None and overview["fiscal_year"] == 2024
    assert overview["total_expenditure_yuan"] > 0
    (finding,) = _rows(warehouse, """
        select verdict, explanation from marts.mart_data_quality
        where disclosure_id = ? and check_scope = 'metadata'""", [overview["disclosure_id"]])
    assert finding["verdict"] == "warn"
    assert finding["explanation"].startswith("no department name found in no_department.txt")


def test_summary_lists_every_document_outside_the_marts(load, capsys):
    from dagster_project.cli import _print_summary
    from dagster_project.warehouse.paths import WarehousePaths

    outcome, warehouse = load
    _print_summary(outcome, WarehousePaths(warehouse))
    out = capsys.readouterr().out
    assert "rejected duplicated_row.txt: unique_fact_keys" in out
    assert "rejected huge.txt: decimal_range" in out
    assert "quarantined README.md: not a budget report" in out
    assert "no_department.txt: department not found: published as a disclosure of its own" in out
