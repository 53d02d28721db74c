with source as (
    select * from {{ source('staging', 'tables') }}
)

select
    doc_id,
    table_id,
    table_order,
    table_kind,
    title,
    unit,
    unit_multiplier,
    fiscal_year,
    page_from,
    page_to,
    line_from,
    line_to,
    n_rows,
    n_cols,
    header_rows,
    confidence,
    classify_reason,
    declared_empty,
    empty_reason,
    layout
from source
