{#- The smaller vocabularies of the marts (dim_department.admin_level, the origin of a code,
    mart_data_quality.comparison), each slug with its Chinese display name. -#}
select vocabulary, slug, name_zh, {{ load_id() }} as load_id
from {{ ref('labels') }}
