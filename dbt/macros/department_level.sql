{#- The rows of `relation` that speak for the whole disclosure, table by table: rows printed
    without a budget unit where the table has any (a 合计 or department row above the units);
    else, in a table whose every row carries a 单位编码 (one 本级 unit printing its own report, or
    a table of units without a department row), the rows of the top units: those whose code has
    no printed unit code as a proper prefix (231 stands above 231001). Summed over top units by
    the caller, this gives one row set per disclosure, never one per sub-unit, and never drops a
    report whose rows all carry a unit code (a `budget_unit_code is null` filter would). -#}
{% macro department_level(relation) %}
    with units as (
        -- the units a table prints (a few per table: compared pairwise, never row by row)
        select distinct table_id, budget_unit_code
        from {{ relation }}
        where budget_unit_code is not null
    ),
    tables_with_department_rows as (
        select distinct table_id from {{ relation }} where budget_unit_code is null
    ),
    top_units as (
        select u.table_id, u.budget_unit_code
        from units as u
        where not exists (
            select 1 from units as o
            where o.table_id = u.table_id
              and length(o.budget_unit_code) < length(u.budget_unit_code)
              and starts_with(u.budget_unit_code, o.budget_unit_code)
        )
    )
    select r.*
    from {{ relation }} as r
    left join tables_with_department_rows as d on d.table_id = r.table_id
    left join top_units as t on t.table_id = r.table_id and t.budget_unit_code = r.budget_unit_code
    where r.budget_unit_code is null
       or (d.table_id is null and t.table_id is not null)
{% endmacro %}
