{#- The measure vocabulary (which spending category an amount is) with the Chinese terms reports
    print, so that a BI tool shows 公用经费 where the facts say public_admin. -#}
select measure, name_zh, parent_measure, is_spending_category, {{ load_id() }} as load_id
from {{ ref('measures') }}
