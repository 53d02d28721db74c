{#- "三公" spending in long form: one row per item, value year and fund source. A table that
    prints the total twice (a 合计 row, which may include 会议费 and 培训费, and a "三公"经费小计
    row) gives one fact: the printing that names 三公, else the first (int_line_items.printing_order).
    The same item is printed once per fund source (合计, 财政拨款, 一般公共预算 nest) and items nest
    (total > vehicle_total > vehicle_purchase): `is_canonical_scope` and `is_leaf` make a naive
    sum safe, and mart_three_public has it done. -#}
with lines as (
    select
        *,
        row_number() over (
            partition by disclosure_id, code, value_year, fund_source
            order by printing_order
        ) as printing
    from {{ ref('int_designated_line_items') }}
    where fact = 'three_public'
),

facts as (
    select * from lines where printing = 1
),

-- items and the items they are part of (seed three_public_items: total above vehicle_total
-- above vehicle_purchase)
item_ancestors as (
    select child.item, parent.item as ancestor
    from {{ ref('three_public_items') }} as child
    inner join {{ ref('three_public_items') }} as parent on child.parent_item = parent.item
    union all
    select child.item, grandparent.item as ancestor
    from {{ ref('three_public_items') }} as child
    inner join {{ ref('three_public_items') }} as parent on child.parent_item = parent.item
    inner join {{ ref('three_public_items') }} as grandparent on parent.parent_item = grandparent.item
),

-- an item restated by a printed part of it, for the same table, fund and year
parents as (
    select distinct parent.table_id, parent.source_row, parent.source_col, true as has_child
    from facts as parent
    inner join facts as child
        on child.disclosure_id = parent.disclosure_id
        and child.table_id = parent.table_id
        and child.fund_source = parent.fund_source
        and child.value_year = parent.value_year
    inner join item_ancestors
        on item_ancestors.item = child.code and item_ancestors.ancestor = parent.code
),

scopes as (
    select disclosure_id, fund_source from {{ ref('int_canonical_fund_scopes') }} where family = 'three_public'
),

final as (
    select
        {{ surrogate_key(['doc_id', 'table_id', 'source_row', 'source_col']) }} as three_public_id,
        disclosure_id,
        doc_id,
        table_id,
        source_row,
        source_col,
        source_line,
        code as item,
        value_year,
        fund_source,
        row_label,
        column_label,
        amount_yuan,
        raw_text,
        unit_multiplier,
        parents.has_child is null as is_leaf,
        scopes.fund_source is not null as is_canonical_scope,
        {{ load_id() }} as load_id
    from facts
    left join parents using (table_id, source_row, source_col)
    left join scopes using (disclosure_id, fund_source)
)

select * from final
