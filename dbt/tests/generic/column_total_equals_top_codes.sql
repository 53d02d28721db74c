{#- A column's 合计 row = Σ its 类 rows. -#}
{% test column_total_equals_top_codes(model, group_by) %}
    {{ config(severity='warn') }}
    with checks as ({{ identity_column_total(model, group_by) }})
    select *, actual - expected as difference
    from checks
    where abs(actual - expected) > {{ rounding_tolerance('n_terms', 'multiplier') }}
{% endtest %}
