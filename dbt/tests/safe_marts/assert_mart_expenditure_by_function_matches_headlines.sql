{#- A naive sum of mart_expenditure_by_function's 类 rows per disclosure is the disclosure's
    headline (mart_budget_overview), for total, basic and project spending, within the DESIGN
    rounding tolerance over the mart's rows (rolled-up levels add their terms' rounding). In the
    all-funds scope it must equal the headline; in a narrower scope (一般公共预算 only) it may
    only fall short. Severity warn: a miss is a publisher's table that does not add up (兴隆's
    基本支出 by 项), also listed in mart_data_quality; the pytest tests/integration/test_safe_marts.py pins the
    sample figures. Returns the disclosures and measures that miss. -#}
{{ config(severity='warn') }}
with sums as (
    select
        disclosure_id,
        any_value(fund_scope) as fund_scope,
        count(*) as n_terms,
        max(unit_multiplier) as multiplier,
        sum(total_yuan) filter (where code_level = '类') as total_yuan,
        sum(basic_yuan) filter (where code_level = '类') as basic_yuan,
        sum(project_yuan) filter (where code_level = '类') as project_yuan
    from {{ ref('mart_expenditure_by_function') }}
    group by disclosure_id
),

compared as (
    select s.disclosure_id, s.fund_scope, m.measure, m.mart_yuan, m.headline_yuan,
           {{ rounding_tolerance('s.n_terms', 's.multiplier') }} as tolerance_yuan
    from sums as s
    inner join {{ ref('mart_budget_overview') }} as o using (disclosure_id)
    cross join lateral (
        values ('total', s.total_yuan, o.total_expenditure_yuan),
               ('basic', s.basic_yuan, o.basic_expenditure_yuan),
               ('project', s.project_yuan, o.project_expenditure_yuan)
    ) as m(measure, mart_yuan, headline_yuan)  -- noqa: LT01
    where m.mart_yuan is not null and m.headline_yuan is not null
)

select * from compared
where (fund_scope = 'all' and abs(mart_yuan - headline_yuan) > tolerance_yuan)
   or (fund_scope <> 'all' and mart_yuan > headline_yuan + tolerance_yuan)
