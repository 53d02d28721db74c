{#- Documents whose facts reach the marts: readable (ok/partial), not a duplicate or superseded
    revision, and assigned to a disclosure. -#}
select *
from {{ ref('stg_documents') }}
where is_loaded
  and disclosure_id is not null
