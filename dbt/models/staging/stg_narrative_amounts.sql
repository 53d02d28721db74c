select
    doc_id,
    text_index,
    text_offset,
    topic,
    code,
    fund_source,
    cast(amount_yuan as decimal(18, 2)) as amount_yuan,
    count,
    unit,
    printed_decimals,
    of_part,
    value_year,
    raw_text
from {{ source('staging', 'narrative_amounts') }}
