with source as (
    select * from {{ source('staging', 'line_items') }}
)

select
    doc_id,
    table_id,
    table_kind,
    source_row,
    source_col,
    source_line,
    row_label,
    column_label,
    budget_unit_code,
    code,
    code_system,
    code_level,
    paired_code,
    paired_code_system,
    measure,
    fund_source,
    value_year,
    cast(amount_yuan as decimal(18, 2)) as amount_yuan,
    raw_text,
    unit_multiplier,
    coalesce(is_total, false) as is_total,
    side
from source
