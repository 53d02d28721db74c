{#- Every amount of a loaded document, with its disclosure and the fact it would feed.

    `fact` names what a line item is evidence of, independent of the table it was printed in;
    several tables print the same fact (a function code's total appears in 支出总表, 一般公共预算
    支出表 and 财政拨款收支总表), and `int_designated_tables` picks one table per fact. -#}
with line_items as (
    select * from {{ ref('stg_line_items') }}
),

documents as (
    select doc_id, disclosure_id, fiscal_year from {{ ref('int_documents') }}
),

tables as (
    select table_id, table_order, title, unit from {{ ref('stg_tables') }}
),

joined as (
    select
        documents.disclosure_id,
        documents.fiscal_year,
        tables.table_order,
        tables.title as table_title,
        line_items.*,
        -- a 基本支出表 restates basic spending in its 合计 column, a 项目支出表 project spending
        case
            when line_items.measure = 'total' and line_items.table_kind = 'basic_expenditure' then 'basic'
            when line_items.measure = 'total' and line_items.table_kind = 'project_expenditure' then 'project'
            else line_items.measure
        end as fact_measure
    from line_items
    inner join documents using (doc_id)
    inner join tables using (table_id)
),

classified as (
    select
        *,
        -- which printing of a figure to read first: a 三公 table may print a 合计 that includes
        -- 会议费 and 培训费 beside the "三公"经费小计 it is meant to report; the row or column that
        -- names 三公 wins, then the first printed
        (case when table_kind = 'three_public' and not (coalesce(row_label, '') like '%三公%'
                   or coalesce(column_label, '') like '%三公%') then 1000000 else 0 end)
            + source_row::bigint * 1000 + source_col as printing_order,
        case
            -- 增减 / 比上年增减 cells state a change from the previous year, no year's value
            when measure = 'change' then 'other'
            when table_kind = 'three_public' and code_system = 'three_public' then 'three_public'
            when table_kind = 'revenue_summary' and code_system = 'function' and not is_total then 'revenue_by_function'
            when table_kind = 'revenue_summary' and is_total and fund_source <> 'all' then 'revenue_by_fund'
            when side = 'revenue' and code_system = 'revenue' and not is_total then 'revenue_by_fund'
            when side = 'expenditure' and code_system = 'function' and code is not null then 'expenditure_function'
            when side = 'expenditure' and code_system in ('econ_department', 'econ_government')
                and code is not null then 'expenditure_economic'
            when side = 'expenditure' and code is null
                and (is_total or (code_system = 'none' and fact_measure not in ('total', 'amount')))
                then 'category_total'
            else 'other'
        end as fact
    from joined
)

select * from classified
