{#- A row-level rule that must hold on every row (like dbt_utils.expression_is_true, which this
    project does not install: it builds offline, with no packages). -#}
{% test expression_is_true(model, expression) %}
    select * from {{ model }} where not ({{ expression }})
{% endtest %}
