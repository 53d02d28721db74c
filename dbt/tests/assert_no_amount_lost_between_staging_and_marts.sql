{#- Pipeline invariant (error): every amount of a loaded document's staging line items reaches
    the intermediate layer (no join drops a row), and every line item of a designated table
    lands in exactly one fact table. -#}
with staged as (
    select li.doc_id, count(*) as n, sum(li.amount_yuan) as amount
    from {{ ref('stg_line_items') }} as li
    inner join {{ ref('int_documents') }} using (doc_id)
    group by li.doc_id
),

carried as (
    select doc_id, count(*) as n, sum(amount_yuan) as amount
    from {{ ref('int_line_items') }}
    group by doc_id
),

designated as (
    -- restatements (the same fund printed twice in one 收入总表) count once
    select count(*) as n, sum(amount_yuan) as amount from (
        select distinct on (disclosure_id, fact, fund_source, fact_measure, value_year, budget_unit_code,
                            code, paired_code, case when fact like 'revenue%' then row_label end)
            amount_yuan
        from {{ ref('int_designated_line_items') }}
        where fact in ('expenditure_function', 'expenditure_economic', 'revenue_by_fund', 'revenue_by_function')
        order by disclosure_id, fact, fund_source, fact_measure, value_year, budget_unit_code, code,
                 paired_code, case when fact like 'revenue%' then row_label end, source_row, source_col
    )
),

in_facts as (
    select count(*) as n, sum(amount_yuan) as amount from (
        select amount_yuan from {{ ref('fct_expenditure') }}
        union all
        select amount_yuan from {{ ref('fct_revenue') }}
    )
)

select 'staging -> intermediate' as step, staged.doc_id, staged.n as expected_n, carried.n as actual_n,
       staged.amount as expected_amount, carried.amount as actual_amount
from staged
left join carried using (doc_id)
where carried.n is distinct from staged.n or carried.amount is distinct from staged.amount
union all
select 'designated -> facts', null, designated.n, in_facts.n, designated.amount, in_facts.amount
from designated, in_facts
where designated.n <> in_facts.n or designated.amount <> in_facts.amount
