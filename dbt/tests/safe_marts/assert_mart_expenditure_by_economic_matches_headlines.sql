{#- A naive sum of mart_expenditure_by_economic's 类 rows per disclosure and code system is
    the disclosure's headline total and basic spending (mart_budget_overview), within the DESIGN
    rounding tolerance: equal in the all-funds scope, at most the headline in a narrower one.
    Economic tables often cover basic spending only, so a measure the mart does not have is not
    compared. Severity warn (a publisher's table that does not add up); tests/integration/test_safe_marts.py
    pins the sample figures. -#}
{{ config(severity='warn') }}
with sums as (
    select
        disclosure_id,
        code_system,
        any_value(fund_scope) as fund_scope,
        count(*) as n_terms,
        max(unit_multiplier) as multiplier,
        sum(total_yuan) filter (where code_level = '类') as total_yuan,
        sum(basic_yuan) filter (where code_level = '类') as basic_yuan
    from {{ ref('mart_expenditure_by_economic') }}
    group by disclosure_id, code_system
),

compared as (
    select s.disclosure_id, s.code_system, s.fund_scope, m.measure, m.mart_yuan, m.headline_yuan,
           {{ rounding_tolerance('s.n_terms', 's.multiplier') }} as tolerance_yuan
    from sums as s
    inner join {{ ref('mart_budget_overview') }} as o using (disclosure_id)
    cross join lateral (
        values ('total', s.total_yuan, o.total_expenditure_yuan),
               ('basic', s.basic_yuan, o.basic_expenditure_yuan)
    ) as m(measure, mart_yuan, headline_yuan)  -- noqa: LT01
    where m.mart_yuan is not null and m.headline_yuan is not null
)

select * from compared
where (fund_scope = 'all' and abs(mart_yuan - headline_yuan) > tolerance_yuan)
   or (fund_scope <> 'all' and mart_yuan > headline_yuan + tolerance_yuan)
