{#- The most frequent non-null value of a column in a group, ties to the first in sort order.
    DuckDB's mode() breaks ties by whichever value its hash table meets first, which changes with
    the order documents are staged in: two loads of the same files must give identical marts. -#}
{% macro most_frequent(column) -%}
    list_sort(list_transform(map_entries(histogram({{ column }})),
                             lambda e: {'n': -(e.value::bigint), 'v': e.key}))[1].v
{%- endmacro %}
