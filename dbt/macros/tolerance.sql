{#- DESIGN tolerance: a value printed with step 0.01 in a unit of `multiplier` yuan is off by at
    most 0.005 * multiplier, so an identity over `n_terms` terms and one printed total holds
    within (n_terms + 1) * 0.005 * multiplier yuan, inclusive. DECIMAL(38,3), the width of the
    amounts it is compared with (macros/money.sql): never an overflow, whatever the count. -#}
{% macro rounding_tolerance(n_terms, multiplier) -%}
    cast(({{ n_terms }} + 1) * 0.005 * ({{ multiplier }}) as decimal(38, 3))
{%- endmacro %}
