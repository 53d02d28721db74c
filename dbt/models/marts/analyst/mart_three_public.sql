{#- "三公" spending, wide and safe to sum: one row per disclosure × value year, the items as
    columns, in one fund scope per disclosure (int_canonical_fund_scopes: all funds, else 财政拨款,
    else the widest the table prints). fct_three_public keeps one row per fund source, and a
    table printing 合计 | 财政拨款 | 一般公共预算 columns gives the same 三公 total three times.
    Sum total_yuan over the rows of one value_year (is_budget_year for the budget itself): the
    item columns are parts of total_yuan (vehicle_total = vehicle_purchase + vehicle_operation).
    A 三公 table declared empty (空表) gives one budget-year row of zeros, so that "published as
    zero" sums to 0 and "not published" has no row. -#}
with facts as (
    select * from {{ ref('fct_three_public') }}
    where is_canonical_scope
),

disclosures as (
    select disclosure_id, department_name, fiscal_year from {{ ref('dim_disclosure') }}
),

printed as (
    select
        disclosure_id,
        value_year,
        any_value(fund_source) as fund_scope,
        max(amount_yuan) filter (where item = 'total') as total_yuan,
        max(amount_yuan) filter (where item = 'overseas_travel') as overseas_travel_yuan,
        max(amount_yuan) filter (where item = 'vehicle_total') as vehicle_total_yuan,
        max(amount_yuan) filter (where item = 'vehicle_purchase') as vehicle_purchase_yuan,
        max(amount_yuan) filter (where item = 'vehicle_operation') as vehicle_operation_yuan,
        max(amount_yuan) filter (where item = 'reception') as reception_yuan,
        max(unit_multiplier) as unit_multiplier,
        false as is_declared_empty
    from facts
    group by disclosure_id, value_year
),

declared_empty as (
    select
        d.disclosure_id,
        d.fiscal_year as value_year,
        cast(null as varchar) as fund_scope,
        0 as total_yuan,
        0 as overseas_travel_yuan,
        0 as vehicle_total_yuan,
        0 as vehicle_purchase_yuan,
        0 as vehicle_operation_yuan,
        0 as reception_yuan,
        cast(null as bigint) as unit_multiplier,
        true as is_declared_empty
    from disclosures as d
    where d.disclosure_id in (
        select docs.disclosure_id
        from {{ ref('stg_tables') }} as t
        inner join {{ ref('int_documents') }} as docs using (doc_id)
        where t.table_kind = 'three_public' and t.declared_empty
    )
      and d.disclosure_id not in (select disclosure_id from printed)
),

final as (
    select
        rows.disclosure_id,
        disclosures.department_name,
        disclosures.fiscal_year,
        rows.value_year,
        rows.value_year = disclosures.fiscal_year as is_budget_year,
        rows.fund_scope,
        rows.is_declared_empty,
        -- total as printed; a table printing only the items gives their sum
        {{ computed_yuan('coalesce(rows.total_yuan, coalesce(rows.overseas_travel_yuan, 0) + coalesce(rows.vehicle_total_yuan, coalesce(rows.vehicle_purchase_yuan, 0) + coalesce(rows.vehicle_operation_yuan, 0)) + coalesce(rows.reception_yuan, 0))') }} as total_yuan,  -- noqa: LT05
        rows.total_yuan is null as is_total_derived,
        {{ computed_yuan('rows.overseas_travel_yuan') }} as overseas_travel_yuan,
        {{ computed_yuan('rows.vehicle_total_yuan') }} as vehicle_total_yuan,
        {{ computed_yuan('rows.vehicle_purchase_yuan') }} as vehicle_purchase_yuan,
        {{ computed_yuan('rows.vehicle_operation_yuan') }} as vehicle_operation_yuan,
        {{ computed_yuan('rows.reception_yuan') }} as reception_yuan,
        rows.unit_multiplier,
        {{ load_id() }} as load_id
    from (
        select * from printed
        union all
        select * from declared_empty
    ) as rows
    inner join disclosures using (disclosure_id)
)

select * from final
