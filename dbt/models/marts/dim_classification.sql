{#- The classification systems codes belong to (fct_expenditure.classification and code_system):
    支出功能分类, 支出经济分类 in its 部门 and 政府 systems, and the non-code axes. -#}
select system, name_zh, parent_system, {{ load_id() }} as load_id
from {{ ref('classifications') }}
