select
    doc_id,
    table_id,
    source_row,
    source_line,
    project_name,
    project_code,
    project_type,
    budget_unit_code,
    fund_source,
    value_year,
    cast(amount_yuan as decimal(18, 2)) as amount_yuan
from {{ source('staging', 'projects') }}
