{#- One source table per disclosure and fact: the same number printed in several tables is
    read from the highest-priority table that has it (seed `designated_sources`), and the
    other printings serve reconciliation only. The key includes fund source, measure and year,
    so a 一般公共预算支出表 can be the source for general-budget facts while the 支出总表 is the
    source for all-funds facts of the same codes. -#}
with candidates as (
    select
        li.disclosure_id,
        li.fact,
        li.fund_source,
        li.fact_measure,
        li.value_year,
        li.table_id,
        li.table_order,
        li.doc_id,
        ds.priority
    from {{ ref('int_line_items') }} as li
    inner join {{ ref('designated_sources') }} as ds
        on ds.fact = li.fact and ds.table_kind = li.table_kind
    group by all
),

ranked as (
    select
        *,
        row_number() over (
            partition by disclosure_id, fact, fund_source, fact_measure, value_year
            order by priority, doc_id, table_order
        ) as rank
    from candidates
)

select
    disclosure_id,
    fact,
    fund_source,
    fact_measure,
    value_year,
    table_id,
    priority
from ranked
where rank = 1
