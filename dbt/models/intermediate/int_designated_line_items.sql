{#- The line items the facts are built from: those printed in their fact's designated table. -#}
select li.*
from {{ ref('int_line_items') }} as li
inner join {{ ref('int_designated_tables') }} as dt
    on dt.disclosure_id = li.disclosure_id
    and dt.fact = li.fact
    and dt.fund_source = li.fund_source
    and dt.fact_measure = li.fact_measure
    and dt.value_year is not distinct from li.value_year
    and dt.table_id = li.table_id
