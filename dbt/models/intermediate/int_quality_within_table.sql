{#- Every within-table identity instance, over all tables of loaded documents (not only the
    designated ones: a broken identity anywhere is worth knowing). -#}
{#- The key of one printed row of one table, which the row identities group by. -#}
{%- set table_row = ['disclosure_id', 'table_id', 'source_row', 'row_label', 'code', 'paired_code',
                     'budget_unit_code', 'fund_source', 'value_year'] %}
with line_items as (
    select * from {{ ref('int_line_items') }}
),

titles as (
    select table_id, table_title, table_kind from line_items group by all
),

-- what a finding names besides the numbers: the column's printed header and the code's level
columns as (
    select table_id, source_col, min(column_label) as column_label from line_items group by all
),

code_levels as (
    select table_id, code, min(code_level) as code_level from line_items where code is not null group by all
),

row_total as (
    select
        disclosure_id, table_id,
        'row total = Σ spending categories' as check_name,
        'row_total' as check_kind, code, row_label, source_row, fund_source, value_year,
        null::varchar as source_col, budget_unit_code, null::varchar as code_system,
        'row ' || source_row || coalesce(' ' || code, '') || ' ' || row_label
            || case when fund_source <> 'all' then ' (' || fund_source || ')' else '' end as location,
        expected, actual, n_terms, multiplier
    from ({{ identity_row_total(ref('int_line_items'),
            table_row, measure='fact_measure') }})
),

basic_parts as (
    select
        disclosure_id, table_id,
        'basic = personnel + public_admin' as check_name,
        'basic_parts' as check_kind, code, row_label, source_row, fund_source, value_year,
        null::varchar as source_col, budget_unit_code, null::varchar as code_system,
        'row ' || source_row || coalesce(' ' || code, '') || ' ' || row_label as location,
        expected, actual, n_terms, multiplier
    from ({{ identity_basic_parts(ref('int_line_items'),
            table_row, measure='fact_measure') }})
),

parent_children as (
    select
        disclosure_id, table_id,
        'parent code = Σ child codes' as check_name,
        'parent_children' as check_kind, code, null::varchar as row_label, null::integer as source_row,
        null::varchar as fund_source, null::integer as value_year,
        source_col::varchar as source_col, budget_unit_code, code_system,
        'code ' || code || ', column ' || source_col || coalesce(', unit ' || budget_unit_code, '') as location,
        expected, actual, n_terms, multiplier
    from ({{ identity_parent_children(ref('int_line_items'),
            ['disclosure_id', 'table_id', 'source_col', 'budget_unit_code', 'code_system']) }})
),

column_total as (
    select
        disclosure_id, table_id,
        'column total = Σ top-level codes' as check_name,
        'column_total' as check_kind, null::varchar as code, null::varchar as row_label, null::integer as source_row,
        null::varchar as fund_source, null::integer as value_year,
        source_col::varchar as source_col, null::varchar as budget_unit_code, code_system,
        'column ' || source_col || ' (' || code_system || ')' as location,
        expected, actual, n_terms, multiplier
    from ({{ identity_column_total(ref('int_line_items'), ['disclosure_id', 'table_id', 'source_col']) }})
),

three_public as (
    select
        disclosure_id, table_id,
        part as check_name,
        case when part like 'vehicles%' then 'three_public_vehicles' else 'three_public_total' end as check_kind,
        null::varchar as code, null::varchar as row_label, null::integer as source_row, fund_source, value_year,
        null::varchar as source_col, null::varchar as budget_unit_code, null::varchar as code_system,
        value_year || ' ' || fund_source as location,
        expected, actual, n_terms, multiplier
    from ({{ identity_three_public(
            '(select * from ' ~ ref('int_line_items') ~ " where fact = 'three_public')",
            ['disclosure_id', 'table_id', 'fund_source', 'value_year'], order='printing_order') }})
),

revenue_expenditure as (
    select
        disclosure_id, table_id,
        '收入总计 = 支出总计' as check_name,
        'revenue_expenditure' as check_kind, null::varchar as code, null::varchar as row_label,
        null::integer as source_row, null::varchar as fund_source, null::integer as value_year,
        null::varchar as source_col, null::varchar as budget_unit_code, null::varchar as code_system,
        'largest total on each side' as location,
        expected, actual, n_terms, multiplier
    from ({{ identity_revenue_expenditure(
            '(select * from ' ~ ref('int_line_items') ~ " where table_kind = 'budget_summary')",
            ['disclosure_id', 'table_id']) }})
),

checks as (
    select * from row_total
    union all select * from basic_parts
    union all select * from parent_children
    union all select * from column_total
    union all select * from three_public
    union all select * from revenue_expenditure
)

select
    checks.disclosure_id,
    'within_table' as check_scope,
    checks.check_name,
    checks.check_kind,
    [titles.table_title] as tables_involved,
    [titles.table_kind] as table_kinds,
    [checks.table_id] as table_ids,
    checks.location,
    checks.expected,
    checks.actual,
    checks.n_terms,
    checks.multiplier,
    -- the parts of the place a finding names, for marts.mart_data_quality.finding_zh
    checks.code,
    code_levels.code_level,
    checks.code_system,
    checks.row_label,
    checks.source_row,
    checks.source_col,
    columns.column_label,
    checks.budget_unit_code,
    checks.fund_source,
    checks.value_year
from checks
inner join titles using (table_id)
left join columns on columns.table_id = checks.table_id and columns.source_col::varchar = checks.source_col
left join code_levels on code_levels.table_id = checks.table_id and code_levels.code = checks.code
