{#- The same total printed in two tables, and the 项目支出表's projects against the project
    total of the summary tables. -#}
with kinds as (
    select table_id, table_kind from {{ ref('stg_tables') }}
),

totals as (
    select
        pairs.disclosure_id,
        'cross-table total: ' || pairs.measure || ' (' || pairs.fund_source || ')' as check_name,
        [pairs.left_title, pairs.right_title] as tables_involved,
        [pairs.left_table_id, pairs.right_table_id] as table_ids,
        [left_kind.table_kind, right_kind.table_kind] as table_kinds,
        pairs.side || ' side, ' || coalesce(pairs.value_year::varchar, '') as location,
        pairs.expected, pairs.actual, pairs.n_terms, pairs.multiplier,
        pairs.measure, pairs.fund_source, pairs.side, pairs.value_year
    from ({{ identity_cross_table(ref('int_line_items')) }}) as pairs
    left join kinds as left_kind on left_kind.table_id = pairs.left_table_id
    left join kinds as right_kind on right_kind.table_id = pairs.right_table_id
),

projects as (
    select
        d.disclosure_id,
        list(distinct t.title) as tables_involved,
        list(distinct p.table_id) as table_ids,
        list(distinct t.table_kind order by t.table_kind) as table_kinds,
        sum(p.amount_yuan) as actual,
        count(*) as n_terms,
        max(t.unit_multiplier) as multiplier
    from {{ ref('stg_projects') }} as p
    inner join {{ ref('int_documents') }} as d using (doc_id)
    inner join {{ ref('stg_tables') }} as t using (table_id)
    where p.fund_source = 'all'
    group by d.disclosure_id
),

project_total as (
    select
        projects.disclosure_id,
        'projects = project spending total' as check_name,
        projects.tables_involved,
        projects.table_ids,
        projects.table_kinds,
        'Σ of ' || projects.n_terms || ' projects' as location,
        figures.project_expenditure_yuan as expected,
        projects.actual,
        projects.n_terms,
        projects.multiplier
    from projects
    inner join {{ ref('int_disclosure_figures') }} as figures using (disclosure_id)
    where figures.project_expenditure_yuan is not null
)

select disclosure_id, 'cross_table' as check_scope, check_name, 'cross_table_total' as check_kind,
       tables_involved, table_ids, table_kinds, location, expected, actual, n_terms, multiplier,
       measure, fund_source, side, value_year
from totals
union all
select disclosure_id, 'cross_table' as check_scope, check_name, 'project_total' as check_kind,
       tables_involved, table_ids, table_kinds, location, expected, actual, n_terms, multiplier,
       null as measure, 'all' as fund_source, null as side, null as value_year
from project_total
