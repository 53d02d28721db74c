{#- 收入总计 = 支出总计 in each 收支总表. -#}
{% test revenue_equals_expenditure(model, group_by) %}
    {{ config(severity='warn') }}
    {{ outside_tolerance(identity_revenue_expenditure(
        '(select * from ' ~ model ~ " where table_kind = 'budget_summary')", group_by)) }}
{% endtest %}
