{#- The load that built a row: every mart selects it, so a reader can prove that everything it
    read came from one complete load. -#}
{% macro load_id() -%}
    cast('{{ var("load_id") | replace("'", "''") }}' as varchar)
{%- endmacro %}
