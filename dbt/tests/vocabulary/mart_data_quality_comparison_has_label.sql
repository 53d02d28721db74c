{#- Every comparison of mart_data_quality has a Chinese name in dim_label. -#}
{{ unlabelled_slugs(ref('mart_data_quality'), 'comparison', '(select slug from ' ~ ref('dim_label') ~ " where vocabulary = 'comparison')", 'slug') }}
