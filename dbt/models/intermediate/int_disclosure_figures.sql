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

category_lines as (
    select
        li.disclosure_id,
        li.table_id,
        li.fact_measure as measure,
        li.fund_source,
        ds.priority,
        li.doc_id,
        li.table_order,
        li.is_total,
        li.source_row,
        li.source_col,
        li.amount_yuan
    from line_items as li
    inner join {{ ref('designated_sources') }} as ds
        on ds.fact = 'category_total' and ds.table_kind = li.table_kind
    where li.fact = 'category_total'
      and (li.value_year is null or li.value_year = li.fiscal_year)
),

-- A table that splits basic spending into 人员 and 公用 columns without printing their
-- 基本支出 subtotal (基本支出 over 人员支出 | 日常公用支出) states basic spending as their sum,
-- row by row: that sum is the table's basic figure, ranked like a printed one.
derived_basic as (
    select
        disclosure_id,
        table_id,
        'basic' as measure,
        fund_source,
        priority,
        doc_id,
        table_order,
        is_total,
        source_row,
        min(source_col) as source_col,
        sum(amount_yuan) as amount_yuan
    from category_lines as parts
    where measure in ('personnel', 'public_admin')
      and not exists (
          select 1 from category_lines as printed
          where printed.table_id = parts.table_id and printed.measure = 'basic'
      )
    group by disclosure_id, table_id, fund_source, priority, doc_id, table_order, is_total, source_row
),

