{#- Performance targets (绩效目标表): one row per indicator, its three levels, the comparison
    operator, target value and unit split out of the printed text (kept in raw_text), and the
    indicator's weight where the form prints one (指标权重). -#}
with indicators as (
    select * from {{ ref('stg_performance_indicators') }}
),

documents as (
    select doc_id, disclosure_id from {{ ref('int_documents') }}
),

final as (
    select
        {{ surrogate_key(['indicators.doc_id', 'indicators.table_id', 'indicators.source_row']) }} as indicator_id,
        documents.disclosure_id,
        indicators.doc_id,
        indicators.table_id,
        indicators.source_row,
        indicators.source_line,
        indicators.subject,
        indicators.level1,
        indicators.level2,
        indicators.level3,
        indicators.operator,
        indicators.target_value,
        indicators.target_unit,
        indicators.raw_text,
        indicators.weight,
        {{ load_id() }} as load_id
    from indicators
    inner join documents using (doc_id)
)

select * from final
