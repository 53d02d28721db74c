{#- 收入总计 = 支出总计 in each 收支总表. -#}
{% test revenue_equals_expenditure(model, group_by) %}
    {{ config(severity='warn') }}
    with checks as ({{ identity_revenue_expenditure(
        '(select * from ' ~ model ~ " where table_kind = 'budget_summary')", group_by) }})
    select *, actual - expected as difference
    from checks
    where abs(actual - expected) > {{ rounding_tolerance('n_terms', 'multiplier') }}
{% endtest %}
