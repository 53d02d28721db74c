{#- 基本支出 = 人员经费 + 公用经费 in every row printing all three. -#}
{% test basic_equals_personnel_plus_public_admin(model, row_key, measure='measure') %}
    {{ config(severity='warn') }}
    {{ outside_tolerance(identity_basic_parts(model, row_key, measure)) }}
{% endtest %}
