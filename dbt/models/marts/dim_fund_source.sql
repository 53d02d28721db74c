{#- The fund-source vocabulary and how it nests (财政拨款 = 一般公共预算 + 政府性基金 + 国有资本经营). -#}
select
    fund_source,
    name_zh,
    parent_fund_source,
    {{ load_id() }} as load_id
from {{ ref('fund_sources') }}
