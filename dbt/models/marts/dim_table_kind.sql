{#- The standard tables of a 部门预算公开 as the classifier names them, with their Chinese titles:
    facts carry the kind of the table they were read from (source_table_kind). -#}
select table_kind, name_zh, is_budget_table, description_zh, {{ load_id() }} as load_id
from {{ ref('table_kinds') }}
