{#- What a document's status (dim_document.status) and a check's verdict
    (mart_data_quality.verdict) mean, in Chinese. -#}
select status, applies_to, name_zh, description_zh, {{ load_id() }} as load_id
from {{ ref('statuses') }}
