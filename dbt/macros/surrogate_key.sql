{#- A stable text key from the columns that identify a row (no dbt_utils: the project installs
    no packages, so it builds offline). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|', {% for c in columns %}coalesce(cast({{ c }} as varchar), '∅'){{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}
