"""A BI tool's view of the published warehouse: SQLAlchemy + duckdb_engine (what Superset and
most Python BI tools use), read-only, listing the marts with their comments and querying one.

Column reflection (`Inspector.get_columns`) works with SQLAlchemy up to 2.0.44; from 2.0.45 on,
SQLAlchemy's PostgreSQL column query joins pg_catalog.pg_collation in a way DuckDB cannot bind
(duckdb_engine 0.17.0, issue Mause/duckdb_engine#1379), and get_pk_constraint, get_foreign_keys
and MetaData.reflect fail too (REGCLASS). The README's "Connecting BI tools" gives the known-good
versions. On a newer SQLAlchemy this test asserts exactly that failure and reads the same
comments from information_schema.columns, as a tool stuck on it can."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError

from tests.published_sample import published_sample

MARTS = {"dim_department", "dim_disclosure", "dim_document", "dim_economic_code", "dim_fiscal_year",
         "dim_function_code", "dim_fund_source", "dim_measure", "dim_three_public_item", "dim_table_kind",
         "dim_status", "dim_status_reason", "dim_quality_check", "dim_classification", "dim_label",
         "fct_expenditure", "fct_revenue", "fct_three_public", "fct_project", "fct_performance_indicator",
         "mart_budget_overview", "mart_data_quality"}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


COLUMN_REFLECTION_WORKS = _version(sa.__version__) < (2, 0, 45)


@pytest.fixture(scope="module")
def engine() -> Iterator[sa.Engine]:
    # the URL form a BI tool's connection dialog takes; read_only so that a reader never takes
    # the write lock (a load then publishes beside it: the rename never waits for readers)
    eng = sa.create_engine(f"duckdb:///{published_sample()}", connect_args={"read_only": True})
    yield eng
    eng.dispose()


def test_marts_listed_with_table_comments(engine):
    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names(schema="marts"))
    assert tables >= MARTS
    comments = {t: inspector.get_table_comment(t, schema="marts")["text"] for t in tables}
    assert [t for t, text in comments.items() if not text] == []
    assert comments["dim_measure"].startswith("Measures (spending categories) with their Chinese names")


def columns_with_comments(engine: sa.Engine, table: str) -> dict[str, str | None]:
    """Column name -> comment as a BI tool sees it: reflection where it works, else the catalog."""
    inspector = sa.inspect(engine)
    if COLUMN_REFLECTION_WORKS:
        return {c["name"]: c.get("comment") for c in inspector.get_columns(table, schema="marts")}
    with pytest.raises(ProgrammingError, match="pg_collation"):
        inspector.get_columns(table, schema="marts")
    with engine.connect() as con:
        rows = con.execute(sa.text("""
            select column_name, column_comment from information_schema.columns
            where table_schema = 'marts' and table_name = :t order by ordinal_position"""), {"t": table})
        return dict(rows.fetchall())


def test_columns_listed_with_their_comments(engine):
    columns = columns_with_comments(engine, "dim_measure")
    assert list(columns) == ["measure", "name_zh", "parent_measure", "is_spending_category", "load_id"]
    assert columns["name_zh"] == "The Chinese term reports print (公用经费 for public_admin)."
    assert columns["measure"].startswith("Spending category of the amount")
    fund = columns_with_comments(engine, "dim_fund_source")
    assert fund["name_zh"] == "The Chinese term reports print."


def test_a_query_through_sqlalchemy_gives_the_sample_figures(engine):
    """兴隆's 公用经费 (public_admin) of 2101501 行政运行, labelled in Chinese: what a BI chart shows."""
    with engine.connect() as con:
        rows = con.execute(sa.text("""
            select m.name_zh, sum(e.amount_yuan)
            from marts.fct_expenditure e
            join marts.dim_measure m using (measure)
            join marts.dim_disclosure d using (disclosure_id)
            where d.department_name = '兴隆县医疗保障局本级' and e.code = '2101501'
              and e.fund_source = 'all' and e.measure in ('total', 'basic', 'project')
            group by 1 order by 1""")).fetchall()
    assert rows == [("合计", Decimal("4813900.00")), ("基本支出", Decimal("2154900.00")),
                    ("项目支出", Decimal("2659000.00"))]


def test_the_connection_is_read_only(engine):
    with engine.connect() as con:
        assert con.execute(sa.text("select current_setting('access_mode')")).scalar() == "read_only"
        with pytest.raises(sa.exc.DBAPIError, match="read-only"):
            con.execute(sa.text("create table marts.scratch as select 1 as x"))
