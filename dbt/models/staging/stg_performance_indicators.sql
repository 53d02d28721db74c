select
    doc_id,
    table_id,
    source_row,
    source_line,
    subject,
    level1,
    level2,
    level3,
    operator,
    target_value,
    target_unit,
    raw_text,
    weight,
    subject_key,
    project_code
from {{ source('staging', 'performance_indicators') }}
