{#- Every check kind of mart_data_quality has a Chinese name in dim_quality_check. -#}
{{ unlabelled_slugs(ref('mart_data_quality'), 'check_kind', ref('dim_quality_check'), 'check_kind') }}
