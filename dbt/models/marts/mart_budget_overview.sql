{#- One row per disclosure: its headline figures as the report prints them, and how many
    quality findings its numbers raise. Amounts in yuan, DECIMAL(38,2) like every amount the
    warehouse computes (macros/money.sql): some figures are sums (一般公共预算 + 政府性基金 + 国有资本经营,
    人员 + 公用, per-unit 三公 rows), possibly of several documents of the disclosure. NULL where the
    report does not print the figure (three_public_yuan is 0 when the 三公 table is published as
    zero or declared empty, NULL when it is not published at all; operating_expense_yuan (机关运行
    经费) and procurement_yuan (政府采购) likewise). -#}
with disclosures as (
    select * from {{ ref('dim_disclosure') }}
),

figures as (
    select * from {{ ref('int_disclosure_figures') }}
),

findings as (
    select disclosure_id, count(*) filter (where verdict <> 'pass') as n_quality_findings
    from {{ ref('mart_data_quality') }}
    group by disclosure_id
),

final as (
    select
        disclosures.disclosure_id,
        disclosures.doc_ids,
        disclosures.department_name,
        disclosures.department_key,
        disclosures.fiscal_year,
        disclosures.scope,
        {{ computed_yuan('figures.total_revenue_yuan') }} as total_revenue_yuan,
        {{ computed_yuan('figures.total_expenditure_yuan') }} as total_expenditure_yuan,
        {{ computed_yuan('figures.basic_expenditure_yuan') }} as basic_expenditure_yuan,
        {{ computed_yuan('figures.project_expenditure_yuan') }} as project_expenditure_yuan,
        {{ computed_yuan('figures.reserve_yuan') }} as reserve_yuan,
        {{ computed_yuan('figures.personnel_yuan') }} as personnel_yuan,
        {{ computed_yuan('figures.public_admin_yuan') }} as public_admin_yuan,
        {{ computed_yuan('figures.three_public_yuan') }} as three_public_yuan,
        {{ computed_yuan('figures.carryover_yuan') }} as carryover_yuan,
        {{ computed_yuan('figures.fiscal_appropriation_yuan') }} as fiscal_appropriation_yuan,
        {{ computed_yuan('figures.operating_expense_yuan') }} as operating_expense_yuan,
        {{ computed_yuan('figures.procurement_yuan') }} as procurement_yuan,
        figures.n_tables,
        coalesce(findings.n_quality_findings, 0) as n_quality_findings,
        {{ load_id() }} as load_id
    from disclosures
    left join figures using (disclosure_id)
    left join findings using (disclosure_id)
)

select * from final
