"""The accounting identities are defined once, in dbt (`dbt/macros/identities.sql`), and every
per-document verdict is the mart's: the `identities_hold` check on `published_warehouse` and the
CLI summary read `marts.mart_data_quality`, so they report exactly what it holds, on the
samples and on a report altered to break one identity."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
from rich.console import Console

from dagster_project.cli import _print_findings
from dagster_project.defs.identities import identities_check
from dagster_project.document_checks import document_findings
from dagster_project.load import run_load
from dagster_project.quality import document_identity_verdicts

from tests.conftest import RAW, SAMPLES
from tests.published_sample import published_sample

# The within-table identity instances of the mart, not passing, by document: (document,
# disclosure, check, location, expected, actual).
MART_BREAKS_SQL = """
    select d.source_path, q.disclosure_id, q.check_name, q.location, q.expected_yuan, q.actual_yuan, q.verdict
    from marts.mart_data_quality q
    join marts.dim_document d on d.disclosure_id = q.disclosure_id and d.is_loaded and d.n_tables > 0
    where q.check_scope = 'within_table' and q.verdict <> 'pass'
    order by all
"""

# Where a sample publisher's own table does not add up (the seeds README): 兴隆 (003)'s
# 单位预算支出总表 prints 208 = 48.84 万元 under 基本支出 while its 款 20805 (48.84) and 20899
# (5.00, printed under 基本支出 although 208 puts those 5.00 under 项目支出) add up to 53.84.
SOURCE_ERRORS = {
    "003_9360114ddfdd9c2c.txt": [
        ("parent code = Σ child codes", "code 208, column 4, unit 362001",
         Decimal("488400.00"), Decimal("538400.00"), "fail"),
    ],
}


def _mart_breaks(published: Path) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(MART_BREAKS_SQL).fetchall()


def test_per_document_verdicts_are_the_marts_on_the_samples():
    published = published_sample()
    documents = document_identity_verdicts(published)
    assert [d.source_path for d in documents] == SAMPLES
    found = {d.source_path: [(b.check_name, b.location, b.expected_yuan, b.actual_yuan, b.verdict) for b in d.breaks]
             for d in documents}
    assert found == {sample: SOURCE_ERRORS.get(sample, []) for sample in SAMPLES}
    # the same instances as the mart's rows, disclosure and numbers included
    assert sorted((d.source_path, d.disclosure_id, b.check_name, b.location, b.expected_yuan, b.actual_yuan, b.verdict)
                  for d in documents for b in d.breaks) == _mart_breaks(published)
    # and the mart did check each sample's tables (a document with no instance would pass vacuously)
    with duckdb.connect(str(published), read_only=True) as con:
        checked = dict(con.execute("""
            select d.source_path, count(*) from marts.mart_data_quality q join marts.dim_document d using (disclosure_id)
            where q.check_scope = 'within_table' group by all""").fetchall())
    assert set(checked) == set(SAMPLES) and min(checked.values()) > 20


def test_identities_hold_check_names_the_publishers_error():
    result = identities_check(published_sample())
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["documents_checked"].value == 5 and result.metadata["failing"].value == 1
    assert result.metadata["details"].value == {
        "003_9360114ddfdd9c2c.txt": "parent code = Σ child codes at code 208, column 4, unit 362001: 488400.00 vs 538400.00"}
    assert result.description.startswith("1 of 5 document(s): 003_9360114ddfdd9c2c.txt: parent code")


def test_identities_hold_of_an_empty_warehouse_checked_nothing(tmp_path):
    result = identities_check(tmp_path / "none.duckdb")
    assert not result.passed and result.description.startswith("checked nothing")


def test_cli_summary_prints_the_identity_findings_from_the_mart():
    """`budgetwh run` shows the broken identity once, as a finding with its numbers (the failed
    `identities_hold` check is that finding, not a second line)."""
    out = Console(record=True, width=400)
    outcome = SimpleNamespace(ran=True, success=True, check_failures=[
        ("published_warehouse", "identities_hold", "WARN", "1 of 5 document(s): 003_9360114ddfdd9c2c.txt: …")])
    _print_findings(out, outcome, SimpleNamespace(published=published_sample()))
    text = out.export_text()
    assert "quality findings: 2 in 2 of 5 disclosures (marts.mart_data_quality)" in text
    assert "fail 兴隆县医疗保障局本级 2021: parent code = Σ child codes: " in text
    assert "488,400" in text and "538,400" in text and "50,000" in text
    assert "checks not passed" not in text


def test_rounding_in_source_is_within_tolerance():
    """汾阳 (002) prints 74.55 + 1793.21 = 1867.77 万元 in its 预算支出总表: 100 yuan off, inside
    the 150 yuan DESIGN tolerance of two terms in 万元 (macros/tolerance.sql), so it passes."""
    with duckdb.connect(str(published_sample()), read_only=True) as con:
        rows = con.execute("""
            select q.expected_yuan, q.actual_yuan, q.difference_yuan, q.tolerance_yuan, q.n_terms, q.verdict
            from marts.mart_data_quality q join marts.dim_document d using (disclosure_id)
            where d.source_path = '002_ef53abe7e74d0ed0.txt' and q.check_name = 'row total = Σ spending categories'
              and q.location = 'row 2 合计' and q.tables_involved = ['2024年预算支出总表']""").fetchall()
    assert rows == [(Decimal("18677700.00"), Decimal("18677600.00"), Decimal("-100.00"), Decimal("150.000"), 2, "pass")]


def test_extraction_checks_leave_identities_to_dbt():
    """The staging worker's per-document findings are the extraction's own (tables listed in the
    目录, cells interpreted); no identity is computed in Python."""
    assert document_findings({"index_missing": "三公经费表", "n_unparsed": 2}) == {
        "tables_match_index": "listed in its 目录 but not found: 三公经费表",
        "no_unparsed_cells": "2 numeric cells not interpreted"}
    assert document_findings({"index_missing": None, "n_unparsed": 0}) == {}


# 丹凤 (000)'s 一般公共预算支出表 prints 2080506 职业年金 = 199,284.00 in its 合计 column and as
# 人员经费; printing 299,284.00 there breaks the row (合计 = 人员 + 公用 + 专项) and its parent
# 20805 (636,802.00 = 437,518.00 + 199,284.00).
ALTERED = ("000_6f7a8188d183d2a4.txt",
           "| 2080506 | 机关事业单位职业年金缴费支出 | 199,284.00 | 199,284.00 | | | |",
           "| 2080506 | 机关事业单位职业年金缴费支出 | 299,284.00 | 199,284.00 | | | |")


def test_an_altered_amount_is_named_by_the_mart_the_check_and_the_cli(tmp_path):
    """The disagreement test: one amount altered so that identities break; the mart, the
    `identities_hold` check of the Dagster run and the CLI summary name that document and those
    identities, with the same numbers."""
    name, printed, altered = ALTERED
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (RAW / name).read_text(encoding="utf-8")
    assert text.count(printed) == 1
    (raw / name).write_text(text.replace(printed, altered), encoding="utf-8")
    published = tmp_path / "wh" / "budget.duckdb"
    outcome = run_load(raw, published)
    assert outcome.success and outcome.loaded == 1, outcome.failure

    mart = _mart_breaks(published)
    assert {(row[0], row[2], row[4], row[5]) for row in mart} == {
        (name, "parent code = Σ child codes", Decimal("636802.00"), Decimal("736802.00")),
        (name, "row total = Σ spending categories", Decimal("299284.00"), Decimal("199284.00")),
    }
    lines = [f"{check} at {location}: {expected} vs {actual}" for _, _, check, location, expected, actual, _ in mart]

    result = identities_check(published)
    assert not result.passed and result.metadata["details"].value == {name: "; ".join(lines)}
    (failure,) = [f for f in outcome.check_failures if f[1] == "identities_hold"]
    assert failure[0] == "published_warehouse" and failure[2] == "WARN"
    assert failure[3] == f"1 of 1 document(s): {name}: " + "; ".join(lines)

    out = Console(record=True, width=400)
    _print_findings(out, outcome, SimpleNamespace(published=published))
    text = out.export_text()
    assert "丹凤县医疗保障局 2024: parent code = Σ child codes: " in text
    assert "丹凤县医疗保障局 2024: row total = Σ spending categories: " in text
    assert "636,802" in text and "736,802" in text and "299,284" in text
