{#- "三公" spending in long form: one row per item, value year and fund source. A table that
    prints the total twice (a 合计 row, which may include 会议费 and 培训费, and a "三公"经费小计
    row) gives one fact: the printing that names 三公, else the first (int_line_items.printing_order). -#}
with lines as (
    select
        *,
        row_number() over (
            partition by disclosure_id, code, value_year, fund_source
            order by printing_order
        ) as printing
    from {{ ref('int_designated_line_items') }}
    where fact = 'three_public'
),

final as (
    select
        {{ surrogate_key(['doc_id', 'table_id', 'source_row', 'source_col']) }} as three_public_id,
        disclosure_id,
        doc_id,
        table_id,
        source_row,
        source_col,
        source_line,
        code as item,
        value_year,
        fund_source,
        row_label,
        column_label,
        amount_yuan,
        raw_text,
        unit_multiplier,
        {{ load_id() }} as load_id
    from lines
    where printing = 1
)

select * from final
