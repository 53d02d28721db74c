{#- A naive sum of mart_revenue_by_source per disclosure is the revenue total the report prints
    (mart_budget_overview.total_revenue_yuan, 收入总计 with carry-over), within the DESIGN rounding
    tolerance: the fund-source nesting is resolved, nothing counted twice. Severity warn (a
    收支总表 whose revenue rows do not add up to its 收入总计 is the publisher's);
    tests/integration/test_safe_marts.py pins the sample figures. -#}
{{ config(severity='warn') }}
with sums as (
    select disclosure_id, sum(amount_yuan) as mart_yuan, count(*) as n_terms, max(unit_multiplier) as multiplier
    from {{ ref('mart_revenue_by_source') }}
    group by disclosure_id
)

select s.disclosure_id, s.mart_yuan, o.total_revenue_yuan as headline_yuan,
       {{ rounding_tolerance('s.n_terms', 's.multiplier') }} as tolerance_yuan
from sums as s
inner join {{ ref('mart_budget_overview') }} as o using (disclosure_id)
where o.total_revenue_yuan is not null
  and abs(s.mart_yuan - o.total_revenue_yuan) > {{ rounding_tolerance('s.n_terms', 's.multiplier') }}
