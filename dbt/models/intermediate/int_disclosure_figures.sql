{#- The headline figures of each disclosure, as the report prints them: its own total rows,
    never re-added from detail rows (that is what the identities check). Each figure is read
    from the highest-priority table that prints it for all funds (seed `designated_sources`,
    fact `category_total`); a single fund's figure (一般公共预算支出表's 项目支出) only when no table
    prints the all-funds one. -#}
with line_items as (
    select * from {{ ref('int_line_items') }}
),

disclosures as (
    select disclosure_id, any_value(fiscal_year) as fiscal_year
    from {{ ref('int_documents') }}
    group by disclosure_id
),

category_candidates as (
    select
        li.disclosure_id,
        li.fact_measure as measure,
        li.amount_yuan,
        row_number() over (
            partition by li.disclosure_id, li.fact_measure
            order by li.fund_source <> 'all', ds.priority, li.doc_id, li.table_order, li.source_row, li.source_col
        ) as rank
    from line_items as li
    inner join {{ ref('designated_sources') }} as ds
        on ds.fact = 'category_total' and ds.table_kind = li.table_kind
    where li.fact = 'category_total'
      and (li.value_year is null or li.value_year = li.fiscal_year)
),

categories as (
    select
        disclosure_id,
        max(amount_yuan) filter (where measure = 'total') as total_expenditure_yuan,
        max(amount_yuan) filter (where measure = 'basic') as basic_expenditure_yuan,
        max(amount_yuan) filter (where measure = 'project') as project_expenditure_yuan,
        max(amount_yuan) filter (where measure = 'reserve') as reserve_yuan,
        max(amount_yuan) filter (where measure = 'personnel') as personnel_yuan,
        max(amount_yuan) filter (where measure = 'public_admin') as public_admin_yuan
    from category_candidates
    where rank = 1
    group by disclosure_id
),

revenue_total as (
    -- 收入总计 (carry-over included) is the largest total on the revenue side of a 收支总表;
    -- without one, the 合计 of the 收入总表
    select
        disclosure_id,
        coalesce(
            max(amount_yuan) filter (where table_kind = 'budget_summary' and side = 'revenue'),
            max(amount_yuan) filter (where table_kind = 'revenue_summary' and fund_source = 'all')
        ) as total_revenue_yuan
    from line_items
    where is_total and code is null
    group by disclosure_id
),

revenue_by_fund as (
    select
        disclosure_id,
        sum(amount_yuan) filter (where fund_source = 'carryover_in') as carryover_yuan,
        sum(amount_yuan) filter (where fund_source = 'fiscal_appropriation') as fiscal_appropriation_row,
        sum(amount_yuan) filter (where fund_source in ('general_budget', 'gov_fund', 'soe_capital')) as fiscal_parts
    from {{ ref('int_designated_line_items') }}
    where fact = 'revenue_by_fund'
      and (value_year is null or value_year = fiscal_year)
    group by disclosure_id
),

three_public_printed as (
    select
        disclosure_id,
        arg_min(amount_yuan, printing_order) as three_public_yuan
    from {{ ref('int_designated_line_items') }}
    where fact = 'three_public' and code = 'total' and value_year = fiscal_year
    group by disclosure_id
),

three_public_declared_empty as (
    select distinct d.disclosure_id
    from {{ ref('stg_tables') }} as t
    inner join {{ ref('int_documents') }} as d using (doc_id)
    where t.table_kind = 'three_public' and t.declared_empty
),

table_counts as (
    select d.disclosure_id, count(*) as n_tables
    from {{ ref('stg_tables') }} as t
    inner join {{ ref('int_documents') }} as d using (doc_id)
    where t.table_kind not in ('other', 'table_index')
    group by d.disclosure_id
),

final as (
    select
        disclosures.disclosure_id,
        disclosures.fiscal_year,
        revenue_total.total_revenue_yuan,
        categories.total_expenditure_yuan,
        categories.basic_expenditure_yuan,
        categories.project_expenditure_yuan,
        categories.reserve_yuan,
        categories.personnel_yuan,
        categories.public_admin_yuan,
        case
            when three_public_printed.three_public_yuan is not null then three_public_printed.three_public_yuan
            when three_public_declared_empty.disclosure_id is not null then 0
        end as three_public_yuan,
        revenue_by_fund.carryover_yuan,
        coalesce(revenue_by_fund.fiscal_appropriation_row, revenue_by_fund.fiscal_parts) as fiscal_appropriation_yuan,
        coalesce(table_counts.n_tables, 0) as n_tables
    from disclosures
    left join categories using (disclosure_id)
    left join revenue_total using (disclosure_id)
    left join revenue_by_fund using (disclosure_id)
    left join three_public_printed using (disclosure_id)
    left join three_public_declared_empty using (disclosure_id)
    left join table_counts using (disclosure_id)
)

select * from final
