"""The publishers' figures that do not add up, as an operator reads them: department, check and
numbers, from `marts.mart_data_quality` of a warehouse file.

The CLI summary and the Dagster check on `published_warehouse` both show these rows, so both
read them here (and neither shows dbt test ids to someone who wants to know which department
printed which wrong total). A `finding_zh` column, one Chinese sentence with the numbers per
non-pass row, is used when the mart has it; otherwise the same sentence is composed from the
mart's columns. Imports only duckdb: the CLI's no-op path calls this without Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class QualityFinding:
    """One identity instance that did not pass, with its disclosure's department."""

    disclosure_id: str
    department_name: str | None
    fiscal_year: int | None
    check_scope: str
    check_name: str
    tables: str
    location: str | None
    expected_yuan: Decimal | None
    actual_yuan: Decimal | None
    difference_yuan: Decimal | None
    verdict: str
    finding_zh: str

    @property
    def department(self) -> str:
        return self.department_name or f"(department not found: {self.disclosure_id})"

    def line(self) -> str:
        """One line for a terminal or a log: department and year, verdict, check, numbers."""
        year = f" {self.fiscal_year}" if self.fiscal_year else ""
        return f"{self.department}{year}: {self.verdict} {self.check_name}: {self.finding_zh}"


def yuan(amount: Decimal | None) -> str:
    """An amount as the reports print it: thousands separated, fen only when there are any."""
    if amount is None:
        return "?"
    text = f"{amount:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def compose_zh(tables: str, location: str | None, expected: Decimal | None, actual: Decimal | None,
               difference: Decimal | None) -> str:
    """The sentence h3's `finding_zh` carries, for a mart built before that column existed:
    where (tables, location), the printed figure, what its parts add up to, and the gap."""
    where = " ".join(part for part in (tables, location) if part)
    return f"{where}：列示 {yuan(expected)}，合计 {yuan(actual)}，差 {yuan(difference)}"


# Static SQL (no text is ever interpolated into it): the mart's own columns by name, and its
# disclosure's department; `finding_zh` is read when the mart has it (`q.*`).
FINDINGS_SQL = """
    select q.*, d.department_name as department_name_, d.fiscal_year as fiscal_year_
    from marts.mart_data_quality q left join marts.dim_disclosure d using (disclosure_id)
    where q.verdict <> 'pass'
    order by d.department_name nulls last, q.disclosure_id, q.check_name, q.location, q.check_id
"""
MART_EXISTS_SQL = """
    select count(*) from duckdb_tables()
    where schema_name = 'marts' and table_name in ('mart_data_quality', 'dim_disclosure')
"""


def read_findings(warehouse: Path, limit: int | None = None) -> tuple[list[QualityFinding], int]:
    """(non-pass rows of mart_data_quality, ordered by department, check and location; the
    number of disclosures the mart checked). Empty and 0 when the file or the mart is missing."""
    if not warehouse.exists():
        return [], 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if con.execute(MART_EXISTS_SQL).fetchone()[0] < 2:
            return [], 0
        checked = con.execute("select count(distinct disclosure_id) from marts.mart_data_quality").fetchone()[0]
        cursor = con.execute(FINDINGS_SQL)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row)) for row in (cursor.fetchmany(limit) if limit else cursor.fetchall())]
    findings = [QualityFinding(
        disclosure_id=r["disclosure_id"], department_name=r["department_name_"], fiscal_year=r["fiscal_year_"],
        check_scope=r["check_scope"], check_name=r["check_name"], tables=" / ".join(r["tables_involved"] or []),
        location=r["location"], expected_yuan=r["expected_yuan"], actual_yuan=r["actual_yuan"],
        difference_yuan=r["difference_yuan"], verdict=r["verdict"],
        finding_zh=r.get("finding_zh") or compose_zh(" / ".join(r["tables_involved"] or []), r["location"],
                                                     r["expected_yuan"], r["actual_yuan"], r["difference_yuan"]),
    ) for r in rows]
    return findings, checked
