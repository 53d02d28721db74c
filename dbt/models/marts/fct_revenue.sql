{#- Revenue by fund source (收入 rows of the 收支总表, or the 合计 row of the 收入总表), and by
    fund source x function code where a 收入总表 breaks revenue down by code. Fund sources nest
    (general_budget, gov_fund and soe_capital are parts of fiscal_appropriation; see
    dim_fund_source): sum only siblings. `is_leaf` marks the rows a sum may take (no printed
    child fund source, or no printed child function code in the same column), and
    mart_revenue_by_source has the nesting resolved. -#}
with lines as (
    select
        *,
        -- a 收入总表 may print one fund twice (总计 and 本年收入合计 of a report without
        -- carry-over): one fact, from the first printing
        row_number() over (
            partition by disclosure_id, fund_source, case when fact = 'revenue_by_function' then code end,
                value_year, budget_unit_code, row_label
            order by source_row, source_col
        ) as printing
    from {{ ref('int_designated_line_items') }}
    where fact in ('revenue_by_fund', 'revenue_by_function')
),

facts as (
    select * from lines where printing = 1
),

-- fund sources and their ancestors (财政拨款 above 一般公共预算, 合计 above both)
fund_ancestors as (
    select child.fund_source, parent.fund_source as ancestor
    from {{ ref('fund_sources') }} as child
    inner join {{ ref('fund_sources') }} as parent on child.parent_fund_source = parent.fund_source
    union all
    select child.fund_source, grandparent.fund_source as ancestor
    from {{ ref('fund_sources') }} as child
    inner join {{ ref('fund_sources') }} as parent on child.parent_fund_source = parent.fund_source
    inner join {{ ref('fund_sources') }} as grandparent on parent.parent_fund_source = grandparent.fund_source
),

-- a fund-source total restated by a printed part of it (财政拨款 = 一般公共预算 + …), or a
-- function code restated by its printed children in the same column (each child names its
-- ancestors' codes, so both matches are equality joins)
code_ancestors as (
    select table_id, source_col, fund_source, budget_unit_code, value_year, left(code, prefix_length) as ancestor_code
    from facts, unnest([3, 5]) as p(prefix_length)  -- noqa: LT01
    where fact = 'revenue_by_function' and length(code) > prefix_length
),

parents as (
    select distinct parent.table_id, parent.source_row, parent.source_col, true as has_child
    from facts as parent
    inner join fund_ancestors on fund_ancestors.ancestor = parent.fund_source
    inner join facts as child
        on child.disclosure_id = parent.disclosure_id
        and child.fund_source = fund_ancestors.fund_source
        and child.value_year is not distinct from parent.value_year
        and child.budget_unit_code is not distinct from parent.budget_unit_code
    where parent.fact = 'revenue_by_fund' and child.fact = 'revenue_by_fund'
    union
    select parent.table_id, parent.source_row, parent.source_col, true as has_child
    from facts as parent
    inner join code_ancestors as child
        on child.table_id = parent.table_id
        and child.source_col = parent.source_col
        and child.budget_unit_code is not distinct from parent.budget_unit_code
        and child.value_year is not distinct from parent.value_year
        and child.ancestor_code = parent.code
    where parent.fact = 'revenue_by_function'
),

final as (
    select
        {{ surrogate_key(['doc_id', 'table_id', 'source_row', 'source_col']) }} as revenue_id,
        disclosure_id,
        doc_id,
        table_id,
        table_kind as source_table_kind,
        source_row,
        source_col,
        source_line,
        fund_source,
        case when fact = 'revenue_by_function' then code end as function_code,
        case when fact = 'revenue_by_function' then code_level end as function_code_level,
        row_label,
        budget_unit_code,
        value_year,
        amount_yuan,
        raw_text,
        unit_multiplier,
        parents.has_child is null as is_leaf,
        -- the fund-source totals are what mart_revenue_by_source reads; revenue by function code
        -- restates them code by code
        fact = 'revenue_by_fund' as is_canonical_scope,
        {{ load_id() }} as load_id
    from facts
    left join parents using (table_id, source_row, source_col)
)

select * from final
