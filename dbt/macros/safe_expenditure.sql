{#- The body of the two safe-to-sum expenditure marts (mart_expenditure_by_function,
    mart_expenditure_by_economic): the rows of int_safe_expenditure of one classification with
    the code's catalogue name and the disclosure's department and year. One macro so the two
    marts keep the same columns and rules; the economic one adds code_system (部门 301xx and
    政府 501xx restate the same yuan and must never be summed together). -#}
{% macro safe_expenditure_mart(classification, code_names, with_code_system=false) %}
with safe as (
    select * from {{ ref('int_safe_expenditure') }}
    where classification = '{{ classification }}'
),

disclosures as (
    select disclosure_id, department_name, fiscal_year from {{ ref('dim_disclosure') }}
),

names as (
    select code, name from {{ ref(code_names) }}
),

final as (
    select
        safe.disclosure_id,
        disclosures.department_name,
        disclosures.fiscal_year,
        {% if with_code_system %}safe.code_system,{% endif %}
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
{% endmacro %}
