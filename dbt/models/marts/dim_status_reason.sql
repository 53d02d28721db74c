{#- The kinds of reason a document is not loaded. dim_document.status_reason is a sentence with
    the file's own numbers in it ("too many pages: 2000 > limit of 1000"); `pattern` is the regular
    expression that recognises each kind, so a BI tool can label a reason with
    `regexp_matches(status_reason, pattern)`. -#}
select reason_kind, status, pattern, name_zh, {{ load_id() }} as load_id
from {{ ref('status_reasons') }}
