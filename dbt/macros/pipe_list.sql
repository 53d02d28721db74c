{#- A catalog cell listing several values as 'a|b|c' (the seeds' aliases column), as a list;
    empty for a blank or missing cell, so a code without former names has [] rather than NULL. -#}
{% macro pipe_list(column) -%}
    case when {{ column }} is null or {{ column }} = '' then [] else string_split({{ column }}, '|') end
{%- endmacro %}
