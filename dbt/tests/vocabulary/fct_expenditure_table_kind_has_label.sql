{#- Every source table kind of fct_expenditure has a Chinese title in dim_table_kind. -#}
{{ unlabelled_slugs(ref('fct_expenditure'), 'source_table_kind', ref('dim_table_kind'), 'table_kind') }}
