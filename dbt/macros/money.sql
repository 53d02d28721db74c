{#- Two kinds of amounts, two types. An amount as printed (a line item, a project, a narrative
    statement) is DECIMAL(18,2): staging holds nothing wider, and the facts keep it so. An amount
    the warehouse computes from several of them (a sum, a difference between a printed total and
    its parts, a headline figure that may be one) is DECIMAL(38,2), DuckDB's type for the sum of
    DECIMAL(18,2) values: 36 integer digits, which no sum of printed amounts can fill (each is
    below 10^16). Such an amount is never cast back to 18 digits, so no input, whatever its
    numbers, can stop the dbt build with a conversion overflow: before this, a narrative
    statement near 10^16 yuan checked against a negative table amount made mart_data_quality's
    difference fail its cast and the whole load with it. -#}
{% macro computed_yuan(expression) -%}
    cast({{ expression }} as decimal(38, 2))
{%- endmacro %}
