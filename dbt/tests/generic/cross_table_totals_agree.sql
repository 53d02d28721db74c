{#- The same total printed in two tables agrees (收支总表 ↔ 收入总表 ↔ 支出总表 ↔ 财政拨款收支总表 ↔
    一般公共预算支出表 ↔ 基本支出表 ↔ 项目支出表; pairs in the seed cross_table_identities). -#}
{% test cross_table_totals_agree(model) %}
    {{ config(severity='warn') }}
    {{ outside_tolerance(identity_cross_table(model)) }}
{% endtest %}
