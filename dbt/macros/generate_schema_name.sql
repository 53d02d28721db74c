{#- Schemas are named exactly as configured (`marts`, not `main_marts`), so analysts write
    `select ... from marts.fct_expenditure` whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
