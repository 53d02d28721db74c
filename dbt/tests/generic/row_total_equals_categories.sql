{#- Each row's total = Σ its spending categories (basic + project + reserve + …). -#}
{% test row_total_equals_categories(model, row_key, measure='measure') %}
    {{ config(severity='warn') }}
    with checks as ({{ identity_row_total(model, row_key, measure) }})
    select *, actual - expected as difference
    from checks
    where abs(actual - expected) > {{ rounding_tolerance('n_terms', 'multiplier') }}
{% endtest %}
