{#- The accounting identities of a budget table, each as a query returning one row per identity
    instance: its key columns, `expected` (the printed total), `actual` (the sum of the printed
    parts), `n_terms` and `multiplier` (the unit), from which the DESIGN tolerance follows
    (macros/tolerance.sql).

    This file is the single definition of the identities in the project; nothing else computes
    them. One definition serves every reader: the generic tests in tests/generic/ (which warn on
    the instances outside tolerance), the intermediate models that list every instance, passing
    or not, in marts.mart_data_quality (int_quality_within_table, int_quality_cross_table), and,
    through that mart, the per-document Dagster check `identities_hold` and the findings
    `budgetwh run` prints (dagster_project/quality.py reads them; Python computes no identity).
    A change to an identity is made here, and every one of them sees it. -#}

{%- macro spending_categories() -%}
    ('basic', 'project', 'reserve', 'transfer_to_superior', 'business_operation', 'subsidy_to_affiliates')
{%- endmacro -%}

{%- macro _cells(relation, keys, measure) -%}
    select
        {{ keys | join(', ') }},
        {{ measure }} as m,
        arg_min(amount_yuan, source_col) as amount,
        max(unit_multiplier) as multiplier
    from {{ relation }}
    group by all
{%- endmacro -%}

{#- Row total = Σ spending categories (basic + project + reserve + …); where a row has no basic
    column, its 人员经费 and 公用经费 columns stand in for it. -#}
{% macro identity_row_total(relation, keys, measure='measure') %}
    with cells as ({{ _cells(relation, keys, measure) }}),
    rows as (
        select
            {{ keys | join(', ') }},
            max(amount) filter (where m = 'total') as total,
            max(amount) filter (where m = 'basic') as basic,
            sum(amount) filter (where m in {{ spending_categories() }}) as top_sum,
            count(*) filter (where m in {{ spending_categories() }}) as top_n,
            sum(amount) filter (where m in ('personnel', 'public_admin')) as pp_sum,
            count(*) filter (where m in ('personnel', 'public_admin')) as pp_n,
            max(multiplier) as multiplier
        from cells
        group by all
    )
    select
        {{ keys | join(', ') }},
        total as expected,
        coalesce(top_sum, 0) + case when basic is null then coalesce(pp_sum, 0) else 0 end as actual,
        top_n + case when basic is null then pp_n else 0 end as n_terms,
        multiplier
    from rows
    where total is not null
      and top_n + case when basic is null then pp_n else 0 end > 0
{% endmacro %}

{#- 基本支出 = 人员经费 + 公用经费, in every row that prints all three. -#}
{% macro identity_basic_parts(relation, keys, measure='measure') %}
    with cells as ({{ _cells(relation, keys, measure) }})
    select
        {{ keys | join(', ') }},
        max(amount) filter (where m = 'basic') as expected,
        sum(amount) filter (where m in ('personnel', 'public_admin')) as actual,
        count(*) filter (where m in ('personnel', 'public_admin')) as n_terms,
        max(multiplier) as multiplier
    from cells
    group by all
    having max(amount) filter (where m = 'basic') is not null
       and count(*) filter (where m in ('personnel', 'public_admin')) > 0
{% endmacro %}

{#- A classification code = Σ its children one level down (类 = Σ 款, 款 = Σ 项), per column.
    Rows pairing one 部门 code with several 政府 codes add up first. -#}
{% macro identity_parent_children(relation, keys) %}
    with amounts as (
        select
            {{ keys | join(', ') }},
            code,
            sum(amount_yuan) as amount,
            max(unit_multiplier) as multiplier
        from {{ relation }}
        where code is not null
          and code_system in ('function', 'econ_department', 'econ_government')
        group by all
    )
    select
        {% for k in keys %}parent.{{ k }}, {% endfor %}
        parent.code as code,
        any_value(parent.amount) as expected,
        sum(child.amount) as actual,
        count(*) as n_terms,
        max(greatest(parent.multiplier, child.multiplier)) as multiplier
    from amounts as parent
    inner join amounts as child
        on {% for k in keys %}parent.{{ k }} is not distinct from child.{{ k }} and {% endfor %}
           length(child.code) = length(parent.code) + 2
           and starts_with(child.code, parent.code)
    group by all
{% endmacro %}

{#- The 合计 row of a column = Σ its top-level (类) rows, per code system. -#}
{% macro identity_column_total(relation, keys) %}
    with totals as (
        select {{ keys | join(', ') }}, arg_min(amount_yuan, source_row) as total, max(unit_multiplier) as multiplier
        from {{ relation }}
        where is_total and code is null
        group by all
    ),
    tops as (
        select {{ keys | join(', ') }}, code_system, sum(amount_yuan) as amount, count(*) as n_terms,
               max(unit_multiplier) as multiplier
        from {{ relation }}
        where code is not null and length(code) = 3 and budget_unit_code is null
          and code_system in ('function', 'econ_department', 'econ_government')
        group by all
    )
    select
        {% for k in keys %}totals.{{ k }}, {% endfor %}
        tops.code_system,
        totals.total as expected,
        tops.amount as actual,
        tops.n_terms,
        greatest(totals.multiplier, tops.multiplier) as multiplier
    from totals
    inner join tops using ({{ keys | join(', ') }})
{% endmacro %}

{#- "三公" total = 因公出国 + 公务用车 (购置 + 运行) + 公务接待, and 公务用车 = 购置 + 运行. -#}
{% macro identity_three_public(relation, keys, item='code', order='source_row * 1000 + source_col') %}
    with cells as (
        select {{ keys | join(', ') }}, {{ item }} as item, arg_min(amount_yuan, {{ order }}) as amount,
               max(unit_multiplier) as multiplier
        from {{ relation }}
        group by all
    ),
    items as (
        select
            {{ keys | join(', ') }},
            max(amount) filter (where item = 'total') as total,
            max(amount) filter (where item = 'overseas_travel') as overseas,
            max(amount) filter (where item = 'vehicle_total') as vehicle,
            max(amount) filter (where item = 'vehicle_purchase') as purchase,
            max(amount) filter (where item = 'vehicle_operation') as operation,
            max(amount) filter (where item = 'reception') as reception,
            max(multiplier) as multiplier
        from cells
        group by all
    )
    select
        {{ keys | join(', ') }},
        '三公 total = overseas travel + vehicles + reception' as part,
        total as expected,
        coalesce(overseas, 0) + coalesce(vehicle, coalesce(purchase, 0) + coalesce(operation, 0)) + coalesce(reception, 0) as actual,
        (overseas is not null)::int + case when vehicle is not null then 1
            else (purchase is not null)::int + (operation is not null)::int end + (reception is not null)::int as n_terms,
        multiplier
    from items
    where total is not null
      and coalesce(overseas, vehicle, purchase, operation, reception) is not null
    union all
    select
        {{ keys | join(', ') }},
        'vehicles = purchase + operation' as part,
        vehicle as expected,
        coalesce(purchase, 0) + coalesce(operation, 0) as actual,
        (purchase is not null)::int + (operation is not null)::int as n_terms,
        multiplier
    from items
    where vehicle is not null and coalesce(purchase, operation) is not null
{% endmacro %}

{#- 收入总计 = 支出总计 in a 收支总表: the largest total printed on each side. -#}
{% macro identity_revenue_expenditure(relation, keys) %}
    select
        {{ keys | join(', ') }},
        max(amount_yuan) filter (where side = 'revenue') as expected,
        max(amount_yuan) filter (where side = 'expenditure') as actual,
        1 as n_terms,
        max(unit_multiplier) as multiplier
    from {{ relation }}
    where is_total and code is null
    group by all
    having count(*) filter (where side = 'revenue') > 0
       and count(*) filter (where side = 'expenditure') > 0
{% endmacro %}

{#- The same total printed in two tables of one disclosure (收支总表 ↔ 支出总表, 一般公共预算支出表 ↔
    基本支出表 …): the first total row of each table, matched on side, measure, fund and year, for
    the pairs of table kinds listed in the seed `cross_table_identities`. -#}
{% macro identity_cross_table(relation) %}
    with printed_totals as (
        select
            disclosure_id, table_id, table_kind, table_title, side, fact_measure, fund_source, value_year,
            arg_min(amount_yuan, source_row * 1000 + source_col) as first_amount,
            max(amount_yuan) as largest_amount,
            max(unit_multiplier) as multiplier
        from {{ relation }}
        where is_total and code is null
        group by all
    ),

    totals as (
        -- a table's first total row, except on the revenue side of a 收支总表: there the
        -- counterpart of the 收入总表's 合计 (which has a 上年结转 column) is 收入总计, the
        -- largest total, not 本年收入合计 printed above the carry-over rows
        select
            *,
            case when table_kind = 'budget_summary' and side = 'revenue' then largest_amount
                 else first_amount end as amount
        from printed_totals
    )
    select
        a.disclosure_id,
        a.table_id as left_table_id,
        b.table_id as right_table_id,
        a.table_title as left_title,
        b.table_title as right_title,
        a.side,
        a.fact_measure as measure,
        a.fund_source,
        a.value_year,
        a.amount as expected,
        b.amount as actual,
        1 as n_terms,
        greatest(a.multiplier, b.multiplier) as multiplier
    from totals as a
    inner join totals as b
        on a.disclosure_id = b.disclosure_id
        and a.table_id < b.table_id
        and a.side is not distinct from b.side
        and a.fact_measure = b.fact_measure
        and a.fund_source = b.fund_source
        and a.value_year is not distinct from b.value_year
    inner join {{ ref('cross_table_identities') }} as pair
        on (pair.left_kind = a.table_kind and pair.right_kind = b.table_kind)
        or (pair.left_kind = b.table_kind and pair.right_kind = a.table_kind)
{% endmacro %}

{#- The instances of an identity check that break the DESIGN tolerance: what a generic test
    returns (one row per finding). -#}
{% macro outside_tolerance(checks_sql) %}
    with checks as ({{ checks_sql }})
    select *, actual - expected as difference
    from checks
    where abs(actual - expected) > {{ rounding_tolerance('n_terms', 'multiplier') }}
{% endmacro %}