category_candidates as (
    select
        disclosure_id,
        measure,
        amount_yuan,
        -- a table's own total row before its category rows: a 合计 printed below rows that
        -- carry no code (function names the catalog cannot place) still wins
        row_number() over (
            partition by disclosure_id, measure
            order by fund_source <> 'all', priority, doc_id, table_order, not is_total, source_row, source_col
        ) as rank
    from (
        select * from category_lines
        union all
        select * from derived_basic
    )
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

three_public_cells as (
    -- one 三公 total per row and fund: the printing that names 三公 (a 合计 column that adds
    -- 会议费 and 培训费 comes second), of the budget year (rows or columns of other years and
    -- 增减 changes are not)
    select
        disclosure_id,
        table_id,
        table_order,
        source_row,
        fund_source,
        bool_or(is_total) as is_total,
        arg_min(amount_yuan, printing_order) as amount_yuan,
        min(printing_order) as printing_order
    from {{ ref('int_designated_line_items') }}
    where fact = 'three_public' and code = 'total' and value_year = fiscal_year
    group by all
),

three_public_rows as (
    -- a row's 财政拨款 三公 total: its all-funds (or 财政拨款) cell, else the sum of its
    -- 一般公共预算 | 政府性基金 | 国有资本经营 cells (a table that splits every column by fund)
    select
        disclosure_id,
        table_id,
        table_order,
        source_row,
        bool_or(is_total) as is_total,
        min(printing_order) as printing_order,
        coalesce(
            arg_min(amount_yuan, printing_order) filter (where fund_source in ('all', 'fiscal_appropriation')),
            sum(amount_yuan) filter (where fund_source in ('general_budget', 'gov_fund', 'soe_capital')),
            arg_min(amount_yuan, printing_order)
        ) as amount_yuan
    from three_public_cells
    group by all
),

three_public_first as (
    -- the first printing: the row (or column) that names 三公, then the first printed
    select disclosure_id, table_id, source_row
    from three_public_rows
    qualify row_number() over (
        partition by disclosure_id order by printing_order, table_order, table_id, source_row
    ) = 1
),

three_public_units as (
    -- a table of per-unit rows without a 合计 row: the units add up to the disclosure's
    -- figure, unless one row is the sum of the others (a department above its units)
    select
        r.disclosure_id,
        count(*) as n_rows,
        sum(r.amount_yuan) as sum_yuan,
        max(r.amount_yuan) as largest_yuan
    from three_public_rows as r
    inner join three_public_first as f using (disclosure_id, table_id)
    group by r.disclosure_id
    having not bool_or(r.is_total)
),

three_public_printed as (
    select
        r.disclosure_id,
        case
            when u.n_rows > 1 and u.sum_yuan = 2 * u.largest_yuan then u.largest_yuan
            when u.n_rows > 1 then u.sum_yuan
            else r.amount_yuan
        end as three_public_yuan
    from three_public_rows as r
    inner join three_public_first as f using (disclosure_id, table_id, source_row)
    left join three_public_units as u using (disclosure_id)
),

three_public_declared_empty as (
    select distinct d.disclosure_id
    from {{ ref('stg_tables') }} as t
    inner join {{ ref('int_documents') }} as d using (doc_id)
    where t.table_kind = 'three_public' and t.declared_empty
),

-- 机关运行经费 (operating_expense table) and 政府采购 (procurement table): each table's own total
-- row, budget year; in it the all-funds cell, else 财政拨款, else the sum of 一般公共预算 +
-- 政府性基金 + 国有资本经营 (the 三公 rule). A table without a total row gives its only row, and
-- nothing when it has several (their nesting is not known): NULL, never a guessed sum.
side_cells as (
    select *
    from line_items
    where table_kind in ('operating_expense', 'procurement')
      and measure <> 'change'
      and (value_year is null or value_year = fiscal_year)
),

side_rows as (
    select
        disclosure_id,
        table_kind,
        doc_id,
        table_order,
        table_id,
        source_row,
        bool_or(is_total) as is_total,
        coalesce(
            arg_min(amount_yuan, source_col) filter (where fund_source = 'all' and measure in ('total', 'amount')),
            arg_min(amount_yuan, source_col) filter (where fund_source = 'fiscal_appropriation' and measure in ('total', 'amount')),
            sum(amount_yuan) filter (where fund_source in ('general_budget', 'gov_fund', 'soe_capital') and measure in ('total', 'amount')),
            arg_min(amount_yuan, source_col)
        ) as amount_yuan
    from side_cells
    group by all
),

side_first as (
    select
        disclosure_id,
        table_kind,
        amount_yuan,
        is_total,
        count(*) over (partition by disclosure_id, table_kind, table_id) as n_rows
    from side_rows
    qualify row_number() over (
        partition by disclosure_id, table_kind order by doc_id, table_order, not is_total, source_row
    ) = 1
),

side_declared_empty as (
    select d.disclosure_id, t.table_kind
    from {{ ref('stg_tables') }} as t
    inner join {{ ref('int_documents') }} as d using (doc_id)
    where t.table_kind in ('operating_expense', 'procurement') and t.declared_empty
    group by all
),

side_figures as (
    select
        disclosure_id,
        coalesce(
            max(amount_yuan) filter (where table_kind = 'operating_expense' and (is_total or n_rows = 1)),
            max(0) filter (where table_kind = 'operating_expense' and declared_empty)
        ) as operating_expense_yuan,
        coalesce(
            max(amount_yuan) filter (where table_kind = 'procurement' and (is_total or n_rows = 1)),
            max(0) filter (where table_kind = 'procurement' and declared_empty)
        ) as procurement_yuan
    from (
        select disclosure_id, table_kind, amount_yuan, is_total, n_rows, false as declared_empty from side_first
        union all
        select disclosure_id, table_kind, null, false, 0, true from side_declared_empty
    )
    group by disclosure_id
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
        side_figures.operating_expense_yuan,
        side_figures.procurement_yuan,
        coalesce(revenue_by_fund.fiscal_appropriation_row, revenue_by_fund.fiscal_parts) as fiscal_appropriation_yuan,
        coalesce(table_counts.n_tables, 0) as n_tables
    from disclosures
    left join categories using (disclosure_id)
    left join revenue_total using (disclosure_id)
    left join revenue_by_fund using (disclosure_id)
    left join three_public_printed using (disclosure_id)
    left join three_public_declared_empty using (disclosure_id)
    left join side_figures using (disclosure_id)
    left join table_counts using (disclosure_id)
)

select * from final
