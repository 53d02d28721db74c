{#- Every source table kind of fct_revenue has a Chinese title in dim_table_kind. -#}
{{ unlabelled_slugs(ref('fct_revenue'), 'source_table_kind', ref('dim_table_kind'), 'table_kind') }}
