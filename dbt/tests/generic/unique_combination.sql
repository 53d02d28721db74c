{#- No two rows share the grain: a fact counted twice is a pipeline bug, never the publisher's. -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as n
    from {{ model }}
    group by all
    having count(*) > 1
{% endtest %}
