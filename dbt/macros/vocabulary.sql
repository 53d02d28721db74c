{#- The slugs a column of a mart uses that have no row (no Chinese display name) in their
    vocabulary dim: what the singular tests in tests/vocabulary/ return. A plain slug column is
    tested by a `relationships` test in its model's YAML (an asset check in Dagster); this macro
    serves what that test cannot say: a list column (`unnest(table_kinds)`). `values` is a SQL
    expression over `relation` (a column, or unnest() of a list column). -#}
{% macro unlabelled_slugs(relation, values, dim, key, where='true') %}
    with used as (
        select distinct {{ values }} as slug
        from {{ relation }}
        where {{ where }}
    )
    select used.slug
    from used
    left join {{ dim }} as labels on labels.{{ key }} = used.slug
    where used.slug is not null and labels.{{ key }} is null
{% endmacro %}
