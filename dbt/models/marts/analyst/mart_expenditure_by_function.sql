{#- Spending by 支出功能分类 code, safe to sum: one row per disclosure × function code, at every
    level (类, 款, 项), in one fund scope per disclosure, for the department as a whole and the
    budget year only (int_safe_expenditure). Sum within one code_level: 类 rows add up to the
    disclosure's total (every amount has its 类, printed or rolled up); never across levels. -#}
with safe as (
    select * from {{ ref('int_safe_expenditure') }}
    where classification = 'function'
),

disclosures as (
    select disclosure_id, department_name, fiscal_year from {{ ref('dim_disclosure') }}
),

names as (
    select code, name from {{ ref('dim_function_code') }}
),

final as (
    select
        safe.disclosure_id,
        disclosures.department_name,
        disclosures.fiscal_year,
        safe.fund_scope,
        safe.code,
        coalesce(names.name, safe.printed_name) as code_name,
        safe.code_level,
        safe.parent_code,
        safe.is_rolled_up,
        {{ computed_yuan('safe.total_yuan') }} as total_yuan,
        {{ computed_yuan('safe.basic_yuan') }} as basic_yuan,
        {{ computed_yuan('safe.project_yuan') }} as project_yuan,
        {{ computed_yuan('safe.reserve_yuan') }} as reserve_yuan,
        {{ computed_yuan('safe.personnel_yuan') }} as personnel_yuan,
        {{ computed_yuan('safe.public_admin_yuan') }} as public_admin_yuan,
        safe.unit_multiplier,
        {{ load_id() }} as load_id
    from safe
    inner join disclosures using (disclosure_id)
    left join names using (code)
)

select * from final
