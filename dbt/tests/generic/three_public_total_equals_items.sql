{#- "三公" total = 因公出国 + 公务用车 (购置 + 运行) + 公务接待. -#}
{% test three_public_total_equals_items(model, group_by, item='item') %}
    {{ config(severity='warn') }}
    {{ outside_tolerance(identity_three_public(model, group_by, item)) }}
{% endtest %}
