{#- One row per disclosure: its headline figures as the report prints them, and how many
    quality findings its numbers raise. Amounts in yuan; NULL where the report does not print
    the figure (three_public_yuan is 0 when the 三公 table is published as zero or declared
    empty, NULL when it is not published at all). -#}
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
        cast(figures.total_revenue_yuan as decimal(18, 2)) as total_revenue_yuan,
        cast(figures.total_expenditure_yuan as decimal(18, 2)) as total_expenditure_yuan,
        cast(figures.basic_expenditure_yuan as decimal(18, 2)) as basic_expenditure_yuan,
        cast(figures.project_expenditure_yuan as decimal(18, 2)) as project_expenditure_yuan,
        cast(figures.reserve_yuan as decimal(18, 2)) as reserve_yuan,
        cast(figures.personnel_yuan as decimal(18, 2)) as personnel_yuan,
        cast(figures.public_admin_yuan as decimal(18, 2)) as public_admin_yuan,
        cast(figures.three_public_yuan as decimal(18, 2)) as three_public_yuan,
        cast(figures.carryover_yuan as decimal(18, 2)) as carryover_yuan,
        cast(figures.fiscal_appropriation_yuan as decimal(18, 2)) as fiscal_appropriation_yuan,
        figures.n_tables,
        coalesce(findings.n_quality_findings, 0) as n_quality_findings,
        {{ load_id() }} as load_id
    from disclosures
    left join figures using (disclosure_id)
    left join findings using (disclosure_id)
)

select * from final
