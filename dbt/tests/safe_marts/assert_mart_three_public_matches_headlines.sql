{#- A naive sum of mart_three_public's total_yuan over the budget year's rows per disclosure is
    the 三公 headline (mart_budget_overview.three_public_yuan, 0 for a declared-empty table),
    within the DESIGN rounding tolerance: one fund scope, one row per year, no fund column
    counted twice. Severity warn; tests/integration/test_safe_marts.py pins the sample figures. -#}
{{ config(severity='warn') }}
with sums as (
    select disclosure_id, sum(total_yuan) as mart_yuan, max(unit_multiplier) as multiplier
    from {{ ref('mart_three_public') }}
    where is_budget_year
    group by disclosure_id
)

select s.disclosure_id, s.mart_yuan, o.three_public_yuan as headline_yuan
from sums as s
inner join {{ ref('mart_budget_overview') }} as o using (disclosure_id)
where o.three_public_yuan is not null
  and abs(s.mart_yuan - o.three_public_yuan) > {{ rounding_tolerance(1, 'coalesce(s.multiplier, 1)') }}
