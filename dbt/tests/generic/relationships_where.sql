{#- A relationships test whose parent is one part of a shared vocabulary seed (like
    dbt_utils.relationships_where, which this project does not install: it builds offline).
    The seeds labels and statuses each hold several vocabularies (admin_level / origin /
    comparison; document statuses / check verdicts), so a column is tested against its own part:
    a check verdict is no document status. Rows with a NULL value pass, as in `relationships`. -#}
{% test relationships_where(model, column_name, to, field, to_condition='true', from_condition='true') %}
    with children as (
        select {{ column_name }} as value
        from {{ model }}
        where {{ column_name }} is not null and ({{ from_condition }})
    ),

    parents as (
        select {{ field }} as value
        from {{ to }}
        where {{ to_condition }}
    )

    select children.value
    from children
    left join parents on children.value = parents.value
    where parents.value is null
{% endtest %}
