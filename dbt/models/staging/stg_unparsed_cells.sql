select
    doc_id,
    table_id,
    source_row,
    source_col,
    source_line,
    raw_text,
    reason
from {{ source('staging', 'unparsed_cells') }}
