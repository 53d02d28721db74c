{#- Fiscal years that documents are about or that values are printed for (004 prints 2023
    beside 2024 in its 三公 table). -#}
with years as (
    select fiscal_year as fiscal_year from {{ ref('int_documents') }}
    union
    select value_year from {{ ref('int_line_items') }} where value_year is not null
),

disclosures as (
    select fiscal_year, count(*) as n_disclosures
    from {{ ref('dim_disclosure') }}
    group by fiscal_year
)

select
    years.fiscal_year,
    coalesce(disclosures.n_disclosures, 0) as n_disclosures,
    {{ load_id() }} as load_id
from years
left join disclosures using (fiscal_year)
where years.fiscal_year is not null
