"""Every SQL statement the report runs, in one place, so that a mart can be swapped for another
without touching the rendering.

The report is read from the published warehouse (schema `marts`) only. Some marts are being added
alongside it (`mart_expenditure_by_function`, `mart_revenue_by_source`, `mart_three_public`,
`mart_data_quality.finding_zh`, Chinese display dimensions); each query that can use one checks
`information_schema` first and otherwise derives the same rows from the facts every warehouse
has (`fct_expenditure`, `fct_revenue`, `fct_three_public`, `mart_budget_overview`,
`mart_data_quality`, `dim_*`). Amounts come back as `Decimal` (DuckDB DECIMAL), never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

# Fund sources in the order a total is best read from: all funds, then 财政拨款 as a whole, then
# the 一般公共预算 share (the only one some reports print in their function tables).
FUND_PRIORITY_SQL = """
    case fund_source when 'all' then 0 when 'fiscal_appropriation' then 1
                     when 'general_budget' then 2 else 9 end
"""


@dataclass(frozen=True)
class Schema:
    """What this warehouse has: tables of `marts` and their columns."""

    columns: dict[str, frozenset[str]]

    def has(self, table: str, column: str | None = None) -> bool:
        cols = self.columns.get(table)
        return cols is not None and (column is None or column in cols)


def read_schema(con: duckdb.DuckDBPyConnection) -> Schema:
    """The marts present, so each query can prefer a newer mart and fall back to the facts."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return Schema({t: frozenset(c) for t, c in found.items()})


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def load_info(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The load the report shows (every mart carries the same load_id)."""
    row = _rows(con, "select any_value(load_id) as load_id, count(*) as n from marts.mart_budget_overview")
    return row[0]


def overview(con: duckdb.DuckDBPyConnection, schema: Schema) -> list[dict[str, Any]]:
    """One row per disclosure: headline figures as printed, documents and their statuses, and the
    number of non-pass findings by verdict."""
    extra = [c for c in ("operating_expense_yuan", "procurement_yuan") if schema.has("mart_budget_overview", c)]
    extra_sql = "".join(f", o.{c}" for c in extra)
    return _rows(con, f"""
        select o.disclosure_id, o.department_name, o.fiscal_year, o.scope,
               o.total_revenue_yuan, o.total_expenditure_yuan, o.basic_expenditure_yuan,
               o.project_expenditure_yuan, o.personnel_yuan, o.public_admin_yuan,
               o.three_public_yuan, o.carryover_yuan, o.fiscal_appropriation_yuan,
               o.n_tables, o.n_quality_findings{extra_sql},
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


def documents(con: duckdb.DuckDBPyConnection, schema: Schema) -> list[dict[str, Any]]:
    """Every document of the load, loaded or not, with its status and reason, and the reason's
    Chinese name where the warehouse classifies reasons (dim_status_reason: status × pattern)."""
    if all(schema.has("dim_status_reason", c) for c in ("status", "pattern", "name_zh")):
        reason_zh = """(select r.name_zh from marts.dim_status_reason r
                        where r.status = d.status and regexp_matches(d.status_reason, r.pattern)
                        order by r.name_zh limit 1)"""
    else:
        reason_zh = "null"
    return _rows(con, f"""
        select d.doc_id, d.disclosure_id, d.source_path, d.format, d.status, d.status_reason,
               {reason_zh} as status_reason_zh, d.is_loaded, d.department_name, d.fiscal_year,
               d.n_tables, d.n_line_items
        from marts.dim_document d order by d.source_path
    """)


def status_names(con: duckdb.DuckDBPyConnection, schema: Schema) -> dict[str, str]:
    """Chinese names of document statuses where the warehouse has them (dim_status)."""
    if not schema.has("dim_status", "name_zh"):
        return {}
    key = "status" if schema.has("dim_status", "status") else None
    if key is None:
        return {}
    return {r["status"]: r["name_zh"] for r in _rows(con, "select status, name_zh from marts.dim_status")}


def table_kind_names(con: duckdb.DuckDBPyConnection, schema: Schema) -> dict[str, str]:
    """Chinese names of table kinds where the warehouse has them (dim_table_kind)."""
    if not schema.has("dim_table_kind", "name_zh"):
        return {}
    key = next((c for c in ("table_kind", "kind", "source_table_kind") if schema.has("dim_table_kind", c)), None)
    if key is None:
        return {}
    return {r["k"]: r["name_zh"] for r in _rows(con, f"select {key} as k, name_zh from marts.dim_table_kind")}


def three_public_item_names(con: duckdb.DuckDBPyConnection, schema: Schema) -> dict[str, str]:
    """Chinese names of 三公 items where the warehouse has them (dim_three_public_item)."""
    if not schema.has("dim_three_public_item", "name_zh"):
        return {}
    key = next((c for c in ("item", "three_public_item") if schema.has("dim_three_public_item", c)), None)
    if key is None:
        return {}
    return {r["k"]: r["name_zh"] for r in _rows(con, f"select {key} as k, name_zh from marts.dim_three_public_item")}


def measure_names(con: duckdb.DuckDBPyConnection, schema: Schema) -> dict[str, str]:
    """Chinese names of measures where the warehouse has them (dim_measure)."""
    if not schema.has("dim_measure", "name_zh"):
        return {}
    key = next((c for c in ("measure", "code") if schema.has("dim_measure", c)), None)
    if key is None:
        return {}
    return {r["k"]: r["name_zh"] for r in _rows(con, f"select {key} as k, name_zh from marts.dim_measure")}


def fund_source_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Chinese names of fund sources (dim_fund_source.name_zh)."""
    return {r["fund_source"]: r["name_zh"] for r in _rows(con, "select fund_source, name_zh from marts.dim_fund_source")}


def revenue_by_source(con: duckdb.DuckDBPyConnection, schema: Schema, disclosure_id: str) -> list[dict[str, Any]]:
    """Revenue of one disclosure by leaf fund source (sources with no child source printed), so
    the parts add up to the revenue total instead of counting 财政拨款 and its 一般公共预算 share
    twice. Budget-year values only."""
    if schema.has("mart_revenue_by_source"):
        amount = next((c for c in ("amount_yuan", "revenue_yuan") if schema.has("mart_revenue_by_source", c)), None)
        if amount and schema.has("mart_revenue_by_source", "fund_source"):
            return _rows(con, f"""
                select r.fund_source, coalesce(f.name_zh, r.fund_source) as name_zh, r.{amount} as amount_yuan
                from marts.mart_revenue_by_source r
                left join marts.dim_fund_source f using (fund_source)
                where r.disclosure_id = ?
                order by r.{amount} desc, r.fund_source
            """, [disclosure_id])
    # Fallback: the report's own total by fund (rows without a function code, first printing by
    # table priority), else the sum of its 类 rows; then keep the leaves.
    return _rows(con, """
        with d as (select fiscal_year from marts.dim_disclosure where disclosure_id = $1),
        totals as (
            select fund_source, amount_yuan::decimal(38, 2) as amount_yuan
            from marts.fct_revenue r, d
            where r.disclosure_id = $1 and r.function_code is null and r.value_year = d.fiscal_year
            qualify row_number() over (partition by fund_source
                                       order by case source_table_kind when 'budget_summary' then 0 else 1 end,
                                                source_line) = 1
        ),
        by_class as (
            select fund_source, sum(amount_yuan) as amount_yuan
            from marts.fct_revenue r, d
            where r.disclosure_id = $1 and r.function_code_level = '类' and r.value_year = d.fiscal_year
              and fund_source not in (select fund_source from totals)
            group by fund_source
        ),
        present as (select * from totals union all select * from by_class),
        ancestors as (  -- fund source × every source it nests in (一般公共预算 → 财政拨款 → all)
            with recursive a(fund_source, ancestor) as (
                select fund_source, parent_fund_source from marts.dim_fund_source
                where parent_fund_source is not null
                union all
                select a.fund_source, f.parent_fund_source
                from a join marts.dim_fund_source f on f.fund_source = a.ancestor
                where f.parent_fund_source is not null)
            select * from a
        )
        select p.fund_source, coalesce(f.name_zh, p.fund_source) as name_zh, p.amount_yuan
        from present p left join marts.dim_fund_source f using (fund_source)
        where not exists (
            select 1 from ancestors a join present q on q.fund_source = a.fund_source
            where a.ancestor = p.fund_source)
        order by p.amount_yuan desc, p.fund_source
    """, [disclosure_id])


def expenditure_by_class(con: duckdb.DuckDBPyConnection, schema: Schema, disclosure_id: str) -> list[dict[str, Any]]:
    """Spending of one disclosure by function 类: total, basic and project, and the fund source
    the figures are of (all funds when printed, else 财政拨款, else 一般公共预算). A report that
    prints only 项 codes (7 digits) is summed up to its 类."""
    mart = "mart_expenditure_by_function"
    if all(schema.has(mart, c) for c in ("code", "code_level", "basic_yuan", "project_yuan", "total_yuan")):
        fund = next((f"m.{c}" for c in ("fund_scope", "fund_source") if schema.has(mart, c)), "null")
        name = "m.code_name" if schema.has(mart, "code_name") else "null"
        return _rows(con, f"""
            select m.code, coalesce({name}, c.name, m.code) as name, m.basic_yuan, m.project_yuan,
                   m.total_yuan, {fund} as fund_source
            from marts.{mart} m
            left join marts.dim_function_code c using (code)
            where m.disclosure_id = ? and m.code_level = '类'
            order by m.code
        """, [disclosure_id])
    return _rows(con, f"""
        with d as (select fiscal_year from marts.dim_disclosure where disclosure_id = $1),
        e as (
            select measure, fund_source, code_level, left(code, 3) as class_code, amount_yuan
            from marts.fct_expenditure f, d
            where f.disclosure_id = $1 and f.classification = 'function' and f.value_year = d.fiscal_year
              and f.measure in ('total', 'basic', 'project') and f.code is not null
        ),
        -- per measure: the best fund source printed, and the coarsest level printed for it
        pick as (
            select measure, fund_source, code_level from (
                select distinct measure, fund_source, code_level,
                       {FUND_PRIORITY_SQL} as fund_rank,
                       case code_level when '类' then 0 when '款' then 1 else 2 end as level_rank
                from e where fund_source in ('all', 'fiscal_appropriation', 'general_budget'))
            qualify row_number() over (partition by measure order by fund_rank, level_rank) = 1
        ),
        by_class as (
            select e.measure, e.fund_source, e.class_code, sum(e.amount_yuan) as amount_yuan
            from e join pick using (measure, fund_source, code_level)
            group by all
        )
        select b.class_code as code, coalesce(c.name, b.class_code) as name,
               sum(amount_yuan) filter (where measure = 'basic') as basic_yuan,
               sum(amount_yuan) filter (where measure = 'project') as project_yuan,
               sum(amount_yuan) filter (where measure = 'total') as total_yuan,
               string_agg(distinct b.fund_source, ',' order by b.fund_source) as fund_source
        from by_class b left join marts.dim_function_code c on c.code = b.class_code
        group by all order by code
    """, [disclosure_id])


def three_public_by_year(con: duckdb.DuckDBPyConnection, schema: Schema, disclosure_id: str) -> list[dict[str, Any]]:
    """三公 of one disclosure: every item × every value year printed (a table with 上年 | 本年
    columns gives both). Per item and year the all-funds figure, else 财政拨款, else the sum of the
    budgets under 财政拨款 (a table that splits every column by fund)."""
    if schema.has("mart_three_public", "value_year"):
        cols = sorted(schema.columns["mart_three_public"] - {"disclosure_id", "value_year", "load_id", "fund_source"})
        items = [c for c in cols if c.endswith("_yuan")]
        if items:
            rows = _rows(con, f"""
                select value_year, {", ".join(items)} from marts.mart_three_public
                where disclosure_id = ? order by value_year
            """, [disclosure_id])
            out = []
            for row in rows:
                for col in items:
                    if row[col] is not None:
                        out.append({"value_year": row["value_year"], "item": col.removesuffix("_yuan"),
                                    "amount_yuan": row[col]})
            return out
    return _rows(con, f"""
        with t as (
            select item, value_year, fund_source, amount_yuan
            from marts.fct_three_public where disclosure_id = $1
        ),
        direct as (
            select item, value_year, amount_yuan from (
                select item, value_year, amount_yuan, {FUND_PRIORITY_SQL} as fund_rank
                from t where fund_source in ('all', 'fiscal_appropriation'))
            qualify row_number() over (partition by item, value_year order by fund_rank) = 1
        ),
        split as (
            select item, value_year, sum(amount_yuan) as amount_yuan
            from t join marts.dim_fund_source f using (fund_source)
            where f.parent_fund_source = 'fiscal_appropriation'
              and (item, value_year) not in (select (item, value_year) from direct)
            group by all
        )
        select item, value_year, amount_yuan::decimal(38, 2) as amount_yuan from direct
        union all select item, value_year, amount_yuan from split
        order by value_year, item
    """, [disclosure_id])


def findings(con: duckdb.DuckDBPyConnection, schema: Schema, disclosure_id: str | None = None) -> list[dict[str, Any]]:
    """Non-pass quality findings (warn, fail), with the Chinese sentence where the warehouse has
    it (`finding_zh`), and the tables they concern (`table_ids` link to the source tables)."""
    zh = "q.finding_zh" if schema.has("mart_data_quality", "finding_zh") else "null"
    where = "and q.disclosure_id = ?" if disclosure_id else ""
    check_zh, join = _check_names(schema)
    return _rows(con, f"""
        select q.check_id, q.disclosure_id, d.department_name, d.fiscal_year, q.check_scope, q.check_name,
               {check_zh} as check_name_zh,
               q.tables_involved, q.table_ids, q.location, q.expected_yuan, q.actual_yuan,
               q.difference_yuan, q.tolerance_yuan, q.n_terms, q.verdict, q.explanation, {zh} as finding_zh
        from marts.mart_data_quality q left join marts.dim_disclosure d using (disclosure_id)
        {join}
        where q.verdict <> 'pass' {where}
        order by case q.verdict when 'fail' then 0 else 1 end, d.fiscal_year desc, d.department_name,
                 q.check_scope, q.check_name, q.location
    """, [disclosure_id] if disclosure_id else [])


def _check_names(schema: Schema) -> tuple[str, str]:
    """The Chinese name of a check (dim_quality_check by check_kind) where the warehouse has it:
    (select expression, join clause) over `marts.mart_data_quality q`."""
    if schema.has("mart_data_quality", "check_kind") and schema.has("dim_quality_check", "name_zh") \
            and schema.has("dim_quality_check", "check_kind"):
        return "k.name_zh", "left join marts.dim_quality_check k on k.check_kind = q.check_kind"
    return "null", ""


def checks_summary(con: duckdb.DuckDBPyConnection, schema: Schema) -> list[dict[str, Any]]:
    """Every identity checked, counted by scope, check and verdict (passes included)."""
    check_zh, join = _check_names(schema)
    return _rows(con, f"""
        select q.check_scope, q.check_name, any_value({check_zh}) as check_name_zh,
               count(*) as n, count(*) filter (where q.verdict = 'pass') as n_pass,
               count(*) filter (where q.verdict = 'warn') as n_warn,
               count(*) filter (where q.verdict = 'fail') as n_fail
        from marts.mart_data_quality q {join}
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
