"""The publishers' figures that do not add up, as an operator reads them: department, check and
numbers, from `marts.mart_data_quality` of a warehouse file.

The CLI summary and the Dagster check on `published_warehouse` both show these rows, so both
read them here (and neither shows dbt test ids to someone who wants to know which department
printed which wrong total). A `finding_zh` column, one Chinese sentence with the numbers per
non-pass row, is used when the mart has it; otherwise the same sentence is composed from the
mart's columns. Imports only duckdb: the CLI's no-op path calls this without Dagster.

The within-table identities' verdict per document (`document_identity_verdicts`) is read here
too: the identities are defined once, in dbt (`dbt/macros/identities.sql`), and the Dagster
check `identities_hold` reports what the mart holds instead of computing them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
MARTS_PRESENT_SQL = """
    select count(*) from duckdb_tables() where schema_name = 'marts' and list_contains(?, table_name)
"""


@contextmanager
def _marts(warehouse: Path, *tables: str) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to the warehouse, or None when the file or one of the named
    marts is missing (a warehouse never loaded, or built before the mart existed)."""
    if not warehouse.exists():
        yield None
        return
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = con.execute(MARTS_PRESENT_SQL, [list(tables)]).fetchone()[0]
        yield con if present == len(tables) else None


def _dicts(cursor: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict]:
    """The rows of an executed query as dicts by column name."""
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in (cursor.fetchmany(limit) if limit else cursor.fetchall())]


def read_findings(warehouse: Path, limit: int | None = None) -> tuple[list[QualityFinding], int]:
    """(non-pass rows of mart_data_quality, ordered by department, check and location; the
    number of disclosures the mart checked). Empty and 0 when the file or the mart is missing."""
    with _marts(warehouse, "mart_data_quality", "dim_disclosure") as con:
        if con is None:
            return [], 0
        checked = con.execute("select count(distinct disclosure_id) from marts.mart_data_quality").fetchone()[0]
        rows = _dicts(con.execute(FINDINGS_SQL), limit)
    findings = [QualityFinding(
        disclosure_id=r["disclosure_id"], department_name=r["department_name_"], fiscal_year=r["fiscal_year_"],
        check_scope=r["check_scope"], check_name=r["check_name"], tables=" / ".join(r["tables_involved"] or []),
        location=r["location"], expected_yuan=r["expected_yuan"], actual_yuan=r["actual_yuan"],
        difference_yuan=r["difference_yuan"], verdict=r["verdict"],
        finding_zh=r.get("finding_zh") or compose_zh(" / ".join(r["tables_involved"] or []), r["location"],
                                                     r["expected_yuan"], r["actual_yuan"], r["difference_yuan"]),
    ) for r in rows]
    return findings, checked


@dataclass(frozen=True)
class IdentityBreak:
    """One within-table identity instance of a document outside the rounding tolerance (verdict
    warn or fail in mart_data_quality)."""

    check_name: str
    location: str | None
    expected_yuan: Decimal | None
    actual_yuan: Decimal | None
    difference_yuan: Decimal | None
    verdict: str
    finding_zh: str | None

    def line(self) -> str:
        """The identity, where, and its two numbers: `parent code = Σ child codes at code 208,
        column 4: 488400.00 vs 538400.00`."""
        return f"{self.check_name} at {self.location}: {self.expected_yuan} vs {self.actual_yuan}"


@dataclass(frozen=True)
class DocumentIdentities:
    """A loaded document and the within-table identities of its tables that do not hold."""

    source_path: str
    doc_id: str
    disclosure_id: str
    department_name: str | None
    fiscal_year: int | None
    breaks: tuple[IdentityBreak, ...]

    @property
    def holds(self) -> bool:
        return not self.breaks


# A within-table instance names its one table (`table_ids[1]`); a table id starts with its
# document's id (`<doc_id prefix>-t<order>`, staging.normalize.table_id), which is how a
# disclosure of two files (a narrative and its tables) puts each finding on the right file.
# Static SQL, like FINDINGS_SQL; the mart's columns by name (`q.*`: finding_zh when it has it).
DOCUMENT_IDENTITIES_SQL = """
    select d.source_path as source_path_, d.doc_id as doc_id_, d.disclosure_id as disclosure_id_,
           d.department_name as department_name_, d.fiscal_year as fiscal_year_, q.*
    from marts.dim_document d
    left join marts.mart_data_quality q
        on q.disclosure_id = d.disclosure_id and q.check_scope = 'within_table' and q.verdict <> 'pass'
        and starts_with(d.doc_id, split_part(q.table_ids[1], '-', 1))
    where d.is_loaded
    order by d.source_path, q.check_name, q.location
"""


def document_identity_verdicts(warehouse: Path) -> list[DocumentIdentities]:
    """Every loaded document of the warehouse, by source path, with the within-table identities
    of its tables that mart_data_quality does not pass (none: the document's identities hold).
    Empty when the file or the marts are missing."""
    with _marts(warehouse, "mart_data_quality", "dim_document") as con:
        if con is None:
            return []
        rows = _dicts(con.execute(DOCUMENT_IDENTITIES_SQL))
    documents: dict[str, tuple[tuple, list[IdentityBreak]]] = {}
    for r in rows:
        head = (r["doc_id_"], r["disclosure_id_"], r["department_name_"], r["fiscal_year_"])
        _, breaks = documents.setdefault(r["source_path_"], (head, []))
        if r["verdict"] is not None:  # the left join found a within-table instance that did not pass
            breaks.append(IdentityBreak(
                check_name=r["check_name"], location=r["location"], expected_yuan=r["expected_yuan"],
                actual_yuan=r["actual_yuan"], difference_yuan=r["difference_yuan"], verdict=r["verdict"],
                finding_zh=r.get("finding_zh")))
    return [DocumentIdentities(path, *head, breaks=tuple(breaks)) for path, (head, breaks) in documents.items()]
