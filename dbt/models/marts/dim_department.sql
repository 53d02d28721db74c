{#- One row per department however its name is printed, across files, years and renamings
    (中国共产党江苏省委员会办公厅 in 2017 = 中共江苏省委办公厅 in 2018): department_key is the name
    normalised at extraction by parsing/document.py `department_key` (its DEPARTMENT_ABBREVIATIONS
    table is the one place the abbreviation rules live), the place kept in it so that names
    match only within one region. Region resolved by the `cpca` place-name library. -#}
with documents as (
    select * from {{ ref('int_documents') }}
),

final as (
    select
        department_key,
        {{ most_frequent("department_name") }} as department_name,
        list(distinct department_name order by department_name) as names_seen,
        list(distinct {'fiscal_year': fiscal_year, 'department_name': department_name}  -- noqa: LT01
             order by {'fiscal_year': fiscal_year, 'department_name': department_name})  -- noqa: LT01
            filter (where department_name is not null) as name_history,
        list(distinct unit_code order by unit_code) filter (where unit_code is not null) as budget_unit_codes,
        {{ most_frequent("region_province") }} as region_province,
        {{ most_frequent("region_city") }} as region_city,
        {{ most_frequent("region_county") }} as region_county,
        case
            when {{ most_frequent("region_county") }} is not null then 'county'
            when {{ most_frequent("region_city") }} is not null then 'city'
            when {{ most_frequent("region_province") }} is not null then 'province'
        end as admin_level,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(distinct disclosure_id) as n_disclosures,
        {{ load_id() }} as load_id
    from documents
    where department_key is not null
    group by department_key
)

select * from final
