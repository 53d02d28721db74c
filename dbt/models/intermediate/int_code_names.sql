{#- The names documents print beside each classification code: every spelling, and the most
    printed one (which names codes the shipped catalogs lack). -#}
with seen as (
    select code, code_system, row_label, count(*) as n
    from {{ ref('int_line_items') }}
    where code_system in ('function', 'econ_department', 'econ_government')
      and code is not null and row_label <> ''
    group by all
)

select
    code,
    code_system,
    list(row_label order by row_label) as names_seen,
    arg_max(row_label, n) as printed_name
from seen
group by code, code_system
