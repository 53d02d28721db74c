{#- Every listed column of the model is filled. One scan for all of them, where dbt's `not_null`
    runs a query per column: a load's dbt time is mostly dbt's own cost per test node, not
    DuckDB's (BENCHMARKS.md), so the model's unconditional not-null columns share this one test.
    The failing rows come back whole, so a reader sees which of the columns is empty. A column
    that may be null under a condition keeps dbt's `not_null` with its `where`. -#}
{% test not_null_columns(model, columns) %}
    select *
    from {{ model }}
    where {% for column in columns %}{{ adapter.quote(column) }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
