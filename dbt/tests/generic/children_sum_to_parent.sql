{#- 类 = Σ 款 = Σ 项 (and 部门/政府 经济分类 类 = Σ 款) within each group, to the DESIGN tolerance.
    A publisher's table that does not add up is data-quality information: severity warn, and
    the instance is listed in marts.mart_data_quality. -#}
{% test children_sum_to_parent(model, group_by) %}
    {{ config(severity='warn') }}
    {{ outside_tolerance(identity_parent_children(model, group_by)) }}
{% endtest %}
