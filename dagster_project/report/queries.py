"""Every SQL statement the report runs, in one place, so that a mart can be swapped for another
without touching the rendering.

The report is read from the published warehouse (schema `marts`) only, and from the marts that
are safe to sum (`mart_expenditure_by_function`, `mart_revenue_by_source`, `mart_three_public`):
which fund scope, which level and which fund sources add up is decided once, in dbt, and the
report shows it. Chinese names come from the display-name dims. Amounts come back as `Decimal`
(DuckDB DECIMAL), never float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb

from dagster_project.report.labels import THREE_PUBLIC_ORDER as THREE_PUBLIC_ITEMS

# What a report needs of a warehouse: a file published before these marts existed is refused
# with a clear reason (reload it), not rendered from a guess.
REQUIRED = ("mart_budget_overview", "mart_data_quality", "mart_expenditure_by_function",
            "mart_revenue_by_source", "mart_three_public", "dim_document", "dim_status",
            "dim_status_reason", "dim_table_kind", "dim_measure", "dim_three_public_item",
            "dim_quality_check", "dim_fund_source", "dim_function_code")


def missing_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts of REQUIRED the warehouse lacks."""
    present = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    return [t for t in REQUIRED if t not in present]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def load_info(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The load the report shows (every mart carries the same load_id)."""
    row = _rows(con, "select any_value(load_id) as load_id, count(*) as n from marts.mart_budget_overview")
    return row[0]


def overview(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per disclosure: headline figures as printed, documents and their statuses, and the
    number of non-pass findings by verdict."""
    return _rows(con, """
        select o.disclosure_id, o.department_name, o.fiscal_year, o.scope,
               o.total_revenue_yuan, o.total_expenditure_yuan, o.basic_expenditure_yuan,
               o.project_expenditure_yuan, o.personnel_yuan, o.public_admin_yuan,
               o.three_public_yuan, o.carryover_yuan, o.fiscal_appropriation_yuan,
               o.n_tables, o.n_quality_findings, o.operating_expense_yuan, o.procurement_yuan,
               coalesce(f.n_fail, 0) as n_fail, coalesce(f.n_warn, 0) as n_warn,
               coalesce(d.statuses, []) as statuses, coalesce(d.source_paths, []) as source_paths
        from marts.mart_budget_overview o
        left join (
            select disclosure_id,
                   count(*) filter (where verdict = 'fail') as n_fail,
                   count(*) filter (where verdict = 'warn') as n_warn
            from marts.mart_data_quality group by disclosure_id
        ) f using (disclosure_id)
        left join (
            select disclosure_id, list(distinct status order by status) as statuses,
                   list(source_path order by source_path) as source_paths
            from marts.dim_document group by disclosure_id
        ) d using (disclosure_id)
        order by o.fiscal_year desc, o.department_name nulls last, o.disclosure_id
    """)


def documents(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every document of the load, loaded or not, with its status and reason, and the reason's
    Chinese name (dim_status_reason: status × pattern)."""
    return _rows(con, """
        select d.doc_id, d.disclosure_id, d.source_path, d.format, d.status, d.status_reason,
               (select r.name_zh from marts.dim_status_reason r
                where r.status = d.status and regexp_matches(d.status_reason, r.pattern)
                order by r.name_zh limit 1) as status_reason_zh,
               d.is_loaded, d.department_name, d.fiscal_year, d.n_tables, d.n_line_items
        from marts.dim_document d order by d.source_path
    """)


def display_names(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Chinese names of every vocabulary the report shows, from the display-name dims:
    {vocabulary: {slug: name}}."""
    rows = con.execute("""
        select 'status', status, name_zh from marts.dim_status where applies_to = 'document'
        union all select 'verdict', status, name_zh from marts.dim_status where applies_to = 'verdict'
        union all select 'table_kind', table_kind, name_zh from marts.dim_table_kind
        union all select 'measure', measure, name_zh from marts.dim_measure
        union all select 'three_public', item, name_zh from marts.dim_three_public_item
        union all select 'fund_source', fund_source, name_zh from marts.dim_fund_source
        union all select distinct 'check_scope', check_scope, check_scope_zh from marts.dim_quality_check
    """).fetchall()
    names: dict[str, dict[str, str]] = {}
    for vocabulary, slug, name in rows:
        names.setdefault(vocabulary, {})[slug] = name
    return names


def revenue_by_source(con: duckdb.DuckDBPyConnection, disclosure_id: str) -> list[dict[str, Any]]:
    """Revenue of one disclosure by leaf fund source (mart_revenue_by_source: the parts add up to
    the revenue total instead of counting 财政拨款 and its 一般公共预算 share twice)."""
    return _rows(con, """
        select r.fund_source, coalesce(f.name_zh, r.fund_source) as name_zh, r.amount_yuan
        from marts.mart_revenue_by_source r
        left join marts.dim_fund_source f using (fund_source)
        where r.disclosure_id = ?
        order by r.amount_yuan desc, r.fund_source
    """, [disclosure_id])


def expenditure_by_class(con: duckdb.DuckDBPyConnection, disclosure_id: str) -> list[dict[str, Any]]:
    """Spending of one disclosure by function 类 (mart_expenditure_by_function: one fund scope,
    类 rolled up from 项 where only 项 is printed): total, basic, project and the fund scope."""
    return _rows(con, """
        select m.code, coalesce(m.code_name, m.code) as name, m.basic_yuan, m.project_yuan,
               m.total_yuan, m.fund_scope as fund_source
        from marts.mart_expenditure_by_function m
        where m.disclosure_id = ? and m.code_level = '类'
        order by m.code
    """, [disclosure_id])


def three_public_by_year(con: duckdb.DuckDBPyConnection, disclosure_id: str) -> list[dict[str, Any]]:
    """三公 of one disclosure: every item × every value year printed (mart_three_public, items as
    columns), as item rows; an item the report does not print is absent, not zero."""
    rows = _rows(con, f"""
        select value_year, {", ".join(f"{item}_yuan" for item in THREE_PUBLIC_ITEMS)}
        from marts.mart_three_public where disclosure_id = ? order by value_year
    """, [disclosure_id])
    return [{"value_year": row["value_year"], "item": item, "amount_yuan": row[f"{item}_yuan"]}
            for row in rows for item in THREE_PUBLIC_ITEMS if row[f"{item}_yuan"] is not None]


def findings(con: duckdb.DuckDBPyConnection, disclosure_id: str | None = None) -> list[dict[str, Any]]:
    """Non-pass quality findings (warn, fail) with their Chinese sentence (`finding_zh`) and the
    tables they concern (`table_ids` link to the source tables)."""
    where = "and q.disclosure_id = ?" if disclosure_id else ""
    return _rows(con, f"""
        select q.check_id, q.disclosure_id, d.department_name, d.fiscal_year, q.check_scope, q.check_name,
               k.name_zh as check_name_zh,
               q.tables_involved, q.table_ids, q.location, q.expected_yuan, q.actual_yuan,
               q.difference_yuan, q.tolerance_yuan, q.n_terms, q.verdict, q.explanation, q.finding_zh
        from marts.mart_data_quality q left join marts.dim_disclosure d using (disclosure_id)
        left join marts.dim_quality_check k on k.check_kind = q.check_kind
        where q.verdict <> 'pass' {where}
        order by case q.verdict when 'fail' then 0 else 1 end, d.fiscal_year desc, d.department_name,
                 q.check_scope, q.check_name, q.location
    """, [disclosure_id] if disclosure_id else [])


def checks_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every identity checked, counted by scope, check and verdict (passes included)."""
    return _rows(con, """
        select q.check_scope, q.check_name, any_value(k.name_zh) as check_name_zh,
               count(*) as n, count(*) filter (where q.verdict = 'pass') as n_pass,
               count(*) filter (where q.verdict = 'warn') as n_warn,
               count(*) filter (where q.verdict = 'fail') as n_fail
        from marts.mart_data_quality q
        left join marts.dim_quality_check k on k.check_kind = q.check_kind
        group by q.check_scope, q.check_name order by q.check_scope, q.check_name
    """)


def source_lines(con: duckdb.DuckDBPyConnection, disclosure_id: str) -> list[dict[str, Any]]:
    """Every line of a source table that a fact was read from, for the disclosure's appendix of
    source tables: the table, its kind, the document, the printed line and the amounts on it."""
    return _rows(con, """
        with f as (
            select doc_id, table_id, source_table_kind, source_line, source_row, row_label,
                   code, 'expenditure' as fact, measure, fund_source, value_year, amount_yuan, raw_text
            from marts.fct_expenditure where disclosure_id = $1
            union all
            select doc_id, table_id, source_table_kind, source_line, source_row, row_label,
                   function_code, 'revenue', 'revenue', fund_source, value_year, amount_yuan, raw_text
            from marts.fct_revenue where disclosure_id = $1
            union all
            select doc_id, table_id, 'three_public', source_line, source_row,
                   coalesce(row_label, column_label), null, 'three_public', item, fund_source, value_year,
                   amount_yuan, raw_text
            from marts.fct_three_public where disclosure_id = $1
            union all
            select doc_id, table_id, 'project_expenditure', source_line, source_row, project_name,
                   project_code, 'project', 'project', fund_source, value_year, amount_yuan, null
            from marts.fct_project where disclosure_id = $1
        )
        select f.*, d.source_path
        from f left join marts.dim_document d using (doc_id)
        order by d.source_path, f.table_id, f.source_line, f.source_row, f.fact, f.measure, f.fund_source, f.value_year
    """, [disclosure_id])


def disclosure_documents(con: duckdb.DuckDBPyConnection, disclosure_id: str) -> list[dict[str, Any]]:
    """The documents a disclosure was read from (a narrative file and a tables file may make one)."""
    return _rows(con, """
        select doc_id, source_path, format, status, status_reason, n_tables, n_line_items
        from marts.dim_document where disclosure_id = ? order by source_path
    """, [disclosure_id])


def to_decimal(value: Any) -> Decimal | None:
    """DuckDB returns DECIMAL as Decimal already; anything else (an integer count) is converted
    exactly through its string form, never through float."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))
