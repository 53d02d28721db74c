{#- Revenue by fund source (收入 rows of the 收支总表, or the 合计 row of the 收入总表), and by
    fund source x function code where a 收入总表 breaks revenue down by code. Fund sources nest
    (general_budget, gov_fund and soe_capital are parts of fiscal_appropriation; see
    dim_fund_source): sum only siblings. -#}
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
        {{ load_id() }} as load_id
    from lines
    where printing = 1
)

select * from final
