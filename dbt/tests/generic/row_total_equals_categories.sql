{#- Each row's total = Σ its spending categories (basic + project + reserve + …). -#}
{% test row_total_equals_categories(model, row_key, measure='measure') %}
    {{ config(severity='warn') }}
    {{ outside_tolerance(identity_row_total(model, row_key, measure)) }}
{% endtest %}
