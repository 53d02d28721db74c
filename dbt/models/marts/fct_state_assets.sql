{#- 国有资产 holdings (资产占用情况表 / 固定资产占用表, table kind asset_holdings): one row per
    printed amount, disclosure × table × row (asset category) × column. These are stocks at a
    date (截止 the year before the budget year, usually), not budget spending: they never add to
    a mart of expenditure. Rows nest (资产总额 above 房屋, 车辆 …, 其中 rows inside those): the
    total row (`is_total`) is the holding; categories are parts of it and `is_sub_item` rows
    (其中 …) parts of the row above them. -#}
with lines as (
    select * from {{ ref('int_line_items') }}
    where table_kind = 'asset_holdings'
      and measure <> 'change'
),

final as (
    select
        {{ surrogate_key(['doc_id', 'table_id', 'source_row', 'source_col']) }} as asset_id,
        disclosure_id,
        doc_id,
        table_id,
        table_title,
        source_row,
        source_col,
        source_line,
        trim(regexp_replace(row_label, '^[\s\d、.．（）()一二三四五六七八九十]+', '')) as asset_item,
        row_label,
        column_label,
        budget_unit_code,
        measure,
        fund_source,
        value_year,
        -- the report's own total row: flagged by the extraction, or a row naming the whole
        -- (资产总额, 合计, 总计)
        is_total or regexp_matches(coalesce(row_label, ''), '^\s*(资产)?(总额|合计|总计)\s*$') as is_total,
        regexp_matches(coalesce(row_label, ''), '^\s*其中') as is_sub_item,
        amount_yuan,
        raw_text,
        unit_multiplier,
        {{ load_id() }} as load_id
    from lines
)

select * from final
