{#- The load that built a row: every mart selects it, so a reader can prove that everything it
    read came from one complete load. Read from the environment when the model runs, never
    while dbt parses: a value seen at parse time would make dbt re-parse every model that uses
    it on every load (its partial parsing compares such values), and the parse is most of a
    small load's dbt time (BENCHMARKS.md). -#}
{% macro load_id() -%}
    {%- if execute -%}
    cast('{{ env_var("BUDGETWH_LOAD_ID", "manual") | replace("'", "''") }}' as varchar)
    {%- else -%}
    cast(null as varchar)
    {%- endif -%}
{%- endmacro %}
