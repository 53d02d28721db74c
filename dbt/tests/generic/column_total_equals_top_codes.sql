{#- A column's 合计 row = Σ its 类 rows. -#}
{% test column_total_equals_top_codes(model, group_by) %}
    {{ config(severity='warn') }}
    {{ outside_tolerance(identity_column_total(model, group_by)) }}
{% endtest %}
