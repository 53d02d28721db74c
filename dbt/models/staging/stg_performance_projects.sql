{#- The project each 绩效目标表 form states (项目名称, 项目编码, its money; amount NULL when the
    form prints none). fct_project adds those no 项目支出表 row of the disclosure prints. -#}
select
    doc_id,
    table_id,
    source_row,
    source_line,
    project_name,
    project_code,
    fund_source,
    value_year,
    cast(amount_yuan as decimal(18, 2)) as amount_yuan,
    project_name_key
from {{ source('staging', 'projects') }}
where table_kind = 'performance_target'
