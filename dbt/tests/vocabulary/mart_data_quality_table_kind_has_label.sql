{#- Every table kind a quality check names has a Chinese title in dim_table_kind (finding_zh prints it). -#}
{{ unlabelled_slugs(ref('mart_data_quality'), 'unnest(table_kinds)', ref('dim_table_kind'), 'table_kind') }}
