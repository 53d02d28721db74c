{#- Projects of the 项目支出表 (leaf rows). Projects a 绩效目标表 form states are staged in the same
    source with table_kind = 'performance_target' and read by stg_performance_projects: the
    reconciliations of the 项目支出表 (int_quality_*) count only its own rows. -#}
select
    doc_id,
    table_id,
    source_row,
    source_line,
    project_name,
    project_code,
    project_type,
    budget_unit_code,
    fund_source,
    value_year,
    cast(amount_yuan as decimal(18, 2)) as amount_yuan,
    project_name_key
from {{ source('staging', 'projects') }}
where table_kind = 'project_expenditure'
