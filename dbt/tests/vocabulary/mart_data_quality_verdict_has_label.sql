{#- Every verdict of mart_data_quality has a Chinese name in dim_status. -#}
{{ unlabelled_slugs(ref('mart_data_quality'), 'verdict', ref('dim_status'), 'status') }}
