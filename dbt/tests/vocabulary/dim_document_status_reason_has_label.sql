{#- Every reason a document is not loaded (or only partly) is recognised by a pattern of
    dim_status_reason, so a BI tool can show it in Chinese. A warning, not an error: a new kind
    of reason from a new kind of bad input must not stop a load; the seed gains a row. -#}
{{ config(severity='warn') }}
select d.doc_id, d.status, d.status_reason
from {{ ref('dim_document') }} as d
where d.status <> 'ok' and d.status_reason is not null
  and not exists (
      select 1 from {{ ref('dim_status_reason') }} as r
      where r.status = d.status and regexp_matches(d.status_reason, r.pattern)
  )
