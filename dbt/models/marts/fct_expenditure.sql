{#- Spending by function or economic classification code, one row per printed amount of the
    designated source table: disclosure x classification x code x measure x fund source x year
    (x budget unit where a report breaks its figures down by sub-unit). Sum within one
    code_level: 类, 款 and 项 rows restate each other. -#}
with lines as (
    select * from {{ ref('int_designated_line_items') }}
    where fact in ('expenditure_function', 'expenditure_economic')
),

final as (
    select
        {{ surrogate_key(['doc_id', 'table_id', 'source_row', 'source_col']) }} as expenditure_id,
        disclosure_id,
        doc_id,
        table_id,
        table_kind as source_table_kind,
        source_row,
        source_col,
        source_line,
        case fact when 'expenditure_function' then 'function' else 'economic' end as classification,
        code,
        code_system,
        code_level,
        paired_code,
        paired_code_system,
        row_label,
        budget_unit_code,
        fact_measure as measure,
        fund_source,
        value_year,
        amount_yuan,
        raw_text,
        unit_multiplier,
        {{ load_id() }} as load_id
    from lines
)

select * from final
