{#- Spending by 支出经济分类 code, safe to sum: one row per disclosure × code system × economic
    code, at every level (类, 款), in one fund scope per disclosure and code system, for the
    department as a whole and the budget year only (int_safe_expenditure). The 部门 (301xx) and
    政府 (501xx) systems classify the same yuan twice: sum within one code_system and one
    code_level (类 rows add up to the whole), never across them. -#}
with safe as (
    select * from {{ ref('int_safe_expenditure') }}
    where classification = 'economic'
),

disclosures as (
    select disclosure_id, department_name, fiscal_year from {{ ref('dim_disclosure') }}
),

names as (
    select code, name from {{ ref('dim_economic_code') }}
),

final as (
    select
        safe.disclosure_id,
        disclosures.department_name,
        disclosures.fiscal_year,
        safe.code_system,
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
