{#- The same total printed in two tables, and the 项目支出表's projects against the project
    total of the summary tables. -#}
with totals as (
    select
        disclosure_id,
        'cross-table total: ' || measure || ' (' || fund_source || ')' as check_name,
        [left_title, right_title] as tables_involved,
        [left_table_id, right_table_id] as table_ids,
        side || ' side, ' || coalesce(value_year::varchar, '') as location,
        expected, actual, n_terms, multiplier
    from ({{ identity_cross_table(ref('int_line_items')) }})
),

projects as (
    select
        d.disclosure_id,
        list(distinct t.title) as tables_involved,
        list(distinct p.table_id) as table_ids,
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
        'Σ of ' || projects.n_terms || ' projects' as location,
        figures.project_expenditure_yuan as expected,
        projects.actual,
        projects.n_terms,
        projects.multiplier
    from projects
    inner join {{ ref('int_disclosure_figures') }} as figures using (disclosure_id)
    where figures.project_expenditure_yuan is not null
)

select disclosure_id, 'cross_table' as check_scope, check_name, tables_involved, table_ids, location,
       expected, actual, n_terms, multiplier
from totals
union all
select disclosure_id, 'cross_table' as check_scope, check_name, tables_involved, table_ids, location,
       expected, actual, n_terms, multiplier
from project_total
