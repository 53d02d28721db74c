{#- Every input file, loaded or not, with the reason when it was not. -#}
select
    doc_id,
    disclosure_id,
    source_path,
    sha256,
    format,
    encoding,
    department_name,
    department_key,
    fiscal_year,
    scope,
    published_date,
    status,
    status_reason,
    notes,
    n_tables,
    n_line_items,
    n_unparsed,
    is_loaded,
    {{ load_id() }} as load_id
from {{ ref('stg_documents') }}
