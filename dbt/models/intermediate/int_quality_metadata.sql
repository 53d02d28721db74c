{#- Findings about who published a disclosure rather than about its numbers: a report whose
    department could not be read is still published (as a disclosure of its own, department_name
    NULL) so that no loaded document is absent from the marts, and this says so. -#}
with documents as (
    select * from {{ ref('int_documents') }}
),

unnamed as (
    select disclosure_id, list(source_path order by source_path) as source_paths
    from documents
    group by disclosure_id
    having count(department_name) = 0
)

select
    disclosure_id,
    'metadata' as check_scope,
    'department identified' as check_name,
    'department_identified' as check_kind,
    source_paths as tables_involved,
    cast([] as varchar[]) as table_ids,  -- noqa: LT01
    'document' as location,
    {{ computed_yuan('null') }} as expected,
    {{ computed_yuan('null') }} as actual,
    0 as n_terms,
    1 as multiplier
from unnamed
