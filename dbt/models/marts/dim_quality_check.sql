{#- Every kind of check mart_data_quality lists (its check_kind), in Chinese: what it checks, and
    what its expected and actual sides are called in a finding. -#}
select check_kind, check_scope, check_scope_zh, name_zh, expected_zh, actual_zh, {{ load_id() }} as load_id
from {{ ref('quality_checks') }}
