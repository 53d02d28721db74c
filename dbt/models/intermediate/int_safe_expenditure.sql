{#- Spending of each disclosure by classification code, ready to sum: the canonical fund scope
    only (int_canonical_fund_scopes), the budget year only, the department level only (macro
    department_level: unit rows summed where the report prints no department row), every code
    level present. A level the report does not print is rolled up from the level below
    (`is_rolled_up`): 款 = Σ printed 项, then 类 = Σ printed or rolled 款, measure by measure, so
    a report printing only 7-digit 项 codes (or 类 and 项 without 款) still gives 类 and 款 rows.
    Feeds mart_expenditure_by_function and mart_expenditure_by_economic. -#}
with years as (
    select disclosure_id, any_value(fiscal_year) as fiscal_year
    from {{ ref('int_documents') }}
    group by disclosure_id
),

facts as (
    select e.*
    from {{ ref('fct_expenditure') }} as e
    inner join years using (disclosure_id)
    where e.is_canonical_scope
      and (e.value_year is null or e.value_year = years.fiscal_year)
      and e.measure in ('total', 'basic', 'project', 'reserve', 'personnel', 'public_admin')
      and length(e.code) in (3, 5, 7)
),

department as (
    {{ department_level('facts') }}
),

-- rows pairing one 部门 code with several 政府 codes, and top units, add up first
printed as (
    select
        disclosure_id,
        classification,
        code_system,
        fund_source,
        code,
        measure,
        sum(amount_yuan) as amount_yuan,
        max(unit_multiplier) as unit_multiplier,
        arg_min(row_label, source_row) as printed_name,
        false as is_rolled_up
    from department
    group by all
),

rolled_kuan as (
    select
        p.disclosure_id,
        p.classification,
        p.code_system,
        p.fund_source,
        left(p.code, 5) as code,
        p.measure,
        sum(p.amount_yuan) as amount_yuan,
        max(p.unit_multiplier) as unit_multiplier,
        cast(null as varchar) as printed_name,
        true as is_rolled_up
    from printed as p
    where length(p.code) = 7
      and not exists (
          select 1 from printed as q
          where q.disclosure_id = p.disclosure_id and q.code_system = p.code_system
            and q.measure = p.measure and q.code = left(p.code, 5)
      )
    group by all
),

kuan as (
    select * from printed where length(code) = 5
    union all
    select * from rolled_kuan
),

rolled_lei as (
    select
        k.disclosure_id,
        k.classification,
        k.code_system,
        k.fund_source,
        left(k.code, 3) as code,
        k.measure,
        sum(k.amount_yuan) as amount_yuan,
        max(k.unit_multiplier) as unit_multiplier,
        cast(null as varchar) as printed_name,
        true as is_rolled_up
    from kuan as k
    where not exists (
        select 1 from printed as q
        where q.disclosure_id = k.disclosure_id and q.code_system = k.code_system
          and q.measure = k.measure and q.code = left(k.code, 3)
    )
    group by all
),

amounts as (
    select * from printed
    union all
    select * from rolled_kuan
    union all
    select * from rolled_lei
),

codes as (
    select
        disclosure_id,
        classification,
        code_system,
        fund_source as fund_scope,
        code,
        case length(code) when 3 then '类' when 5 then '款' when 7 then '项' end as code_level,
        case length(code) when 5 then left(code, 3) when 7 then left(code, 5) end as parent_code,
        arg_min(printed_name, is_rolled_up) as printed_name,
        bool_and(is_rolled_up) as is_rolled_up,
        max(amount_yuan) filter (where measure = 'total') as total_yuan,
        coalesce(
            max(amount_yuan) filter (where measure = 'basic'),
            sum(amount_yuan) filter (where measure in ('personnel', 'public_admin'))
        ) as basic_yuan,
        max(amount_yuan) filter (where measure = 'project') as project_yuan,
        max(amount_yuan) filter (where measure = 'reserve') as reserve_yuan,
        max(amount_yuan) filter (where measure = 'personnel') as personnel_yuan,
        max(amount_yuan) filter (where measure = 'public_admin') as public_admin_yuan,
        max(unit_multiplier) as unit_multiplier
    from amounts
    group by all
)

select * from codes
